"""Regimes: add-on questionnaires for the laws an organization answers to besides the
provider's policies (the US COPPA Rule, the UK Children's Code, the EU DSA's Article 28),
answered in the same assessment.

A regime is one bundled file (``frameworks/regimes/*.yaml``): when it applies (a test on the
core questionnaire's scope answers), its questions (in the core questionnaire's schema,
citing the law's own sections), and its crosswalk to core questions. A core answer answers
a regime question when their relation allows it; the preparer may still answer it directly,
and a direct answer always wins.
"""

import datetime
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

import yaml
from django.db import transaction
from pydantic import Field, model_validator

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments import notes
from assessments.answers import ensure_editable
from assessments.errors import MissingRequirement
from assessments.models import Assessment, AuditAction, RegimeChoice
from attestations import audit
from attestations.canonical import canonical_json, sha256_hex
from questionnaires.answer_display import display_value
from questionnaires.frameworks.loader import SAFE_LOADER, parse
from questionnaires.frameworks.schema import (
    ID_PATTERN,
    AnswerStatus,
    Condition,
    Framework,
    Question,
    Section,
    Strict,
)
from questionnaires.scoring import (
    QuestionResult,
    Response,
    Result,
    SectionResult,
    holds,
    score,
    visible_question_ids,
)

REGIMES_DIR = Path(__file__).resolve().parent / "frameworks" / "regimes"


class Relation(StrEnum):
    """How a core question's requirement relates to the regime question it is mapped to."""

    EQUAL = "equal"  # the same requirement: the core answer answers it, met or not
    SUPERSET = "superset"  # the core asks for more: a core answer of "met" answers it
    SUBSET = "subset"  # the core asks for part of it: shown beside it, never answers it
    INTERSECTS = "intersects"  # they overlap: shown beside it, never answers it

    @property
    def label(self) -> str:
        return RELATION_LABELS[self]


RELATION_LABELS = {
    Relation.EQUAL: "asks the same",
    Relation.SUPERSET: "asks for more (met there, met here)",
    Relation.SUBSET: "asks for part of it",
    Relation.INTERSECTS: "overlaps",
}
# A core question left empty, not applicable or unscored says nothing about a regime's.
SAYS_NOTHING = {AnswerStatus.UNANSWERED, AnswerStatus.NOT_APPLICABLE, AnswerStatus.INFORMATIONAL}


CARRYING = (Relation.EQUAL, Relation.SUPERSET)


class CrosswalkEntry(Strict):
    question: str = Field(pattern=ID_PATTERN)  # the regime's
    core: str = Field(pattern=ID_PATTERN)  # the core questionnaire's
    relation: Relation
    note: str = ""
    # For a relation that carries the core answer: each "met" option of the core question,
    # with the "met" option of the law's question it implies (checked by check_crosswalk).
    carries: dict[str, str] = Field(default_factory=dict)

    def answers_with(self, core: QuestionResult) -> bool:
        """Whether this core result answers the regime question."""
        if core.status in SAYS_NOTHING:
            return False
        # A superset answers only when its answer says met; what it carries is its standing
        # with the evidence (claimed while unevidenced, not met once evidence is rejected).
        return self.relation == Relation.EQUAL or (
            self.relation == Relation.SUPERSET and core.claimed == AnswerStatus.MET
        )


class Regime(Strict):
    slug: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str
    short: str
    jurisdiction: str
    why: str
    # When the law applies, in words: shown beside a law the scope answers do not call for.
    applies_if: str = ""
    applies_when: Condition
    # A test on the law's own "who it covers" answers, for what the core scope answers cannot
    # decide (is the product a companion chatbot, which service it is): until those questions
    # are answered the law stays in the assessment; once they say it does not cover the
    # product, it leaves, and `not_covered` says why in words.
    covers_when: Condition | None = None
    not_covered: str = ""
    core: str
    core_version: str
    mappings: tuple[CrosswalkEntry, ...] = ()
    framework: Framework

    @model_validator(mode="after")
    def _mappings_name_own_questions(self) -> "Regime":
        own = self.framework.questions
        for mapping in self.mappings:
            if mapping.question not in own:
                raise ValueError(
                    f"{self.slug}: a mapping names unknown question {mapping.question!r}"
                )
        pairs = [(m.question, m.core) for m in self.mappings]
        if len(set(pairs)) != len(pairs):
            raise ValueError(f"{self.slug}: a question is mapped to the same core question twice")
        return self

    @model_validator(mode="after")
    def _coverage_asks_own_unscored_questions(self) -> "Regime":
        if self.covers_when is None:
            return self
        for question_id in self.covers_when.questions():
            question = self.framework.questions.get(question_id)
            if question is None or question.scored:
                raise ValueError(
                    f"{self.slug}: covers_when must test the law's own unscored questions, "
                    f"not {question_id!r}"
                )
        if not self.not_covered:
            raise ValueError(f"{self.slug}: a law with covers_when says why when it does not")
        return self

    def related(self, question_id: str) -> list[CrosswalkEntry]:
        return [m for m in self.mappings if m.question == question_id]


