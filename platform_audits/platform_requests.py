"""What the platform asks of an organization: an attestation or remediation, with a reason and
a due date; reminders before it is due; an enforcement recommendation once it is overdue; and
the close when the organization signs what was asked.

A request's states are data (STEPS), like the assessment's lifecycle: each step names the
states it starts from, where it leads and the audit event it writes, and each function here
is one step in one transaction with its event; emails go after commit.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.actors import SYSTEM, Actor
from accounts.organizations import register_organization
from accounts.permissions import Need, require
from assessments import emails, notes
from assessments.errors import IllegalTransition, MissingRequirement
from assessments.models import (
    EDITABLE_STATUSES,
    Assessment,
    Attestation,
    AttestationPurpose,
    AuditAction,
    AuditEvent,
    AuditRequest,
    EnforcementLevel,
    EnforcementRecommendation,
    RequestKind,
    RequestReminder,
    RequestState,
    Status,
)
from attestations import audit

_INVITATION_SALT = "assessments.platform_requests.invitation"  # kept: links sent stay valid
OPEN_STATES = (RequestState.OPEN, RequestState.ESCALATED)
# A request names its questionnaire; lists of requests never need its whole definition.
WHOLE_QUESTIONNAIRE = "framework_version__definition"


class Step(StrEnum):
    ESCALATE = "escalate"
    FULFIL = "fulfil"


@dataclass(frozen=True)
class StepRule:
    sources: tuple[RequestState, ...]
    target: RequestState
    audit: AuditAction


STEPS = {
    Step.ESCALATE: StepRule(
        OPEN_STATES, RequestState.ESCALATED, AuditAction.ENFORCEMENT_RECOMMENDED
    ),
    Step.FULFIL: StepRule(OPEN_STATES, RequestState.FULFILLED, AuditAction.AUDIT_REQUEST_FULFILLED),
}


class Stage(StrEnum):
    """Where a request stands, as a campaign's progress counts it (the furthest stage wins)."""

    ASKED = "asked"
    OPENED = "opened"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    SUBMITTED = "submitted"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return self.replace("_", " ").capitalize()

    @property
    def tone(self) -> str:
        """Bootstrap's contextual colour, as badges show it."""
        return STAGE_TONES[self]


STAGE_TONES = {
    Stage.ASKED: "secondary",
    Stage.OPENED: "primary",
    Stage.IN_PROGRESS: "primary",
    Stage.OVERDUE: "warning",
    Stage.ESCALATED: "danger",
    Stage.SUBMITTED: "success",
    Stage.APPROVED: "success",
}


def _record(audit_request: AuditRequest, *, actor: Actor, action: AuditAction, details=None):
    return audit.record(
        actor=actor,
        action=action,
        obj=audit_request,
        details=details,
        organization_id=audit_request.organization_id,
        assessment_id=audit_request.assessment_id,
    )


def _check_terms(*, kind, reason: str, due_on: date, assessment, question_ids) -> str:
    reason = notes.written(reason, missing="Say why the platform asks: the organization reads it.")
    if due_on <= timezone.localdate():
        raise MissingRequirement("The due date must be in the future.")
    if kind == RequestKind.REMEDIATION and (assessment is None or not question_ids):
        raise MissingRequirement("A remediation request names the questions to remediate.")
    return reason


def ask(
    organization,
    *,
    actor: Actor,
    kind: RequestKind,
    framework_version,
    reason: str,
    due_on: date,
    assessment: Assessment | None = None,
    question_ids: list[str] | tuple = (),
    campaign=None,
    product=None,
) -> AuditRequest:
    """Ask a registered organization (about one of its products, or any); its admins and
    preparers are told after commit. Only a platform reviewer asks."""
    require(actor.user, None, Need.REVIEW)
    if product is not None and product.organization_id != organization.pk:
        raise ValueError("The product asked about is another organization's.")
    product = assessment.product if assessment is not None else product
    reason = _check_terms(
        kind=kind, reason=reason, due_on=due_on, assessment=assessment, question_ids=question_ids
    )
    with transaction.atomic():
        audit_request = _make(
            actor=actor,
            organization=organization,
            kind=kind,
            purpose=purpose_of(organization, framework_version)
            if kind == RequestKind.ATTESTATION
            else "",
            framework_version=framework_version,
            assessment=assessment,
            product=product,
            question_ids=list(question_ids),
            reason=reason,
            due_on=due_on,
            campaign=campaign,
        )
        transaction.on_commit(
            lambda: emails.send_request_notice(audit_request, emails.Notice.AUDIT_REQUESTED)
        )
    return audit_request


