"""Outgoing email: plain text and HTML from templates, always sent after commit."""

import logging
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format

from assessments.lifecycle import Audience, Transition
from assessments.models import Assessment, Membership, Role, User

log = logging.getLogger(__name__)


class Notice(StrEnum):
    """Notices that are not a lifecycle transition."""

    REVOKED = "revoked"
    EXPIRING = "expiring"
    POLICY_CHANGED = "policy_changed"
    PUBLIC_CLAIM_CHANGED = "public_claim_changed"
    PROBE_REGRESSED = "probe_regressed"
    PROMPT_REFERENCE_CHANGED = "prompt_reference_changed"
    AUDIT_REQUESTED = "audit_requested"
    AUDIT_REQUEST_DUE = "audit_request_due"


def _send(template: str, context: dict, recipients: list[str]) -> None:
    """Build and send one email. It runs after commit: the change it reports stands whatever
    happens here, so any failure (a template, a header, the mail server) is logged, never
    raised to the person whose action is already saved."""
    if not recipients:
        return
    try:
        context = {**context, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
        message = EmailMultiAlternatives(subject, text, to=recipients)
        message.attach_alternative(html, "text/html")
        message.send()
    except Exception:
        log.exception("Could not send the %r email to %d recipient(s)", template, len(recipients))


def send_invitation(invitation, token: str) -> None:
    link = settings.SITE_URL + reverse("invitation", args=[token])
    _send("invitation", {"invitation": invitation, "link": link}, [invitation.email])


def send_registration_link(email: str, full_name: str, token: str) -> None:
    link = settings.SITE_URL + reverse("signup_confirm", args=[token])
    _send("registration", {"full_name": full_name, "link": link, "known": False}, [email])


def send_already_registered(email: str) -> None:
    links = {
        "login": settings.SITE_URL + reverse("login"),
        "reset": settings.SITE_URL + reverse("password_reset"),
    }
    _send("registration", {"known": True, **links}, [email])


# What each notice says: (subject, summary). The templates print them and decide nothing.
NOTICES = {
    Transition.SUBMIT: (
        "Ready for your signature: {org}",
        "The assessment of {org} on {questionnaire} is complete and waits for a signatory to "
        "review and sign it.",
    ),
    Transition.RETURN_TO_DRAFT: (
        "Returned for changes before signing: {org}",
        "A signatory of {org} returned the assessment on {questionnaire} for changes before "
        "signing it.",
    ),
    Transition.SIGN: (
        "New submission: {org}",
        "{org} signed and submitted an attestation on {questionnaire}. It is waiting in the "
        "review queue.",
    ),
    Transition.REQUEST_CHANGES: (
        "Changes requested on your attestation",
        "The platform asked {org} for changes to its attestation on {questionnaire}.",
    ),
    Transition.APPROVE: (
        "Your attestation was approved",
        "The platform approved the attestation of {org} on {questionnaire}.",
    ),
    Transition.REJECT: (
        "Your attestation was rejected",
        "The platform rejected the attestation of {org} on {questionnaire}.",
    ),
    Notice.REVOKED: (
        "Your attestation was revoked",
        "The platform revoked an attestation of {org} on {questionnaire}. The public "
        "verification page now shows it as revoked.",
    ),
    Notice.EXPIRING: (
        "Your attestation expires soon",
        "The attestation of {org} on {questionnaire} expires on {expires}. Start a "
        "re-assessment in the portal: your previous answers are carried over for review.",
    ),
    Notice.PUBLIC_CLAIM_CHANGED: (
        "A public page behind your attestation changed: {org}",
        "The portal re-read a public page that the approved attestation of {org} on "
        "{questionnaire} points to, and it changed or is gone. The platform may ask for a new "
        "attestation.",
    ),
    Notice.PROBE_REGRESSED: (
        "A live product test now fails: {org}",
        "The platform's scheduled probe run on the test endpoint of {org} found a test that "
        "passed before failing now, while its attestation on {questionnaire} is in force. The "
        "transcripts are on the organization's live product tests page; the platform may ask "
        "for a new attestation.",
    ),
    Notice.PROMPT_REFERENCE_CHANGED: (
        "A new child-safety system prompt: {org}",
        "The platform published a new version of its child-safety system prompt. The system "
        "prompt in the attestation of {org} on {questionnaire} was compared with an older one; "
        "give your current prompt in a new assessment so that it is compared again. The "
        "platform may ask for a new attestation.",
    ),
    Notice.POLICY_CHANGED: (
        "Policy changed: re-attest by {due}",
        "The provider changed policy text that the attestation of {org} on {questionnaire} "
        "cites. The questions citing it must be answered and attested again by {due}; the "
        "other answers stand.",
    ),
    Notice.AUDIT_REQUESTED: (
        "The platform asks {org} for {asked} by {due}",
        "The platform's trust & safety team asks {org} for {asked} on {questionnaire} by {due}.",
    ),
    Notice.AUDIT_REQUEST_DUE: (
        "Reminder: {asked} is due by {due}",
        "The platform asked {org} for {asked} on {questionnaire}; it is due by {due} and has "
        "not been received yet.",
    ),
}

# Who in an organization each audience means.
AUDIENCE_ROLES = {
    Audience.SIGNATORIES: [Role.SIGNATORY],
    Audience.PREPARERS: [Role.PREPARER, Role.ADMIN],
    Audience.ORGANIZATION: list(Role),
}


def members_addresses(organization_id, audience: Audience) -> list[str]:
    return list(
        Membership.objects.filter(
            organization=organization_id,
            user__is_active=True,
            role__in=AUDIENCE_ROLES[audience],
        )
        .values_list("user__email", flat=True)
        .order_by("user__email")
    )


def recipients(assessment: Assessment, audience: Audience) -> list[str]:
    """Addresses of the people an audience means for this assessment."""
    if audience == Audience.REVIEWERS:
        assigned = assessment.assigned_reviewer
        reviewers = [assigned] if assigned and assigned.is_active else None
        if reviewers is None:
            reviewers = User.objects.filter(is_reviewer=True, is_active=True)
        return sorted(r.email for r in reviewers)
    return members_addresses(assessment.organization_id, audience)


def send_notice(
    assessment: Assessment,
    notice,
    audience: Audience,
    *,
    note: str = "",
    expires_at=None,
    due_on=None,
) -> None:
    subject, summary = NOTICES[notice]
    words = {
        "org": assessment.organization.legal_name,
        "questionnaire": str(assessment.framework_version),
        "expires": date_format(expires_at, "j F Y") if expires_at else "",
        "due": date_format(due_on, "j F Y") if due_on else "",
    }
    page = "review_assessment" if audience == Audience.REVIEWERS else "assessment"
    context = {
        "subject": subject.format(**words),
        "summary": summary.format(**words),
        "note": note,
        "url": settings.SITE_URL + reverse(page, args=[assessment.pk]),
    }
    _send("status_change", context, recipients(assessment, audience))


def send_request_notice(audit_request, notice: Notice) -> None:
    """Tell an organization's admins and preparers what the platform asks of them; an invited
    organization without an account is sent its registration link instead (see
    send_request_invitation)."""
    subject, summary = NOTICES[notice]
    words = {
        "org": audit_request.organization.legal_name,
        "asked": audit_request.asked_for.lower(),
        "questionnaire": str(audit_request.framework_version),
        "due": date_format(audit_request.due_on, "j F Y"),
    }
    context = {
        "subject": subject.format(**words),
        "summary": summary.format(**words),
        "note": audit_request.reason,
        "url": settings.SITE_URL + reverse("audit_request", args=[audit_request.pk]),
    }
    addresses = members_addresses(audit_request.organization_id, Audience.PREPARERS)
    _send("status_change", context, addresses)


def send_request_invitation(audit_request, token: str) -> None:
    link = settings.SITE_URL + reverse("audit_request_invitation", args=[token])
    _send(
        "audit_invitation",
        {"audit_request": audit_request, "link": link},
        [audit_request.invited_email],
    )


def send_transition(assessment: Assessment, rule, *, note: str = "") -> None:
    """The hand-off a lifecycle rule names: tell the next person, once, after commit."""
    send_notice(assessment, rule.transition, rule.notifies, note=note)
