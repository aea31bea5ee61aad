"""The laws beyond the questionnaire: a law's questions for one assessment, adding or
removing a law with a reason, and a law's crosswalk to the questionnaire."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments import answers, evidence
from assessments.forms.questionnaire import RegimeChoiceForm, SectionForm
from assessments.models import FrameworkVersion
from assessments.views.answering import over_their_revisions, save_form, status_after
from assessments.views.helpers import refusals_as_messages
from questionnaires import regimes
from questionnaires.scoring import score, visible_question_ids


def regime_or_404(slug: str, core_slug: str | None = None) -> regimes.Regime:
    regime = regimes.catalogue().get(slug)
    if regime is None or (core_slug is not None and regime.core != core_slug):
        raise Http404
    return regime


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_messages
def regime_questions(request, assessment_id, slug):
    """One regime's questions for an assessment: its results, the answers the core
    questionnaire already gives, and the form to answer (or override) the rest."""
    posted = request.method == "POST"
    assessment = permissions.assessment_for(
        request.user, assessment_id, need=Need.EDIT if posted else Need.VIEW
    )
    framework = assessment.framework_version.framework
    regime = regime_or_404(slug, framework.slug)
    items = evidence.with_verdicts(assessment)
    responses, revisions = answers.responses_and_revisions(assessment, items)
    # What the law asks given the answers so far (California's own duties only when users in
    # California reach the product): the same rule as its results and the questionnaire's.
    shown = visible_question_ids(regime.framework, responses)
    questions = [q for q in regime.framework.questions.values() if q.id in shown]
    form = SectionForm(
        request.POST if posted else None,
        questions=questions,
        responses=responses,
        revisions=revisions,
    )
    refused = posted and not form.is_valid()  # nothing of this post is saved
    conflicts = None
    if posted and not refused:
        conflicts = save_form(request, assessment, form)
        if not conflicts:
            messages.success(request, f"{regime.short} answers saved.")
            return redirect("regime_questions", assessment.pk, regime.slug)
        responses, revisions = answers.responses_and_revisions(assessment)
        form = SectionForm(
            over_their_revisions(request.POST, conflicts),
            questions=questions,
            responses=responses,
            revisions=revisions,
        )
        form.is_valid()
    elif refused:
        messages.error(
            request, "Nothing was saved: some answers need attention. What you typed is still here."
        )
    outcome = regimes.result_for(regime, score(framework, responses), responses)
    choices = regimes.choices_of(assessment)
    applies = regime in regimes.applicable(framework, responses, choices)
    choice_form = RegimeChoiceForm(
        initial={"action": RegimeChoiceForm.REMOVE if applies else RegimeChoiceForm.ADD}
    )
    core_questions = framework.questions
    by_question = outcome.result.by_question
    sections: dict[str, dict] = {}  # the law's sections in order, each with its questions
    for block in form.blocks():
        qid = block["question"].id
        through = outcome.through.get(qid)
        section = regime.framework.section_of(qid)
        sections.setdefault(section.id, {"section": section, "blocks": []})["blocks"].append(
            block
            | {
                "result": by_question.get(qid),
                "through": through,
                "related": [  # the core questions shown for reference (not answering it)
                    (entry, core_questions.get(entry.core))
                    for entry in regime.related(qid)
                    if through is None or entry != through[0]
                ],
            }
        )
    return render(
        request,
        "assessments/regime.html",
        {
            "assessment": assessment,
            "regime": regime,
            "applies": applies,
            "standing": regimes.standing(
                regime, regimes.reach(regime, framework, responses), choices.get(regime.slug)
            ),
            "choice_form": choice_form,
            "outcome": outcome,
            "sections": list(sections.values()),
            "editable": assessment.is_editable
            and permissions.can(request.user, assessment.organization, Need.EDIT),
        },
        status=status_after(refused=refused, conflicts=conflicts),
    )


@login_required
@require_POST
@refusals_as_messages
def regime_choice(request, assessment_id, slug):
    """Add this regime to the assessment, or remove it, with a reason."""
    assessment = permissions.assessment_for(request.user, assessment_id, need=Need.EDIT)
    regime = regime_or_404(slug, assessment.framework_version.slug)
    form = RegimeChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        included = form.cleaned_data["action"] == RegimeChoiceForm.ADD
        regimes.choose(
            assessment,
            regime=regime,
            included=included,
            reason=form.cleaned_data["reason"],
            actor=Actor.from_request(request),
        )
        word = "added to" if included else "removed from"
        messages.success(request, f"{regime.short} {word} this assessment.")
    return redirect("regime_questions", assessment.pk, regime.slug)


@login_required
@require_GET
def regime_crosswalk(request, slug):
    """The mapping table between a regime and the core questionnaire it maps to."""
    regime = regime_or_404(slug)
    core = FrameworkVersion.objects.filter(slug=regime.core, version=regime.core_version).first()
    core_questions = core.framework.questions if core else {}
    own = regime.framework.questions
    mapped = {entry.question for entry in regime.mappings}
    return render(
        request,
        "frameworks/crosswalk.html",
        {
            "regime": regime,
            "core": core,
            "rows": [
                (own[entry.question], entry, core_questions.get(entry.core))
                for entry in regime.mappings
            ],
            "unmapped": [q for qid, q in own.items() if qid not in mapped],
        },
    )