PUBLISHED = REGIMES_DIR / "published.json"  # {slug: {version: sha256}} of every release


def content_sha256(regime: Regime) -> str:
    """A regime version's identity, as signed snapshots pin it (fields left at their defaults
    are left out, so a later optional field does not change an earlier version's hash)."""
    return sha256_hex(canonical_json(regime.model_dump(mode="json", exclude_defaults=True)))


@functools.cache
def catalogue() -> dict[str, Regime]:
    """Every bundled regime by slug (parsed once per process: the files ship with the code).
    A released version never changes: different content under a recorded version is refused,
    as the core questionnaire's loader refuses it."""
    released = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    regimes = {}
    for path in sorted(REGIMES_DIR.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
        regime = Regime.model_validate(data)
        recorded = released.get(regime.slug, {}).get(regime.framework.version)
        if recorded is not None and recorded != content_sha256(regime):
            raise ValueError(
                f"{path.name}: {regime.slug} v{regime.framework.version} was released with "
                "other content. A released version never changes: give this file a new version."
            )
        core = parse(REGIMES_DIR.parent / f"{regime.core}-{regime.core_version}.yaml")[0]
        problems = check_crosswalk(regime, core)
        if problems:
            raise ValueError(f"{path.name}: " + "; ".join(problems))
        regimes[regime.slug] = regime
    return regimes


def check_crosswalk(regime: Regime, core: Framework) -> list[str]:
    """What is wrong with the regime's mappings against the core version it names: a mapping
    may carry a core answer only when every "met" option of the core question implies "met"
    for the law's question, and it must say which; one that carries nothing lists nothing."""
    met = AnswerStatus.MET
    problems = []
    for m in regime.mappings:
        where = f"{regime.slug}: {m.question} <- {m.core}"
        core_question = core.questions.get(m.core)
        if core_question is None:
            problems.append(f"{where}: no such core question in v{core.version}")
            continue
        if m.relation not in CARRYING:
            if m.carries:
                problems.append(f"{where}: a {m.relation} mapping carries no answer")
            continue
        met_core = {o.value for o in core_question.options if o.status == met}
        met_law = {
            o.value for o in regime.framework.questions[m.question].options if o.status == met
        }
        if set(m.carries) != met_core:
            problems.append(f"{where}: it must say what each met option {sorted(met_core)} implies")
        if not set(m.carries.values()) <= met_law:
            problems.append(f"{where}: a met core answer must imply a met answer here")
    return problems


class Reach(StrEnum):
    """How far a law reaches an assessment, by its scope answers."""

    APPLIES = "applies"  # the scope answers call for it
    UNDECIDED = "undecided"  # called for; its own questions on who it covers are unanswered
    NOT_COVERED = "not_covered"  # its own answers say it does not cover the product
    NOT_CALLED = "not_called"  # the questionnaire's scope answers do not call for it


def reach(
    regime: Regime,
    core: Framework,
    responses: Mapping[str, Response],
    core_shown: set[str] | None = None,
) -> Reach:
    """``core_shown``: the core questionnaire's shown questions, when the caller has them."""
    if not holds(regime.applies_when, core, responses, core_shown):
        return Reach.NOT_CALLED
    if regime.covers_when is None:
        return Reach.APPLIES
    shown = visible_question_ids(regime.framework, responses)

    def answer(question_id: str):
        response = responses.get(question_id)
        has = question_id in shown and response is not None and response.has_value
        return response.value if has and not response.not_applicable else None

    if regime.covers_when.holds(answer):
        return Reach.APPLIES
    return Reach.UNDECIDED if regime.covers_when.could_hold(answer) else Reach.NOT_COVERED


def called_for(core: Framework, responses: Mapping[str, Response]) -> list[Regime]:
    """The regimes the scope answers call for (or may, until the law's own questions on who
    it covers are answered), for assessments on the core they map to."""
    reached = reaches(core, responses)
    return [
        regime
        for regime in catalogue().values()
        if reached.get(regime.slug) in (Reach.APPLIES, Reach.UNDECIDED)
    ]


def reaches(core: Framework, responses: Mapping[str, Response]) -> dict[str, Reach]:
    """How far each law for this core reaches, the core's shown questions worked out once."""
    shown = visible_question_ids(core, responses)
    return {
        regime.slug: reach(regime, core, responses, shown)
        for regime in catalogue().values()
        if regime.core == core.slug
    }


def applicable(
    core: Framework,
    responses: Mapping[str, Response],
    choices: Mapping[str, RegimeChoice],
    reached: Mapping[str, Reach] | None = None,
) -> list[Regime]:
    """The regimes an assessment answers: those its scope calls for, less those the
    organization removed, plus those it added. ``reached``: ``reaches``, when at hand."""
    reached = reaches(core, responses) if reached is None else reached
    by_scope = {slug for slug, r in reached.items() if r in (Reach.APPLIES, Reach.UNDECIDED)}
    return [
        regime
        for regime in catalogue().values()
        if regime.core == core.slug
        and (choices[regime.slug].included if regime.slug in choices else regime.slug in by_scope)
    ]


def others(core: Framework, answered: list[Regime]) -> list[Regime]:
    """The regimes for this core that an assessment does not answer (it may add them)."""
    return [r for r in catalogue().values() if r.core == core.slug and r not in answered]


class _Asked(NamedTuple):
    law: Regime | None  # None for the core questionnaire itself
    section: Section
    question: Question


def _asking(core: Framework, question_id: str) -> _Asked | None:
    """Who asks the question with this id, in which section, and the question."""
    laws = [(r, r.framework) for r in catalogue().values() if r.core == core.slug]
    for law, framework in [(None, core), *laws]:
        if question_id in framework.questions:
            return _Asked(law, framework.section_of(question_id), framework.questions[question_id])
    return None


def law_asking(core: Framework, question_id: str) -> Regime | None:
    """The law whose questions include this one (None for the questionnaire's own)."""
    found = _asking(core, question_id)
    return found.law if found else None


def section_of(core: Framework, question_id: str) -> str | None:
    """The id of the section asking this question: the core questionnaire's or a law's."""
    found = _asking(core, question_id)
    return found.section.id if found else None


def require_asked(core: Framework, question_id: str) -> None:
    """Refuse a question the assessment does not ask (neither its questionnaire's nor a
    law's): a comment or a verdict is kept only with a question a reader can find."""
    if question_of(core, question_id) is None:
        raise MissingRequirement(f"This assessment asks no question {question_id}.")


def question_of(core: Framework, question_id: str) -> Question | None:
    """A question an assessment on this core may answer: its own or a law's (the law's page
    answers those whether the scope calls for the law or not)."""
    found = _asking(core, question_id)
    return found.question if found else None


def law_sections(outcomes: list["RegimeResult"]) -> list[SectionResult]:
    """Each law's scored sections, titled with the law's short name (as the review page lists
    them after the questionnaire's own)."""
    return [
        replace(
            s,
            section=s.section.model_copy(update={"title": f"{o.regime.short}: {s.section.title}"}),
        )
        for o in outcomes
        for s in o.result.sections
    ]


def choices_of(assessment: Assessment) -> dict[str, RegimeChoice]:
    """The organization's standing call on each regime it added or removed (latest wins)."""
    return {choice.regime: choice for choice in assessment.regime_choices.all()}


def choose(
    assessment: Assessment, *, regime: Regime, included: bool, reason: str, actor: Actor
) -> RegimeChoice:
    """Add a regime the scope does not call for, or remove one it does, with the reason: on
    the audit trail, and in the signed snapshot; only for those who may edit the answers."""
    permissions.require(actor.user, assessment.organization, Need.EDIT)
    reason = notes.written(reason, missing="Say why: a reason is required to add or remove a law.")
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        ensure_editable(locked)
        choice = RegimeChoice.objects.create(
            assessment=locked,
            regime=regime.slug,
            included=included,
            reason=reason,
            decided_by=actor.user,
        )
        audit.record_on(
            locked,
            actor=actor,
            action=AuditAction.REGIME_ADDED if included else AuditAction.REGIME_REMOVED,
            obj=choice,
            details={"regime": regime.slug, "reason": reason},
        )
    return choice


def standing(regime: Regime, reached: Reach, choice: RegimeChoice | None) -> str:
    """Why a law is, or is not, part of an assessment, in a sentence or two."""
    if choice is not None:
        word = "Added" if choice.included else "Removed"
        who = choice.decided_by or "someone"
        return f"{word} by {who} on {choice.decided_at:%d %b %Y}: “{choice.reason}”"
    match reached:
        case Reach.APPLIES:
            return regime.why
        case Reach.UNDECIDED:
            return (
                "Your scope answers call for this law; whether it covers your product depends on "
                "the questions on who it covers, at the top of its page, and it stays part of "
                f"this assessment until they are answered. {regime.applies_if}"
            )
        case Reach.NOT_COVERED:
            return (
                "Your answers on who this law covers say it does not cover the product: "
                f"{regime.not_covered}"
            )
    return f"Your scope answers do not call for this law. {regime.applies_if}".strip()


@dataclass(frozen=True)
class RegimeResult:
    regime: Regime
    result: Result
    through: dict[str, tuple[CrosswalkEntry, QuestionResult]]  # answered by a core answer
    choice: RegimeChoice | None = None  # the organization added it (else: the scope did)
    reached: Reach = Reach.APPLIES

    @property
    def why(self) -> str:
        return standing(self.regime, self.reached, self.choice)

    @property
    def own_answers(self) -> int:
        return sum(
            1
            for r in self.result.by_question.values()
            if r.status != AnswerStatus.UNANSWERED and r.question.id not in self.through
        )


def result_for(
    regime: Regime,
    core: Result,
    responses: Mapping[str, Response],
    today: datetime.date | None = None,
    choice: RegimeChoice | None = None,
) -> RegimeResult:
    """Score a regime on the preparer's own answers, with core answers standing in for the
    questions left unanswered where the crosswalk lets them."""
    through: dict[str, tuple[CrosswalkEntry, QuestionResult]] = {}
    core_results = core.by_question
    for mapping in regime.mappings:
        found = core_results.get(mapping.core)
        own = responses.get(mapping.question)
        answered_here = own is not None and (own.has_value or own.not_applicable)
        if found is not None and not answered_here and mapping.answers_with(found):
            through.setdefault(mapping.question, (mapping, found))
    result = score(
        regime.framework,
        responses,
        today,
        answered_elsewhere={qid: found for qid, (_, found) in through.items()},
    )
    return RegimeResult(regime, result, through, choice)


def unanswered_required(outcomes: list[RegimeResult]) -> int:
    """How many required questions of the laws that apply are still unanswered."""
    return sum(len(outcome.result.missing_required) for outcome in outcomes)


def signed_gaps(result: Result) -> list[dict]:
    """A result's gaps as a signed snapshot lists them (the questionnaire's and each law's)."""
    return [
        {
            "question_id": g.question.id,
            "status": g.status.value,
            "remediation": g.question.remediation,
        }
        for g in result.gaps
    ]


def snapshot_of(outcome: RegimeResult, responses: Mapping[str, Response]) -> dict:
    """A regime's part of the attested snapshot: which text of the regime was answered (its
    hash), its score, each shown question's answer and standing, and where a core answer
    answered it."""
    regime, result = outcome.regime, outcome.result
    sources = {source.id: source for source in regime.framework.sources}
    return {
        "slug": regime.slug,
        "name": regime.name,
        "version": regime.framework.version,
        "sha256": content_sha256(regime),
        "included": (
            {"by": "organization", "reason": outcome.choice.reason}
            if outcome.choice is not None
            else {"by": "scope answers"}
        ),
        "score": result.score,
        "claimed_score": result.claimed_score,
        "questions": [
            {
                "id": r.question.id,
                "text": r.question.text,
                "answer": display_value(r.question, responses.get(r.question.id)),
                "status": r.status.value,
                "answered_through": (
                    outcome.through[r.question.id][0].core
                    if r.question.id in outcome.through
                    else None
                ),
                "citations": [
                    {
                        "document": sources[c.source].title,
                        "url": sources[c.source].url,
                        "section": c.section,
                        "needs_legal_review": c.needs_legal_review,
                    }
                    for c in r.question.citations
                ],
            }
            for section in result.sections
            for r in section.questions
        ],
        "gaps": signed_gaps(result),
    }


def results_for(
    framework: Framework,
    core: Result,
    responses: Mapping[str, Response],
    choices: Mapping[str, RegimeChoice],
    reached: Mapping[str, Reach] | None = None,
) -> list[RegimeResult]:
    """Each law the assessment answers, scored. ``reached``: ``reaches``, when at hand."""
    reached = reaches(framework, responses) if reached is None else reached
    return [
        replace(result_for(r, core, responses, choice=choices.get(r.slug)), reached=reached[r.slug])
        for r in applicable(framework, responses, choices, reached)
    ]
