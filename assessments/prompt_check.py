"""The prompt a product runs with, compared with the child-safety system prompt the platform
publishes: contained exactly, altered (with the differences), or absent, and whether it comes
before the product's own instructions. Evidence of its own standing beside the item the
preparer gave; the reviewer judges the item as any evidence, the comparison decides nothing.
"""

import difflib
import hashlib
import re
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from assessments import emails
from assessments.models import (
    EDITABLE_STATUSES,
    Attestation,
    AuditAction,
    EventType,
    Evidence,
    PromptComparison,
    PromptMatch,
    ReferencePrompt,
)
from integrations import attestation_flags

# The questions whose evidence is the system prompt in use.
PROMPT_QUESTIONS = frozenset({"prompt.evidence"})
# At least this share of the platform's lines found, in order, for "altered" over "absent".
ALTERED_AT_LEAST = 0.6
BUNDLED_DIR = Path(__file__).resolve().parent.parent / "questionnaires" / "frameworks" / "prompts"
BUNDLED_VERSION = "2026.1"  # the text shipped in BUNDLED_DIR, for the demo and a new install
MAX_CHARS = 200_000  # a system prompt is a few pages; beyond it, not compared


def _lines(text: str) -> list[str]:
    """Non-empty lines with their spaces collapsed: line breaks and indentation are not
    changes to the prompt's words."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def compare(deployed: str, reference: str) -> tuple[PromptMatch, bool | None, str]:
    """(match, placed first, differences) of a deployed prompt against the platform's."""
    ours, theirs = _lines(deployed), _lines(reference)
    flat_ours, flat_theirs = " ".join(ours), " ".join(theirs)
    if flat_theirs and flat_theirs in flat_ours:
        return PromptMatch.EXACT, flat_ours.startswith(flat_theirs), ""
    matcher = difflib.SequenceMatcher(a=theirs, b=ours, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    found = sum(b.size for b in blocks)
    if not theirs or found / len(theirs) < ALTERED_AT_LEAST:
        return PromptMatch.ABSENT, None, ""
    start, end = blocks[0].b, blocks[-1].b + blocks[-1].size
    diff = difflib.unified_diff(theirs, ours[start:end], lineterm="", n=1)
    changed = [line for line in diff if not line.startswith(("---", "+++", "@@"))]
    return PromptMatch.ALTERED, start == 0, "\n".join(changed)


def latest_reference() -> ReferencePrompt | None:
    return ReferencePrompt.objects.first()


def publish_reference(version: str, text: str) -> tuple[ReferencePrompt, bool]:
    """A new version of the platform's prompt, and whether it is new; the same text again
    under its version is a no-op, other text under a published version is refused."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    existing = ReferencePrompt.objects.filter(version=version).first()
    if existing is not None:
        if existing.sha256 != digest:
            raise ValueError(f"Version {version} is already published with other text.")
        return existing, False
    return ReferencePrompt.objects.create(version=version, text=text, sha256=digest), True


def _readable(item: Evidence) -> str | None:
    if not item.file or not item.content_type.startswith("text/") or item.size > MAX_CHARS:
        return None
    with item.file.open("rb") as stored:
        raw = stored.read(MAX_CHARS + 1)
    return re.sub(r"\r\n?", "\n", raw.decode("utf-8", errors="replace"))


def check(item: Evidence, reference: ReferencePrompt | None = None) -> PromptComparison | None:
    """Compare a prompt given as evidence with the latest published version (again when one
    was published since; ``reference``: that version, when the caller has read it); nothing
    for other questions, links, or files that are not text."""
    reference = reference or latest_reference()
    if item.question_id not in PROMPT_QUESTIONS or reference is None:
        return None
    text = _readable(item)
    if text is None:
        return None
    match, placed_first, differences = compare(text, reference.text)
    with transaction.atomic():
        PromptComparison.objects.filter(evidence=item).delete()
        return PromptComparison.objects.create(
            evidence=item,
            reference=reference,
            match=match,
            placed_first=placed_first,
            differences=differences,
        )


def compare_again() -> int:
    """After a new version is published: compare again the prompts of the assessments still
    being answered (the others keep what was compared when they were signed). How many."""
    items = Evidence.objects.filter(
        question_id__in=PROMPT_QUESTIONS, assessment__status__in=EDITABLE_STATUSES
    )
    reference = latest_reference()
    return sum(check(item, reference) is not None for item in items)


def flag_older_comparisons() -> list[Attestation]:
    """After a new version: each attestation in force whose prompt was compared with an older
    one is flagged, as a changed public claim is (audit trail, webhook, emails)."""
    older = attestations_on_older_versions()
    latest = latest_reference()
    for attestation in older:
        with transaction.atomic():
            attestation_flags.raise_flag(
                attestation,
                action=AuditAction.PROMPT_REFERENCE_CHANGED,
                obj=attestation,
                details={"version": latest.version},
                event=EventType.PROMPT_REFERENCE_CHANGED,
                notice=emails.Notice.PROMPT_REFERENCE_CHANGED,
                version=latest.version,
            )
    return older


def attestations_on_older_versions() -> list[Attestation]:
    """Attestations in force whose prompt was compared with a version older than the latest:
    the platform may ask those organizations to compare their prompt again."""
    latest = latest_reference()
    if latest is None:
        return []
    older = PromptComparison.objects.exclude(reference=latest)
    assessments = older.values("evidence__assessment_id")
    return list(
        Attestation.objects.in_force(timezone.now())
        .filter(assessment_id__in=assessments)
        .select_related("assessment__organization")
    )
