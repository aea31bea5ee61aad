"""Answering: an assessment's overview, its section pages (with evidence), autosave as
people type, evidence downloads and removal, and the summary confirmed before submitting."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments import answers, evidence, lifecycle, workflow
from assessments.answers import response_of
from assessments.carryover import question_changes
from assessments.errors import IllegalTransition
from assessments.forms.questionnaire import SectionForm, SubmitForm, revision_name
from assessments.forms.review import OrganizationCommentForm
from assessments.lifecycle import Transition
from assessments.models import Status
from assessments.templatetags.portal import dom_id
from assessments.views import fragments
from assessments.views.answering import over_their_revisions, save_form, status_after
from assessments.views.helpers import refusals_as_messages, status_for
from attestations.attestation_status import latest_decision
from attestations.figures import figures_of
from platform_audits import platform_requests
from questionnaires import regimes
from questionnaires.answer_display import display_value
from questionnaires.frameworks.schema import QuestionType
from questionnaires.policy_changes import policy_flags_for
from questionnaires.scoring import question_result, score, visible_question_ids
from review.comments import comments_of


def _open_change_requests(assessment):
    return assessment.comments.filter(requests_change=True, resolved_at=None).select_related(
        "author"
    )


@login_required
@require_GET
def assessment_overview(request, assessment_id):
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.VIEW)
    framework = assessment.framework_version.framework
    responses = answers.responses_for(assessment)
    result = score(framework, responses, timezone.localdate())
    choices = regimes.choices_of(assessment)
    reached = regimes.reaches(framework, responses)
    regime_results = regimes.results_for(framework, result, responses, choices, reached)
    organization = assessment.organization
    attestations = list(assessment.attestations.order_by("-number"))
    figures = (
        figures_of(attestations[0], latest_decision(attestations[0])) if attestations else None
    )
    return render(
        request,
        "assessments/overview.html",
        {
            "assessment": assessment,
            "organization": organization,
            "result": result,
            "regime_results": regime_results,
            # each law not answered, with why not (what would make it apply, or who removed it)
            "other_regimes": [
                (
                    regime,
                    regimes.standing(
                        regime,
                        reached[regime.slug],
                        choices.get(regime.slug),
                    ),
                )
                for regime in regimes.others(framework, [r.regime for r in regime_results])
            ],
            "attestations": attestations,
            "verified": (
                (figures.verified, figures.verified_tier, "verified by the platform at approval")
                if figures and figures.is_verified
                else None
            ),
            "change_requests": _open_change_requests(assessment),
            "conversation": [
                (note, _question_page(assessment, note.question_id))
                for note in assessment.comments.filter(requests_change=False).select_related(
                    "author"
                )
            ],
            "comment_form": OrganizationCommentForm(),
            "links": _action_links(request.user, assessment),
            "waiting_for": _waiting_for(request.user, assessment),
            "policy_flags": policy_flags_for(assessment),
            "open_requests": platform_requests.open_for(
                organization, framework_slug=assessment.framework_slug
            ),
        },
    )


def _question_page(assessment, question_id: str) -> str | None:
    """Where a question is answered: its section page, or its law's page (None for a
    comment on the whole assessment)."""
    if not question_id:
        return None
    framework = assessment.framework_version.framework
    law = regimes.law_asking(framework, question_id)
    if law is not None:
        page = reverse("regime_questions", args=[assessment.pk, law.slug])
    else:
        page = reverse("section", args=[assessment.pk, regimes.section_of(framework, question_id)])
    return f"{page}#{dom_id(question_id)}"


# Transitions that start on a page of their own (checks, statement, password): the overview
# links to it when the lifecycle lets this person perform them now.
ACTION_PAGES = {
    Transition.SUBMIT: ("submit", "Check and submit"),
    Transition.SIGN: ("sign", "Review and sign"),
}


def _action_links(user, assessment) -> list[tuple[str, str]]:
    links = [
        (reverse(ACTION_PAGES[rule.transition][0], args=[assessment.pk]), rule.label)
        for rule in lifecycle.available(user, assessment)
        if rule.transition in ACTION_PAGES
    ]
    if permissions.can(user, assessment.organization, Need.REVIEW):
        links.append((reverse("review_assessment", args=[assessment.pk]), "Review page"))
    return links


def _waiting_for(user, assessment) -> str:
    """Whose move it is, when it is nobody's move on this page."""
    if assessment.status == Status.AWAITING_SIGNATURE and not lifecycle.may(
        user, assessment, Transition.SIGN
    ):
        return (
            f"Submitted for signature. A signatory of {assessment.organization.legal_name} now "
            "reviews and signs it."
        )
    return ""


