"""The lifecycle table, and the portal executing it: every transition x state through the
pages a person uses, every transition x role, each with its exact resulting state and audit
events, and whom each hand-off tells."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.permissions import Need
from assessments.lifecycle import LIFECYCLE, Audience, Requirement, Transition, available
from assessments.models import AuditAction, AuditEvent, Status
from tests.conftest import authenticator_code, ready_for_approval
from tests.factories import PASSWORD

S = Status
# The lifecycle as the business agreed it, written out: changing a rule in the table (sources,
# target, who, audit action, requirements, whom it tells) fails here first.
AGREED = {
    Transition.SUBMIT: (
        {S.DRAFT, S.CHANGES_REQUESTED}, S.AWAITING_SIGNATURE, Need.EDIT,
        AuditAction.SUBMITTED_FOR_SIGNATURE, set(), Audience.SIGNATORIES,
    ),
    Transition.RETURN_TO_DRAFT: (
        {S.AWAITING_SIGNATURE}, S.DRAFT, Need.SIGN,
        AuditAction.RETURNED_TO_DRAFT, {Requirement.NOTE}, Audience.PREPARERS,
    ),
    Transition.SIGN: (
        {S.AWAITING_SIGNATURE}, S.SUBMITTED, Need.SIGN, AuditAction.SIGNED,
        {Requirement.PASSWORD, Requirement.SECOND_FACTOR}, Audience.REVIEWERS,
    ),
    Transition.START_REVIEW: (
        {S.SUBMITTED}, S.IN_REVIEW, Need.REVIEW, AuditAction.REVIEW_STARTED, set(), None,
    ),
    Transition.REQUEST_CHANGES: (
        {S.SUBMITTED, S.IN_REVIEW}, S.CHANGES_REQUESTED, Need.REVIEW,
        AuditAction.CHANGES_REQUESTED, {Requirement.NOTE}, Audience.ORGANIZATION,
    ),
    Transition.APPROVE: (
        {S.SUBMITTED, S.IN_REVIEW}, S.APPROVED, Need.REVIEW, AuditAction.APPROVED,
        {Requirement.NOTE, Requirement.VERDICTS, Requirement.SECOND_REVIEWER},
        Audience.ORGANIZATION,
    ),
    Transition.REJECT: (
        {S.SUBMITTED, S.IN_REVIEW}, S.REJECTED, Need.REVIEW,
        AuditAction.REJECTED, {Requirement.NOTE}, Audience.ORGANIZATION,
    ),
}  # fmt: skip


def test_the_table_is_the_agreed_lifecycle():
    table = {
        t: (set(r.sources), r.target, r.performer, r.audit, set(r.requires), r.notifies)
        for t, r in LIFECYCLE.items()
    }
    assert table == AGREED


# What a person posts to perform each transition, and where.
def request_for(transition: Transition, assessment, person) -> tuple[str, dict]:
    pk = assessment.pk
    return {
        Transition.SUBMIT: (reverse("submit", args=[pk]), {"confirm": "on"}),
        Transition.RETURN_TO_DRAFT: (
            reverse("return_to_draft", args=[pk]),
            {"reason": "Please attach the incident plan."},
        ),
        Transition.SIGN: (
            reverse("sign", args=[pk]),
            {"confirm": "on", "password": PASSWORD, "code": authenticator_code(person)}
            if hasattr(person, "totpdevice_set") and person.totpdevice_set.exists()
            else {"confirm": "on", "password": PASSWORD},
        ),
        Transition.START_REVIEW: (reverse("start_review", args=[pk]), {}),
        Transition.REQUEST_CHANGES: (
            reverse("request_changes", args=[pk]),
            {"message": "Attach the plan."},
        ),
        Transition.APPROVE: (
            reverse("decide", args=[pk]),
            {"outcome": "approve", "rationale": "Evidenced.", "confirm": "on"},
        ),
        Transition.REJECT: (
            reverse("decide", args=[pk]),
            {"outcome": "reject", "rationale": "Not evidenced."},
        ),
    }[transition]


PERFORMERS = {Need.EDIT: "preparer", Need.SIGN: "signatory", Need.REVIEW: "reviewer"}


@pytest.fixture
def people(preparer, signatory, admin, reviewer, outsider):
    return {
        "preparer": preparer,
        "signatory": signatory,
        "admin": admin,
        "reviewer": reviewer,
        "outsider": outsider,
    }


def put_in(signed, status, transition=None):
    """A signed assessment, moved straight to a state, with what the transition needs there
    (an approval: the verdicts, and a second reviewer's proposal where the table asks for
    one). Their way there is tested elsewhere."""
    assessment = signed.assessment
    type(assessment).objects.filter(pk=assessment.pk).update(status=status)
    assessment.refresh_from_db()
    if transition == Transition.APPROVE:
        ready_for_approval(signed)
    return assessment


def perform(client, transition, assessment, person):
    client.force_login(person)
    url, data = request_for(transition, assessment, person)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    response = client.post(url, data)
    assessment.refresh_from_db()
    actions = list(
        AuditEvent.objects.filter(id__gt=before, assessment_id=assessment.pk)
        .exclude(action=AuditAction.ANSWER_SAVED)
        .values_list("action", flat=True)
    )
    return response, actions


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("transition", list(Transition))
def test_each_transition_from_each_state(client, signed, people, transition, status):
    rule = LIFECYCLE[transition]
    assessment = put_in(signed, status, transition)
    person = people[PERFORMERS[rule.performer]]
    response, actions = perform(client, transition, assessment, person)
    assert response.status_code == 302
    if status in rule.sources:
        assert assessment.status == rule.target
        assert actions == [rule.audit]
    else:
        assert assessment.status == status
        assert actions == []
        page = client.get(response["Location"])
        assert "is not possible now" in page.text


@pytest.mark.parametrize("role", ["preparer", "signatory", "admin", "reviewer", "outsider"])
@pytest.mark.parametrize("transition", list(Transition))
def test_each_transition_by_each_role(client, signed, people, transition, role):
    rule = LIFECYCLE[transition]
    source = min(rule.sources)  # any state it may start from
    assessment = put_in(signed, source, transition)
    allowed = {PERFORMERS[rule.performer]} | ({"admin"} if rule.performer == Need.EDIT else set())
    response, actions = perform(client, transition, assessment, people[role])
    if role in allowed:
        assert response.status_code == 302
        assert (assessment.status, actions) == (rule.target, [rule.audit])
    else:
        assert response.status_code == (404 if role == "outsider" else 403)
        assert (assessment.status, actions) == (source, [])


def test_what_each_person_may_do_now_is_read_from_the_table(signed, people):
    assessment = put_in(signed, Status.SUBMITTED)
    assert [r.transition for r in available(people["reviewer"], assessment)] == [
        Transition.START_REVIEW,
        Transition.REQUEST_CHANGES,
        Transition.APPROVE,
        Transition.REJECT,
    ]
    assert available(people["preparer"], assessment) == []
    assert available(people["outsider"], assessment) == []


def test_every_hand_off_tells_the_next_person_once(client, complete_draft, people, committed):
    preparer, signatory, reviewer = people["preparer"], people["signatory"], people["reviewer"]
    admin = people["admin"]
    steps = [
        (Transition.SUBMIT, preparer, [signatory.email]),
        (Transition.RETURN_TO_DRAFT, signatory, sorted([admin.email, preparer.email])),
        (Transition.SUBMIT, preparer, [signatory.email]),
        (Transition.SIGN, signatory, [reviewer.email]),
        (Transition.START_REVIEW, reviewer, []),
        (
            Transition.REQUEST_CHANGES,
            reviewer,
            sorted([admin.email, preparer.email, signatory.email]),
        ),
    ]
    for transition, person, told in steps:
        mail.outbox.clear()
        with committed():
            response, _ = perform(client, transition, complete_draft, person)
        assert response.status_code == 302
        assert [sorted(m.to) for m in mail.outbox] == ([told] if told else []), transition


def test_returning_for_changes_needs_a_note(client, awaiting_signature, signatory):
    client.force_login(signatory)
    response = client.post(
        reverse("return_to_draft", args=[awaiting_signature.pk]), {"reason": " "}, follow=True
    )
    assert "needs a note" in response.text
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.AWAITING_SIGNATURE


def test_a_return_note_too_long_is_refused_whole_not_cut(client, awaiting_signature, signatory):
    client.force_login(signatory)
    url = reverse("return_to_draft", args=[awaiting_signature.pk])
    response = client.post(url, {"reason": "x" * 501}, follow=True)
    assert "in at most 500 characters" in response.text
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.AWAITING_SIGNATURE


def test_answers_carry_over_only_from_an_approved_assessment(signed, preparer, reviewer):
    from accounts.actors import Actor
    from assessments import workflow
    from assessments.errors import IllegalTransition

    workflow.reject(signed.assessment, actor=Actor(reviewer), rationale="No.")
    with pytest.raises(IllegalTransition, match="approved"):
        workflow.start_assessment(
            organization=signed.assessment.organization,
            framework_version=signed.assessment.framework_version,
            actor=Actor(preparer),
            carry_over_from=signed.assessment,
        )
