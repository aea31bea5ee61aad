"""The review page of one assessment: its answers section by section with their evidence,
verdicts, comments and live tests, the scores and gaps, and the decision panel. Rows are
drawn through the content-keyed cache (views/fragments.py); their controls post through forms
drawn beside them (views/row_controls.py)."""

from enum import StrEnum

from django.contrib.auth.decorators import login_required
from django.db.models import F, prefetch_related_objects
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts.permissions import Need
from assessments import answers, approval, evidence, lifecycle
from assessments.forms.review import AcceptRestForm, AssignForm, ChangeRequestForm, DecisionForm
from assessments.lifecycle import Transition
from assessments.models import Attestation, AuditEvent, PublicClaimFlag
from assessments.views import fragments, row_controls
from attestations.attestation import snapshot_changes
from integrations import probes, public_claims
from platform_audits import platform_requests, violation_figures
from questionnaires import regimes
from questionnaires.answer_display import display_value
from questionnaires.frameworks.schema import QuestionType
from questionnaires.policy_changes import policy_flags_for
from questionnaires.scoring import GAP_STATUSES, score
from review import verdicts
from review.comments import comments_of
from review.queue import reviewers


class Show(StrEnum):
    """The review page's question filters, kept in the URL."""

    ALL = "all"
    GAPS = "gaps"
    CHANGED = "changed"
    PENDING = "pending"


SHOW_LABELS = {
    Show.ALL: "All questions",
    Show.GAPS: "Gaps only",
    Show.CHANGED: "Changed since the previous submission",
    Show.PENDING: "Needing my verdict",
}


def _shown(sections, show: Show, *, changed: set[str], decided: set[str], backing: set[str]):
    """Per section, the question results the chosen filter keeps (sections left empty go).
    A question that only collects evidence for others (``backing``) has no row: its items
    are judged beside each claim they back."""
    keep = {
        Show.ALL: lambda r: True,
        Show.GAPS: lambda r: r.status in GAP_STATUSES,
        Show.CHANGED: lambda r: r.question.id in changed,
        Show.PENDING: lambda r: r.question.id not in decided,
    }[show]
    kept = [
        (s, [r for r in s.questions if keep(r) and not _only_backs(r, backing)]) for s in sections
    ]
    return [(s, rows) for s, rows in kept if rows]


def _only_backs(r, backing: set[str]) -> bool:
    return r.question.type == QuestionType.EVIDENCE and r.question.id in backing


ALL_SECTIONS = "all"


def _section_shown(request, shown, show: Show) -> str:
    """Which section the answers list shows: every question of a questionnaire is a page of
    some three thousand elements, so "all questions" opens on one section at a time; the
    narrower filters show every section. ``?section=all`` shows everything."""
    wanted = request.GET.get("section")
    ids = [s.section.id for s, _ in shown]
    if wanted == ALL_SECTIONS or (wanted is None and show != Show.ALL) or not ids:
        return ALL_SECTIONS
    return wanted if wanted in ids else ids[0]


def _question_rows(
    shown,
    assessment,
    *,
    responses,
    display,
    evidence_of,
    verdicts_of,
    claims,
    comments,
    probed,
    through,
    law_of,
    core,
    comment_url: str,
    judging: bool,
):
    """What the review page shows for each question, looked up once here rather than by the
    template per row (a questionnaire has around a hundred); a judging reviewer's controls
    with each question, its evidence and its live tests."""
    verdict_url = reverse("question_verdict", args=[assessment.pk, "-"])[:-2]

    def items(qid: str, shown_in: str) -> list[tuple]:
        """The items given under ``qid``, each with its reason box when judging, in the row
        of ``shown_in`` (a claim shows the items behind it)."""
        return [
            (item, row_controls.evidence_reason(shown_in, item.pk) if judging else None)
            for item in evidence_of.get(qid, [])
        ]

    def live_tests(qid: str) -> list[tuple]:
        """The transcripts backing the question, each with its reason box when judging."""
        return [
            (
                probe,
                row_controls.transcript_reason(qid, probe["run"].pk, probe["probe"])
                if judging
                else None,
            )
            for probe in probed.get(qid, [])
        ]

    return [
        (
            section,
            [
                {
                    "result": r,
                    "id": r.question.id,
                    "response": responses.get(r.question.id),
                    "shown": display.get(r.question.id),
                    "verdict": verdicts_of.get(r.question.id),
                    "capture": claims.get(r.question.id),
                    "evidence": items(r.question.id, r.question.id),
                    # the items behind the claim, judged here beside it
                    "backing": [
                        (backing, item, reason)
                        for backing in r.question.evidenced_by
                        for item, reason in items(backing, r.question.id)
                    ],
                    "comments": comments.get(r.question.id, []),
                    "comment_box": row_controls.comment(r.question.id, action=comment_url),
                    "probes": live_tests(r.question.id),  # the live product's answers
                    # an evidence question's items are judged one by one, not as an answer
                    "verdict_controls": row_controls.verdict(
                        r.question.id,
                        verdicts_of.get(r.question.id),
                        action=f"{verdict_url}{r.question.id}/",
                    )
                    if judging and r.question.type != QuestionType.EVIDENCE
                    else None,
                    "through": through.get(r.question.id),  # the core question answering
                    # the questionnaire citing the sources: the core one, or a law's
                    "framework": law_of.get(r.question.id, core),
                }
                for r in rows
            ],
        )
        for section, rows in shown
    ]