def purpose_of(organization, framework_version) -> AttestationPurpose:
    """First, renewed, or on a newer version: from the organization's latest attestation on
    the asked questionnaire."""
    latest = (
        Attestation.objects.filter(
            organization_id=organization.pk, framework_slug=framework_version.slug
        )
        .select_related("assessment__framework_version")
        .order_by("-number")
        .first()
    )
    if latest is None:
        return AttestationPurpose.FIRST
    if latest.assessment.framework_version_id == framework_version.pk:
        return AttestationPurpose.RENEWAL
    return AttestationPurpose.NEW_VERSION


def _make(*, actor: Actor, details: dict | None = None, **fields) -> AuditRequest:
    """The request and its audit event, with its terms (inside the caller's transaction)."""
    audit_request = AuditRequest.objects.create(created_by=actor.user, **fields)
    _record(
        audit_request,
        actor=actor,
        action=AuditAction.AUDIT_REQUESTED,
        details=_terms(audit_request) | (details or {}),
    )
    return audit_request


def _terms(audit_request: AuditRequest) -> dict:
    return {
        "kind": audit_request.kind,
        "purpose": audit_request.purpose,
        "questionnaire": str(audit_request.framework_version),
        "question_ids": audit_request.question_ids,
        "product": audit_request.product.name if audit_request.product_id else None,
        "reason": audit_request.reason,
        "due_on": audit_request.due_on.isoformat(),
        "campaign": str(audit_request.campaign_id) if audit_request.campaign_id else None,
    }


def invite(
    *,
    actor: Actor,
    email: str,
    legal_name: str,
    framework_version,
    reason: str,
    due_on: date,
    campaign=None,
) -> AuditRequest:
    """Ask an organization that has no account yet: the email carries a link to register it,
    and the request becomes the new organization's own. Only a platform reviewer invites."""
    require(actor.user, None, Need.REVIEW)
    reason = _check_terms(
        kind=RequestKind.ATTESTATION, reason=reason, due_on=due_on, assessment=None, question_ids=()
    )
    with transaction.atomic():
        audit_request = _make(
            actor=actor,
            details={"invited": email.strip().lower(), "legal_name": legal_name},
            invited_email=email.strip().lower(),
            invited_legal_name=legal_name.strip(),
            kind=RequestKind.ATTESTATION,
            purpose=AttestationPurpose.FIRST,
            framework_version=framework_version,
            reason=reason,
            due_on=due_on,
            campaign=campaign,
        )
        token = invitation_token(audit_request)
        transaction.on_commit(lambda: emails.send_request_invitation(audit_request, token))
    return audit_request


def invitation_token(audit_request: AuditRequest) -> str:
    return signing.dumps(str(audit_request.pk), salt=_INVITATION_SALT)


def from_invitation(token: str) -> AuditRequest | None:
    """The unclaimed request an emailed link names, if the link is genuine and recent."""
    try:
        pk = signing.loads(
            token,
            salt=_INVITATION_SALT,
            max_age=timedelta(days=settings.REQUEST_INVITATION_DAYS),
        )
    except signing.BadSignature:
        return None
    return AuditRequest.objects.filter(pk=pk, organization__isnull=True).first()


def claim(audit_request: AuditRequest, *, website: str, full_name: str, password: str, ip):
    """Register the invited organization (its first member is the invited address, as admin)
    and make the request its own, in one transaction."""
    with transaction.atomic():
        locked = AuditRequest.objects.select_for_update().get(pk=audit_request.pk)
        if locked.organization_id is not None:
            raise IllegalTransition("This invitation has been used already: log in instead.")
        organization, user = register_organization(
            legal_name=locked.invited_legal_name,
            website=website,
            full_name=full_name,
            email=locked.invited_email,
            password=password,
            ip=ip,
        )
        locked.organization = organization
        locked.opened_at = timezone.now()
        locked.save(update_fields=["organization", "opened_at"])
        _record(locked, actor=Actor(user, ip), action=AuditAction.AUDIT_REQUEST_CLAIMED)
    return organization, user


