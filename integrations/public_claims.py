"""Public claims the portal checks itself: the pages an organization points to (its statement of
compliance, its AI disclosure, its terms) are read when the assessment is submitted and again
on a schedule, never inside a person's request.

A reading keeps the final address, the answer, the SHA-256 of the body, the readable text
(bounded) and which of the expected mentions it has. After approval, a page that disappears,
or whose words change (not merely a date or a script), flags the attestation; the organization
and the reviewers are told, and webhooks carry the event.
"""

import hashlib
import logging
import re
from collections.abc import Collection
from datetime import timedelta
from html.parser import HTMLParser

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.tasks import task
from django.utils import timezone

from assessments import emails
from assessments.models import (
    Assessment,
    Attestation,
    AuditAction,
    CaptureReason,
    ClaimCapture,
    ClaimChange,
    EventType,
    PublicClaimFlag,
)
from attestations.attestation_status import PublicStatus, status_of
from integrations import attestation_flags, outbound
from questionnaires.frameworks.schema import Mention, Question
from questionnaires.scoring import visible_question_ids

log = logging.getLogger(__name__)
TEXT_KEPT = 100_000  # characters of readable text kept per reading
RECHECK_EVERY = timedelta(days=1)


class _Text(HTMLParser):
    """The words a person reads on the page: no scripts, styles or markup."""

    SKIP = {"script", "style", "noscript", "template", "svg"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIP

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def readable_text(body: bytes, content_type: str) -> str:
    raw = body.decode("utf-8", errors="replace")
    if "html" in content_type or raw.lstrip()[:1] == "<":
        parser = _Text()
        parser.feed(raw)
        raw = " ".join(parser.parts)
    return re.sub(r"\s+", " ", raw).strip()


# Words of dates: a page that only says "updated 1 December" instead of "1 November" has not
# changed its claim.
DATE_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}  # fmt: skip


def fingerprint(text: str) -> str:
    """What counts as the page's content: its words in order, without numbers and date words
    (dates, counters and version stamps change without the claim changing)."""
    words = [
        w
        for w in re.findall(r"\w+", text.lower())
        if not any(c.isdigit() for c in w) and w not in DATE_WORDS
    ]
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def mentions(text: str, wanted: list[Mention]) -> tuple[list[str], list[str]]:
    found, missing = [], []
    for mention in wanted:
        hit = any(
            re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, flags=re.IGNORECASE)
            for term in mention.any_of
        )
        (found if hit else missing).append(mention.label)
    return found, missing


def claims_of(assessment: Assessment) -> list[tuple[Question, str, list[Mention]]]:
    """The public claims the assessment makes: shown URL questions that are claims, answered,
    each with the mentions its scope answers call for."""
    from assessments.answers import responses_for

    framework = assessment.framework_version.framework
    responses = responses_for(assessment)
    visible = visible_question_ids(framework, responses)

    def value_of(question_id):
        response = responses.get(question_id)
        return response.value if response and question_id in visible else None

    found = []
    for question in framework.questions.values():
        url = value_of(question.id)
        if question.public_claim and url:
            wanted = [
                m
                for m in question.public_claim.mentions
                if m.when is None or m.when.holds(value_of)
            ]
            found.append((question, url, wanted))
    return found


def read(assessment: Assessment, question: Question, url: str, wanted, reason) -> ClaimCapture:
    capture = ClaimCapture(assessment=assessment, question_id=question.id, url=url, reason=reason)
    try:
        answer = outbound.get(url)
    except outbound.Refused as exc:
        capture.error = str(exc)[:500]
    else:
        capture.final_url = answer.url[:500]
        capture.status_code = answer.status
        capture.sha256 = hashlib.sha256(answer.body).hexdigest()
        text = readable_text(answer.body, answer.content_type)
        capture.text = text[:TEXT_KEPT]
        capture.fingerprint = fingerprint(text)
        capture.found, capture.missing = mentions(text, wanted)
    capture.save()
    return capture


def schedule(assessment_id: str, reason: CaptureReason) -> None:
    if settings.PUBLIC_CLAIMS_CHECKED:
        check_public_claims.enqueue(assessment_id, reason)


@task
def check_public_claims(assessment_id: str, reason: str) -> int:
    """Read every public claim of the assessment; on a re-check, flag what changed."""
    assessment = Assessment.objects.select_related("framework_version").get(pk=assessment_id)
    read_now = 0
    for question, url, wanted in claims_of(assessment):
        before = (
            ClaimCapture.objects.filter(assessment=assessment, question_id=question.id, url=url)
            .order_by("-fetched_at")
            .first()
        )
        capture = read(assessment, question, url, wanted, reason)
        read_now += 1
        if reason == CaptureReason.RECHECK and before is not None and before.reachable:
            change = _change(before, capture)
            if change is not None:
                _flag(assessment, question, capture, change)
    return read_now


def _change(before: ClaimCapture, now: ClaimCapture) -> ClaimChange | None:
    if not now.reachable:
        return ClaimChange.GONE
    if now.fingerprint != before.fingerprint:
        return ClaimChange.CHANGED
    return None


def _flag(assessment, question: Question, capture: ClaimCapture, change: ClaimChange) -> None:
    attestation = assessment.attestations.order_by("-number").first()
    if attestation is None or status_of(attestation).status != PublicStatus.VALID:
        return
    with transaction.atomic():
        flag = PublicClaimFlag.objects.create(
            attestation=attestation, question_id=question.id, change=change, capture=capture
        )
        note = f"{question.public_claim.what} at {capture.url}: {change.label.lower()}."
        attestation_flags.raise_flag(
            attestation,
            action=AuditAction.PUBLIC_CLAIM_CHANGED,
            obj=flag,
            details={"question_id": question.id, "url": capture.url, "change": change},
            event=EventType.PUBLIC_CLAIM_CHANGED,
            notice=emails.Notice.PUBLIC_CLAIM_CHANGED,
            note=note,
            question_id=question.id,
            change=change.value,
        )


def recheck_due() -> int:
    """Queue a re-check of the claims of every approved assessment not read for a day (the
    scheduler calls this each round; a page is read about once a day)."""
    now = timezone.now()
    in_force = Attestation.objects.in_force(now).values("assessment_id")
    approved = (
        Assessment.objects.filter(pk__in=in_force)
        .annotate(last_read=Max("claim_captures__fetched_at"))
        .filter(Q(last_read__isnull=True) | Q(last_read__lt=now - RECHECK_EVERY))
    )
    ids = list(approved.values_list("pk", flat=True))
    for assessment_id in ids:
        schedule(str(assessment_id), CaptureReason.RECHECK)
    return len(ids)


def latest_captures(assessment: Assessment, questions: Collection[str]) -> dict[str, ClaimCapture]:
    """The latest capture of each of these questions' pages; nothing is read when none of
    them is a public claim (a review page shows one section, most without one)."""
    if not questions:
        return {}
    latest: dict[str, ClaimCapture] = {}
    captures = assessment.claim_captures.filter(question_id__in=questions)
    for capture in captures.order_by("-fetched_at"):
        latest.setdefault(capture.question_id, capture)
    return latest


def under_recheck(attestation) -> bool:
    """Whether the verification page says "public claim under re-check" (the platform's
    choice: PUBLIC_CLAIM_FLAGS_SHOWN), for an attestation with an open flag."""
    return settings.PUBLIC_CLAIM_FLAGS_SHOWN and attestation.claim_flags.exists()