def _forms(general: row_controls.Controls, sections: list[tuple]) -> list[row_controls.Controls]:
    """Every form the page's controls post through (HTML's form attribute), drawn with the
    page's CSRF token beside the cached rows: one for each set of controls."""
    return [
        general,
        *(
            controls
            for _, rows in sections
            for row in rows
            for controls in (
                row["comment_box"],
                row["verdict_controls"],
                *(reason for _, reason in row["evidence"]),
                *(reason for _, _, reason in row["backing"]),
                *(reason for _, reason in row["probes"]),
            )
            if controls is not None
        ),
    ]


def _drawn(sections: list[tuple], *, judging: bool) -> list[tuple]:
    """Each row with its HTML (``html``), drawn from the cache where it was drawn before."""
    rows = [row for _, section_rows in sections for row in section_rows]
    contexts = [{"row": row, "judging": judging} for row in rows]
    drawn = fragments.render_each("review/_question_row.html", contexts)
    for row, html in zip(rows, drawn, strict=True):
        row["html"] = html
    return sections


@login_required
@require_GET
def review_assessment(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.REVIEW)
    framework = assessment.framework_version.framework
    questions = framework.questions
    recent = list(
        assessment.attestations.select_related("signed_by")
        .defer("snapshot_json")  # a whole questionnaire: read only to compare two (below)
        .order_by("-number")[:2]
    )
    latest = recent[0] if recent else None
    items = evidence.with_verdicts(
        assessment, end=evidence.attestation_end(assessment, latest=latest)
    )
    current = verdicts.current_question_verdicts(latest)
    responses, _ = answers.responses_and_revisions(
        assessment, items, verdicts={q: v.verdict for q, v in current.items()}
    )
    previous = recent[1] if len(recent) > 1 else None
    comments: dict[str, list] = {}
    for note in comments_of(assessment):
        comments.setdefault(note.question_id, []).append(note)
    changes = _changes_between(previous, latest) if previous else None
    result = score(framework, responses)
    checked = approval.weigh(result, items, framework.deciding)
    regime_results = regimes.results_for(
        framework, result, responses, regimes.choices_of(assessment)
    )
    # The laws' questions are reviewed like the questionnaire's, after them.
    law_of = {q: o.regime.framework for o in regime_results for q in o.regime.framework.questions}
    questions = questions | {qid: law.questions[qid] for qid, law in law_of.items()}
    # The questionnaire's question whose answer answers a law's, by its text.
    through = {
        qid: found.question.text for o in regime_results for qid, (_, found) in o.through.items()
    }
    try:
        show = Show(request.GET.get("show") or Show.ALL)
    except ValueError:
        show = Show.ALL
    decidable = lifecycle.may(request.user, assessment, Transition.APPROVE)
    display = {
        qid: display_value(questions[qid], r) for qid, r in responses.items() if qid in questions
    }
    shown = _shown(
        result.sections + regimes.law_sections(regime_results),
        show,
        changed={c["id"] for c in changes or []},
        decided=set(current),
        backing={b for q in questions.values() for b in q.evidenced_by},
    )
    section = _section_shown(request, shown, show)
    sections = [(s.section, len(rows), s.section.id == section) for s, rows in shown]
    visible = [(s, rows) for s, rows in shown if section in (ALL_SECTIONS, s.section.id)]
    assign_form = AssignForm(
        initial={"reviewer": assessment.assigned_reviewer_id or ""}, reviewers=reviewers()
    )
    comment_url = reverse("add_comment", args=[assessment.pk])
    general_box = row_controls.comment("", action=comment_url)
    shown_rows = _drawn(
        _question_rows(
            visible,
            assessment,
            responses=responses,
            display=display,
            evidence_of=evidence.by_question(items),
            verdicts_of=current,
            claims=public_claims.latest_captures(
                assessment,
                [r.question.id for _, rows in visible for r in rows if r.question.public_claim],
            ),
            comments=comments,
            probed=probes.latest_by_question(assessment.organization_id),
            through=through,
            law_of=law_of,
            core=framework,
            comment_url=comment_url,
            judging=decidable,
        ),
        judging=decidable,
    )
    return render(
        request,
        "review/assessment.html",
        {
            "assessment": assessment,
            "result": result,
            "verified": (
                result.verified_score,
                result.verified_tier,
                "verified so far: a claim counts in full once a reviewer accepted it and its "
                "evidence, half while either waits for a verdict, nothing when turned down",
            ),
            "regime_results": regime_results,
            "shown": shown_rows,
            "forms": _forms(general_box, shown_rows),
            "show": show,
            "sections": sections,
            "all_sections": section == ALL_SECTIONS,
            "filters": [(value, label, value == show) for value, label in SHOW_LABELS.items()],
            "judging": decidable,
            "here": request.get_full_path(),
            "attestation": latest,
            "policy_flags": policy_flags_for(assessment),
            "claim_flags": _claim_flags(assessment),
            "changes": changes,
            "previous": previous,
            "general_comments": comments.get("", []),
            "general_comment_box": general_box,
            **_drawn_controls(),
            "checked": checked,
            "proposal": latest.approval_proposals.select_related("reviewer").first()
            if latest and decidable
            else None,
            "change_notes": verdicts.change_notes(assessment, current),
            "assign_form": assign_form,
            # From the reviewers just listed; one who has left is read on its own.
            "assigned_reviewer": assign_form.reviewers.get(str(assessment.assigned_reviewer_id))
            or assessment.assigned_reviewer,
            "events": AuditEvent.objects.filter(assessment_id=assessment.pk).order_by("-id")[
                :LATEST_EVENTS
            ],
            "decidable": decidable,
            "platform_requests": _requests_with_history(assessment.organization),
            "figures": violation_figures.rows(assessment.organization, months=FIGURE_MONTHS),
            "figure_threshold": violation_figures.threshold(),
            "can_start_review": lifecycle.may(request.user, assessment, Transition.START_REVIEW),
        },
    )