def mark_opened(audit_request: AuditRequest, *, actor: Actor) -> None:
    """The first time someone of the organization reads the request (campaigns count it); a
    reviewer's reading is not the organization's, and nobody else may read it."""
    if actor.user is not None and actor.user.is_reviewer:
        return
    require(actor.user, audit_request.organization, Need.VIEW)
    if audit_request.opened_at is not None:
        return
    with transaction.atomic():
        now = timezone.now()
        if AuditRequest.objects.filter(pk=audit_request.pk, opened_at=None).update(opened_at=now):
            audit_request.opened_at = now
            _record(audit_request, actor=actor, action=AuditAction.AUDIT_REQUEST_OPENED)


def _move(audit_request: AuditRequest, step: Step) -> tuple[AuditRequest, RequestState]:
    rule = STEPS[step]
    locked = AuditRequest.objects.select_for_update().get(pk=audit_request.pk)
    if locked.state not in rule.sources:
        raise IllegalTransition(f"This request is {locked.get_state_display().lower()} already.")
    before = locked.state
    locked.state = rule.target
    return locked, before


def may_escalate(audit_request: AuditRequest) -> bool:
    return audit_request.state in STEPS[Step.ESCALATE].sources and audit_request.is_overdue


def escalate(
    audit_request: AuditRequest, *, actor: Actor, level: EnforcementLevel, rationale: str
) -> EnforcementRecommendation:
    """Record what the reviewer recommends for an overdue request. The portal acts on no
    account: the platform's enforcement team reads the recommendation and its rationale.
    Only a platform reviewer recommends."""
    require(actor.user, None, Need.REVIEW)
    rationale = notes.written(rationale, missing="Give the rationale for the recommendation.")
    with transaction.atomic():
        locked, before = _move(audit_request, Step.ESCALATE)
        if not locked.is_overdue:
            raise IllegalTransition(f"The request is not overdue: it is due {locked.due_on}.")
        locked.save(update_fields=["state"])
        recommendation = EnforcementRecommendation.objects.create(
            request=locked, level=level, rationale=rationale, recommended_by=actor.user
        )
        _record(
            locked,
            actor=actor,
            action=STEPS[Step.ESCALATE].audit,
            details={"from": before, "level": level, "rationale": rationale},
        )
    return recommendation


def fulfil_on_signing(attestation, *, actor: Actor) -> list[AuditRequest]:
    """Close what this signature answers; runs inside workflow.sign's transaction. A request
    is answered by an attestation of its organization (of the product asked about, when it
    names one) on the asked questionnaire, on the asked version or a newer one; a
    remediation, by one on the assessment concerned or a later one."""
    version = attestation.assessment.framework_version
    answered = (
        # Lock the requests only: the questionnaire rows joined in are shared by every
        # organization signing at the same moment.
        AuditRequest.objects.select_for_update(of=("self",))
        .filter(
            organization_id=attestation.organization_id,
            state__in=OPEN_STATES,
            framework_version__slug=version.slug,
            created_at__lte=attestation.signed_at,
        )
        .filter(Q(product__isnull=True) | Q(product_id=attestation.assessment.product_id))
        .filter(  # the asked version is this one or older (loaded earlier, on a same-day release)
            Q(framework_version__published_on__lt=version.published_on)
            | Q(
                framework_version__published_on=version.published_on,
                framework_version__loaded_at__lte=version.loaded_at,
            )
        )
    )
    closed = []
    for audit_request in answered:
        audit_request.state = STEPS[Step.FULFIL].target
        audit_request.fulfilled_at = attestation.signed_at
        audit_request.fulfilled_by = attestation
        audit_request.save(update_fields=["state", "fulfilled_at", "fulfilled_by"])
        _record(
            audit_request,
            actor=actor,
            action=STEPS[Step.FULFIL].audit,
            details={
                "attestation": attestation.number,
                "assessment": str(attestation.assessment_id),
            },
        )
        closed.append(audit_request)
    return closed


def reminders_due(today: date | None = None) -> list[tuple[AuditRequest, int]]:
    """(request, days before due) for each reminder to send today: the nearest step the due
    date has reached, when the request was made earlier than that step and the organization
    has an account."""
    today = today or timezone.localdate()
    steps = settings.REQUEST_REMINDER_DAYS
    if not steps:
        return []
    due = []
    candidates = (
        AuditRequest.objects.filter(
            state__in=OPEN_STATES,
            organization__isnull=False,
            due_on__gte=today,
            due_on__lte=today + timedelta(days=max(steps)),
        )
        .select_related("organization", "framework_version")
        .defer(WHOLE_QUESTIONNAIRE)
    )
    for audit_request in candidates.prefetch_related("reminders"):
        days_left = (audit_request.due_on - today).days
        asked_days_ahead = (audit_request.due_on - audit_request.created_at.date()).days
        reached = [d for d in steps if days_left <= d < asked_days_ahead]
        sent = {r.days_before for r in audit_request.reminders.all()}
        if reached and min(reached) not in sent:
            due.append((audit_request, min(reached)))
    return due