def _section_form(assessment, section, items, data=None, files=None):
    """Every question of the section; those hidden by conditions are rendered hidden, so
    they appear as soon as an answer calls for them (on save, or at once with htmx).
    Returns the form and the answers it was built from."""
    responses, revisions = answers.responses_and_revisions(assessment, items)
    form = SectionForm(
        data,
        files,
        questions=list(section.questions),
        responses=responses,
        revisions=revisions,
        # Files on hand are offered under evidence questions only: no read where none is asked.
        files_on_hand=[item for item in items if item.file] + _other_products_files(assessment)
        if any(q.type == QuestionType.EVIDENCE for q in section.questions)
        else [],
    )
    return form, responses


def _other_products_files(assessment) -> list:
    """The organization's files from its other products, named by product when offered."""
    found = evidence.organization_files(assessment)
    for item in found:
        item.other_product = item.assessment.product.name
    return found


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_messages
def section(request, assessment_id, section_id):
    need = Need.EDIT if request.method == "POST" else Need.VIEW
    assessment = permissions.assessment_for(request.user, assessment_id, need=need)
    framework = assessment.framework_version.framework
    current = framework.section(section_id)
    if current is None:
        raise Http404
    posted = request.method == "POST"  # an empty post is still a post: bound, and saved
    end = evidence.attestation_end(assessment)
    items = evidence.with_verdicts(assessment, end=end)
    form, responses = _section_form(
        assessment,
        current,
        items,
        request.POST if posted else None,
        request.FILES if posted else None,
    )
    refused = posted and not form.is_valid()  # nothing of this post is saved
    conflicts = None
    if posted and not refused:
        conflicts = save_form(request, assessment, form)
        if not conflicts:
            messages.success(request, f"“{current.title}” saved.")
            return redirect(_after_save(request, assessment, framework, current))
        data = over_their_revisions(request.POST, conflicts)
        items = evidence.with_verdicts(assessment, end=end)
        form, responses = _section_form(assessment, current, items, data)
        form.is_valid()
    index = framework.sections.index(current)
    result = score(framework, responses)
    comments = comments_of(assessment)
    change_requests = _by_question(
        c for c in comments if c.requests_change and c.resolved_at is None
    )
    notes = _by_question(c for c in comments if not c.requests_change)
    since_last = _changes_since_last(assessment)
    by_question = evidence.by_question(items)
    # What each question shows, looked up once here rather than by the template per block.
    autosave = reverse("autosave", args=[assessment.pk, "-"])[:-2]
    sections_at = reverse("section", args=[assessment.pk, "-"])[:-2]  # reversed once, not per link
    blocks = []
    for block in form.blocks():
        qid = block["question"].id
        blocks.append(
            block
            | {
                "result": result.by_question.get(qid),
                "requests": change_requests.get(qid),
                "comments": notes.get(qid),
                "change": since_last.get(qid),
                "evidence": by_question.get(qid),
                "autosave_url": f"{autosave}{qid}/",
            }
        )
    editable = assessment.is_editable and permissions.can(
        request.user, assessment.organization, Need.EDIT
    )
    page = {
        "editable": editable,
        "attestation_end": end,
        "framework": framework,
        "today": timezone.localdate(),
    }
    return render(
        request,
        "assessments/section.html",
        {
            "block_html": fragments.render_each(
                "assessments/_question_block.html", [page | {"block": b} for b in blocks]
            ),
            # A post that failed: each failing question with what is wrong (the banner links
            # to them), and the files picked, which a browser never sends back.
            "attention": _attention(blocks) if posted else [],
            "files_dropped": [f.name for _, files in request.FILES.lists() for f in files]
            if refused
            else [],
            "assessment": assessment,
            "framework": framework,
            "section": current,
            "sections": [
                (s, f"{sections_at}{s.id}/", s.id == current.id) for s in framework.sections
            ],
            "form": form,
            "blocks": blocks,
            "result": result,
            "section_result": result.of_section(current),
            "previous": framework.sections[index - 1] if index else None,
            "next": framework.sections[index + 1] if index + 1 < len(framework.sections) else None,
            "attestation_end": end,
            "editable": editable,
        },
        status=status_after(refused=refused, conflicts=conflicts),
    )


def _attention(blocks: list[dict]) -> list[tuple]:
    """Each question whose fields failed, with what is wrong with them."""
    failing = [
        (
            block["question"],
            [e for v in block.values() if isinstance(v, forms.BoundField) for e in v.errors],
        )
        for block in blocks
    ]
    return [(question, errors) for question, errors in failing if errors]


def _after_save(request, assessment, framework, current) -> str:
    if "next" in request.POST:
        index = framework.sections.index(current)
        if index + 1 < len(framework.sections):
            return reverse("section", args=[assessment.pk, framework.sections[index + 1].id])
        return reverse("submit", args=[assessment.pk])
    return reverse("section", args=[assessment.pk, current.id])


