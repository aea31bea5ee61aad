"""Loading a new text of a policy document, and what it sets in motion.

The sections whose hash changed (or that are gone) are the policy change. Every attestation
still in force whose questions cite one of them is flagged for the reviewers, and the
organization is told which questions to attest again and by when: re-attestation triggered
by the event, not by the calendar.
"""

import datetime
import json
from dataclasses import dataclass, field
from itertools import pairwise

from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone

from accounts import permissions
from accounts.actors import Actor
from assessments.emails import Notice, send_notice
from assessments.lifecycle import Audience
from assessments.models import (
    Attestation,
    AuditAction,
    EventType,
    FrameworkVersion,
    PolicyChangeFlag,
    PolicyDocumentVersion,
)
from attestations import audit
from attestations.attestation_status import PublicStatus, status_of
from integrations import webhooks
from questionnaires import coverage
from questionnaires.frameworks.schema import Framework
from questionnaires.policy_sources import (
    Change,
    SectionChange,
    SourceRecord,
    bundled_records,
    citing,
    compare,
)

RE_ATTEST_WITHIN = datetime.timedelta(days=90)
# Attestations a policy change makes stale: those in force (valid) and those the platform may
# still approve (awaiting or in review).
FLAGGED_STATUSES = (PublicStatus.VALID, PublicStatus.AWAITING_REVIEW, PublicStatus.IN_REVIEW)


class PolicyTextError(Exception):
    """A text that cannot be loaded; the message says why."""


@dataclass
class Loaded:
    document: PolicyDocumentVersion
    created: bool
    changes: list[SectionChange] = field(default_factory=list)
    flags: list[PolicyChangeFlag] = field(default_factory=list)


def record_of(document: PolicyDocumentVersion) -> SourceRecord:
    return SourceRecord.model_validate(
        {
            "id": document.source_id,
            "title": document.title,
            "publisher": document.publisher,
            "url": document.url,
            "effective": document.effective,
            "sections": document.sections,
        }
    )


def latest(source_id: str) -> PolicyDocumentVersion | None:
    return PolicyDocumentVersion.objects.filter(source_id=source_id).order_by("-effective").first()


def current_frameworks() -> list[Framework]:
    """The newest version of every questionnaire: what a changed section is shown against."""
    newest: dict[str, FrameworkVersion] = {}
    for version in FrameworkVersion.objects.order_by("slug", "-published_on", "-loaded_at"):
        newest.setdefault(version.slug, version)
    return [v.framework for v in newest.values()]


def do_load_policy_text(record: SourceRecord, *, actor: Actor) -> Loaded:
    """Store a new text of a source document, flag what its changes touch, audit it all.
    A new text flags organizations' attestations: the platform's to load, whoever calls."""
    permissions.require_platform(actor.user)
    sections = [s.model_dump(mode="json", exclude_defaults=True) for s in record.sections]
    with transaction.atomic():
        previous = latest(record.id)
        same_day = PolicyDocumentVersion.objects.filter(
            source_id=record.id, effective=record.effective
        ).first()
        if same_day is not None:
            if same_day.sections != sections:
                raise PolicyTextError(
                    f"A text of {record.title} effective {record.effective} is already loaded "
                    "with other content. Give the new text its own effective date."
                )
            return Loaded(same_day, created=False)
        if previous is not None and previous.effective > record.effective:
            raise PolicyTextError(
                f"A newer text of {record.title} (effective {previous.effective}) is loaded "
                "already; an older one cannot follow it."
            )
        document = PolicyDocumentVersion.objects.create(
            source_id=record.id,
            title=record.title,
            publisher=record.publisher,
            url=record.url,
            effective=record.effective,
            sections=sections,
        )
        changes = compare(record_of(previous), record) if previous else []
        audit.record(
            actor=actor,
            action=AuditAction.POLICY_TEXT_LOADED,
            obj=document,
            details={
                "source": record.id,
                "effective": record.effective.isoformat(),
                "changes": {c.heading: c.change for c in changes if c.change != Change.UNCHANGED},
            },
        )
        flags = _flag_attestations(document, changes, actor)
    return Loaded(document, created=True, changes=changes, flags=flags)


def load_bundled(*, actor: Actor) -> list[Loaded]:
    """The records kept in the repository, oldest first; loading them again changes nothing."""
    records = sorted(bundled_records(), key=lambda r: (r.id, r.effective))
    return [do_load_policy_text(record, actor=actor) for record in records]


def stale_citations(
    framework: Framework, source_id: str, moved: set[str], document: PolicyDocumentVersion
) -> dict[str, set[str]]:
    """Each question citing a moved section, with those sections, unless the question already
    pinned the new text (a questionnaire written after the change)."""
    now = {s["heading"]: s.get("sha256") for s in document.sections}
    stale: dict[str, set[str]] = {}
    for question in framework.questions.values():
        sections = {
            c.section
            for c in question.citations
            if c.source == source_id and c.section in moved and c.sha256 != now.get(c.section, "")
        }
        if sections:
            stale[question.id] = sections
    return stale