def send_reminders(today: date | None = None) -> int:
    """Send each due reminder once, whichever worker gets there first; return how many."""
    sent = 0
    for audit_request, days_before in reminders_due(today):
        try:
            with transaction.atomic():
                RequestReminder.objects.create(request=audit_request, days_before=days_before)
                _record(
                    audit_request,
                    actor=SYSTEM,
                    action=AuditAction.AUDIT_REQUEST_REMINDED,
                    details={
                        "days_before": days_before,
                        "due_on": audit_request.due_on.isoformat(),
                    },
                )
                transaction.on_commit(
                    lambda r=audit_request: emails.send_request_notice(
                        r, emails.Notice.AUDIT_REQUEST_DUE
                    )
                )
        except IntegrityError:
            continue  # another worker sent this one
        sent += 1
    return sent


def stage_of(audit_request: AuditRequest, *, working: bool, approved: bool) -> Stage:
    """The furthest stage a request reached (working: the organization has the asked
    questionnaire open; approved: the attestation that answered it was approved)."""
    if audit_request.state == RequestState.FULFILLED:
        return Stage.APPROVED if approved else Stage.SUBMITTED
    if audit_request.state == RequestState.ESCALATED:
        return Stage.ESCALATED
    if audit_request.is_overdue:
        return Stage.OVERDUE
    if working:
        return Stage.IN_PROGRESS
    return Stage.OPENED if audit_request.opened_at else Stage.ASKED


def stages(requests: list[AuditRequest]) -> dict:
    """Each request's stage, in two queries whatever the number of requests."""
    org_ids = {r.organization_id for r in requests if r.organization_id}
    working = set(
        Assessment.objects.filter(organization_id__in=org_ids, status__in=EDITABLE_STATUSES)
        .values_list("organization_id", "framework_slug")
        .distinct()
    )
    fulfilled_by = [r.fulfilled_by_id for r in requests if r.fulfilled_by_id]
    approved = set(
        Assessment.objects.filter(
            attestations__in=fulfilled_by, status=Status.APPROVED
        ).values_list("attestations", flat=True)
    )
    return {
        r.pk: stage_of(
            r,
            working=(r.organization_id, r.framework_version.slug) in working,
            approved=r.fulfilled_by_id in approved,
        )
        for r in requests
    }


def all_requests():
    return AuditRequest.objects.select_related("organization", "framework_version").defer(
        WHOLE_QUESTIONNAIRE
    )


def open_requests():
    return AuditRequest.objects.filter(state__in=OPEN_STATES)


def open_for(organization, *, framework_slug: str | None = None):
    """The platform's open requests to an organization (on one questionnaire, if named)."""
    found = open_requests().filter(organization=organization)
    if framework_slug:
        found = found.filter(framework_version__slug=framework_slug)
    return (
        found.select_related("framework_version", "product")
        .defer(WHOLE_QUESTIONNAIRE)
        .order_by("due_on")
    )


def overdue(requests=None):
    """Open requests past their due date (of those given, or of all)."""
    requests = AuditRequest.objects.all() if requests is None else requests
    return requests.filter(state=RequestState.OPEN, due_on__lt=timezone.localdate())


def history(requests: list[AuditRequest]) -> dict:
    """Each request's audit events, oldest first, in one query."""
    by_request: dict = {r.pk: [] for r in requests}
    if not requests:
        return by_request  # nothing asked: nothing to read
    events = AuditEvent.objects.filter(
        object_type=AuditRequest.__name__, object_id__in=[str(r.pk) for r in requests]
    )
    for event in events.order_by("id"):
        by_request[uuid.UUID(event.object_id)].append(event)
    return by_request


def recommendations_of(requests: list[AuditRequest]):
    """The enforcement recommendations made on these requests, oldest first, in one query."""
    return (
        EnforcementRecommendation.objects.filter(request__in=[r.pk for r in requests])
        .select_related("recommended_by")
        .order_by("created_at", "id")
    )