def _drawn_controls() -> dict:
    """The decision panel's fields, drawn once and kept (they are the same on every visit)."""
    decision = list(DecisionForm())
    *decision_fields, accept_rest_note, change_message = fragments.drawn_fields(
        *decision, AcceptRestForm()["note"], ChangeRequestForm()["message"]
    )
    return {
        "decision_fields": decision_fields,
        "accept_rest_note": accept_rest_note,
        "change_message": change_message,
    }


LATEST_EVENTS = 5  # the rest are on the audit trail page
FIGURE_MONTHS = 12
LATEST_REQUESTS = 5


def _changes_between(previous: Attestation, latest: Attestation) -> list[dict]:
    """What changed from one submission to the next, from their snapshots read together."""
    snapshots = dict(
        Attestation.objects.filter(pk__in=[previous.pk, latest.pk]).values_list(
            "pk", "snapshot_json"
        )
    )
    return snapshot_changes(snapshots[previous.pk], snapshots[latest.pk])


def _claim_flags(assessment) -> list[PublicClaimFlag]:
    """Public claims that changed after approval, with their captures read in one more query
    only when there are any (most assessments have none)."""
    flags = list(
        PublicClaimFlag.objects.filter(attestation__assessment=assessment).annotate(
            attestation_number=F("attestation__number")
        )
    )
    prefetch_related_objects(flags, "capture")
    return flags


def _requests_with_history(organization) -> list[tuple]:
    requests = list(organization.audit_requests.order_by("-created_at")[:LATEST_REQUESTS])
    history = platform_requests.history(requests)
    return [(r, history[r.pk]) for r in requests]