def _flag_attestations(
    document: PolicyDocumentVersion,
    changes: list[SectionChange],
    actor: Actor,
) -> list[PolicyChangeFlag]:
    moved = {c.heading for c in changes if c.change in (Change.CHANGED, Change.REMOVED)}
    if not moved:
        return []
    now = timezone.now()
    due_on = (now + RE_ATTEST_WITHIN).date()
    live = Attestation.objects.filter(revoked_at__isnull=True, expires_at__gt=now).select_related(
        "assessment__framework_version", "assessment__organization"
    )
    flags = []
    by_version: dict[int, dict[str, set[str]]] = {}  # per questionnaire version, worked out once
    for attestation in live:
        version = attestation.assessment.framework_version
        if version.pk not in by_version:
            by_version[version.pk] = stale_citations(
                version.framework, document.source_id, moved, document
            )
        attested = attested_questions(attestation)
        stale = {q: sections for q, sections in by_version[version.pk].items() if q in attested}
        if not stale or status_of(attestation, at=now).status not in FLAGGED_STATUSES:
            continue
        questions = list(stale)
        cited = sorted(set().union(*stale.values()))
        flag = PolicyChangeFlag.objects.create(
            attestation=attestation,
            document=document,
            sections=cited,
            question_ids=questions,
            due_on=due_on,
        )
        audit.record_on(
            attestation.assessment,
            actor=actor,
            action=AuditAction.POLICY_CHANGE_FLAGGED,
            obj=flag,
            details={
                "attestation": attestation.number,
                "source": document.source_id,
                "sections": cited,
                "questions": questions,
                "due_on": due_on.isoformat(),
            },
        )
        webhooks.emit(
            EventType.POLICY_CHANGED,
            attestation.assessment,
            attestation_id=attestation.pk,
            due_on=due_on.isoformat(),
        )
        transaction.on_commit(lambda flag=flag: _tell(flag))
        flags.append(flag)
    return flags


def attested_questions(attestation: Attestation) -> set[str]:
    """The questions the attestation answered: those its scope showed."""
    snapshot = json.loads(attestation.snapshot_json)
    return {q["id"] for s in snapshot["sections"] for q in s["questions"]}


def _tell(flag: PolicyChangeFlag) -> None:
    assessment = flag.attestation.assessment
    note = (
        f"{flag.document.title} changed ({', '.join(flag.sections)}). "
        f"Questions to attest again: {', '.join(flag.question_ids)}."
    )
    for audience in (Audience.ORGANIZATION, Audience.REVIEWERS):
        send_notice(assessment, Notice.POLICY_CHANGED, audience, note=note, due_on=flag.due_on)


@dataclass(frozen=True)
class SourcePage:
    """What the sources page shows of one document: its newest text, each section with the
    questions citing it, and what every earlier text changed."""

    document: PolicyDocumentVersion
    cited: list[tuple[dict, list[str]]]
    uncited: list[dict]
    history: list[tuple[PolicyDocumentVersion, list[SectionChange]]]
    # Each section's clauses, with the questions that cover each or why none does.
    clauses: dict[str, list[coverage.Row]]


def source_page(source_id: str) -> SourcePage | None:
    versions = list(PolicyDocumentVersion.objects.filter(source_id=source_id).order_by("effective"))
    if not versions:
        return None
    frameworks = current_frameworks()
    newest = versions[-1]
    sections = [
        (s, sorted({q for f in frameworks for q in citing(f, source_id, s["heading"])}))
        for s in newest.sections
    ]
    history = [
        (
            later,
            [
                c
                for c in compare(record_of(earlier), record_of(later))
                if c.change != Change.UNCHANGED
            ],
        )
        for earlier, later in pairwise(versions)
    ]
    cited = [(section, questions) for section, questions in sections if questions]
    uncited = [section for section, questions in sections if not questions]
    rows = tuple(r for f in frameworks for r in coverage.rows_for(f.slug, f.version))
    return SourcePage(
        newest, cited, uncited, list(reversed(history)), coverage.by_section(rows, source_id)
    )


def moved(changes: list[SectionChange]) -> list[SectionChange]:
    return [c for c in changes if c.change != Change.UNCHANGED]


def policy_flags_for(assessment) -> list[tuple[PolicyChangeFlag, list[str]]]:
    """Each flag on the assessment's attestations, with the texts of the questions it re-opens."""
    questions = assessment.framework_version.framework.questions
    # The attestation's number only: its snapshot (a whole questionnaire) is not read. The
    # documents come in a second read only when there are flags (most assessments have none).
    flags = list(
        PolicyChangeFlag.objects.filter(attestation__assessment=assessment).annotate(
            attestation_number=F("attestation__number")
        )
    )
    prefetch_related_objects(flags, "document")
    return [(flag, [questions[q].text for q in flag.question_ids]) for flag in flags]