def _changes_since_last(assessment) -> dict[str, str]:
    """For a re-assessment: which questions are new, changed, or answered from last time."""
    previous = assessment.carried_over_from
    if previous is None:
        return {}
    changes = question_changes(
        previous.framework_version.framework, assessment.framework_version.framework
    )
    labels = {qid: "New question" for qid in changes["new"]}
    labels |= {qid: "Changed since your last assessment" for qid in changes["changed"]}
    labels |= {qid: "Asked again: the policy it cites changed" for qid in changes["policy_changed"]}
    carried = set(assessment.answers.values_list("question_id", flat=True))
    labels |= {
        qid: "Carried over: check it is still true"
        for qid in changes["unchanged"]
        if qid in carried
    }
    return labels


def _by_question(comments) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for note in comments:
        grouped.setdefault(note.question_id, []).append(note)
    return grouped


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_messages
def submit(request, assessment_id):
    """The summary a preparer confirms before the answers lock: the questionnaire's readiness
    and gaps, and each law that applies with its own result and unanswered questions."""
    need = Need.EDIT if request.method == "POST" else Need.VIEW
    assessment = permissions.assessment_for(request.user, assessment_id, need=need)
    form = SubmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        workflow.submit(assessment, actor=Actor.from_request(request))
        messages.success(request, "Submitted. Your signatory can now review and sign it.")
        return redirect("assessment", assessment.pk)
    framework = assessment.framework_version.framework
    responses = answers.responses_for(assessment)
    result = score(framework, responses)
    laws = regimes.results_for(framework, result, responses, regimes.choices_of(assessment))
    return render(
        request,
        "assessments/submit.html",
        {
            "assessment": assessment,
            "result": result,
            "laws": laws,
            "laws_missing": regimes.unanswered_required(laws),
            "form": form,
            "can_edit": assessment.is_editable
            and permissions.can(request.user, assessment.organization, Need.EDIT),
        },
        status=status_for(form),
    )


@login_required
@require_GET
def evidence_file(request, evidence_id):
    item = permissions.evidence_for(request.user, evidence_id, need=Need.VIEW)
    return evidence.download(item, actor=Actor.from_request(request))


@login_required
@require_POST
@refusals_as_messages
def evidence_remove(request, evidence_id):
    item = permissions.evidence_for(request.user, evidence_id, need=Need.EDIT)
    section_id = item.assessment.framework_version.framework.section_of(item.question_id).id
    evidence.remove(item, actor=Actor.from_request(request))
    messages.success(request, f"Removed {item}.")
    return redirect("section", item.assessment_id, section_id)


@login_required
@require_POST
def autosave(request, assessment_id, question_id):
    """Save one question as the person types (htmx); answers with a status fragment.

    The fragment also refreshes the question's revision out of band, and an event tells
    the page which questions this answer showed or hid. A refused value answers 422 and an
    answer kept as someone else saved it, or a draft no longer open, 409, each with its
    message (base.html has htmx show those as it does a 200).
    """
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.EDIT)
    framework = assessment.framework_version.framework
    question = framework.questions.get(question_id)
    if question is None or question.type == QuestionType.EVIDENCE:
        raise Http404
    form = SectionForm(request.POST, questions=[question], responses={}, revisions={})
    context = {"question": question, "errors": [], "conflict": None, "saved": False}
    before = after = None
    if not form.is_valid():
        context["errors"] = [str(e) for errors in form.errors.values() for e in errors]
        status = status_after(refused=True, conflicts=None)
    else:
        try:
            saved = answers.save_answers(
                assessment, form.answer_inputs(), actor=Actor.from_request(request)
            )
        except IllegalTransition as exc:  # submitted or withdrawn since the page was drawn
            context["errors"] = [str(exc)]
            status = 409
        else:
            before, after = saved.before, saved.after
            conflict = saved.conflicts.get(question_id)
            context.update(conflict=conflict, saved=not conflict)
            if conflict:
                context["their_answer"] = display_value(question, response_of(conflict))
            status = status_after(refused=False, conflicts=saved.conflicts)
    if after is None:  # nothing saved: the answers as they stand
        before = after = answers.stored_answers(assessment)
    # Visibility follows the answers alone; the status shown is this question's.
    shown_before = visible_question_ids(framework, {q: response_of(a) for q, a in before.items()})
    # Besides its answer, its status reads only the evidence of the questions backing it.
    backing = question.evidenced_by
    given = evidence.with_verdicts(assessment, questions=backing)
    responses = answers.responses_from(assessment, after.values(), given, only=backing)
    stored = after.get(question_id)
    if stored is not None and not context["conflict"]:  # the revision the next save builds on
        fresh = SectionForm(
            questions=[question], responses={}, revisions={question_id: stored.revision}
        )
        context["revision_field"] = fresh[revision_name(question_id)]
    context["status"], shown_after = question_result(framework, question_id, responses)
    response = render(request, "assessments/section.html#autosave", context, status=status)
    response["HX-Trigger"] = json.dumps(
        {
            "portal:visibility": {
                "show": sorted(shown_after - shown_before),
                "hide": sorted(shown_before - shown_after),
            }
        }
    )
    return response
