"""The state machine: each transition from the states that allow it, and only those."""

import re
import time

import pytest
from django.core import signing
from django.urls import reverse

from accounts import step_up
from accounts.actors import Actor
from assessments import workflow
from assessments.errors import IllegalTransition, MissingRequirement, NotPermitted, StepUpRequired
from assessments.models import Assessment, AuditAction, AuditEvent, Role, Status
from attestations.attestation import STATEMENT_VERSION
from tests.conftest import ready_for_approval, sign_now, stepped_up, with_authenticator
from tests.factories import PASSWORD, member


def test_an_incomplete_questionnaire_cannot_be_submitted(draft, preparer):
    with pytest.raises(MissingRequirement, match="required question"):
        workflow.submit(draft, actor=Actor(preparer))
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_submitting_twice_is_refused_with_a_message_and_changes_nothing(
    client, awaiting_signature, preparer
):
    client.force_login(preparer)
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("submit", args=[awaiting_signature.pk]), {"confirm": "on"}, follow=True
    )
    assert "“Check and submit” is not possible now" in response.text
    assert AuditEvent.objects.count() == events


def test_signing_twice_makes_one_attestation(attestation, signatory):
    with pytest.raises(IllegalTransition):
        sign_now(attestation.assessment, signatory)
    assert attestation.assessment.attestations.count() == 1


@pytest.mark.parametrize(
    ("decide", "subject"),
    [
        (lambda a, r: workflow.reject(a, actor=Actor(r), rationale="No."), "rejected"),
        (
            lambda a, r: workflow.request_changes(
                a, actor=Actor(r), message="More.", question_notes={}
            ),
            "Changes requested",
        ),
    ],
)
def test_the_organization_is_emailed_about_decisions(
    signed, reviewer, admin, preparer, signatory, committed, decide, subject
):
    from django.core import mail

    with committed():
        decide(signed.assessment, reviewer)
    (message,) = [m for m in mail.outbox if subject in m.subject]
    assert sorted(message.to) == sorted([admin.email, preparer.email, signatory.email])
    assert message.alternatives  # an HTML version beside the text


def test_a_mail_server_failure_does_not_undo_or_hide_a_decision(
    client, signed, reviewer, committed, monkeypatch
):
    import smtplib

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPConnectError(421, "try later")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    ready_for_approval(signed)
    client.force_login(reviewer)
    with committed():
        response = client.post(
            reverse("decide", args=[signed.assessment_id]),
            {"outcome": "approve", "rationale": "Fine.", "confirm": "on"},
        )
    assert response.status_code == 302
    signed.assessment.refresh_from_db()
    assert signed.assessment.status == Status.APPROVED


def test_a_second_start_while_one_is_open_is_refused_with_a_message(client, draft, preparer, org):
    client.force_login(preparer)
    response = client.post(reverse("start_assessment", args=[org.pk]), follow=True)
    assert "already open: continue that one" in response.text
    assert Assessment.objects.filter(organization=org).count() == 1


def test_the_database_itself_holds_one_open_assessment_per_questionnaire(draft):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            organization=draft.organization,
            product=draft.product,
            framework_version=draft.framework_version,
            framework_slug=draft.framework_slug,
            created_by=draft.created_by,
        )


def test_the_workflow_refuses_a_role_that_may_not_act_whoever_calls_it(
    awaiting_signature, preparer, admin, reviewer
):
    """Not only the views check roles: a command, the API or the admin calling the service
    directly is refused the same way, and nothing moves."""
    with pytest.raises(NotPermitted):
        workflow.sign(
            awaiting_signature,
            actor=Actor(preparer),
            statement_version=STATEMENT_VERSION,
            proof=stepped_up(preparer),  # a real proof, but of someone who may not sign
        )
    with pytest.raises(NotPermitted):
        workflow.return_to_draft(awaiting_signature, actor=Actor(admin), reason="Because.")
    with pytest.raises(NotPermitted):
        workflow.submit(awaiting_signature, actor=Actor(reviewer))
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.AWAITING_SIGNATURE
    assert not awaiting_signature.attestations.exists()


def test_a_note_longer_than_the_forms_allow_is_refused_whoever_calls(signed, reviewer):
    """The pages and the API hold notes to 5,000 characters; a command calling the services
    directly is held to the same, and nothing is written."""
    from assessments.models import NOTE_MAX_CHARS, Comment
    from review import verdicts

    too_long = "x" * (NOTE_MAX_CHARS + 1)
    assessment = signed.assessment
    workflow.start_review(assessment, actor=Actor(reviewer))
    with pytest.raises(MissingRequirement, match="at most 5,000 characters"):
        workflow.comment(assessment, actor=Actor(reviewer), body=too_long)
    with pytest.raises(MissingRequirement, match="at most 5,000 characters"):
        workflow.revoke(signed, actor=Actor(reviewer), reason=too_long)
    with pytest.raises(MissingRequirement, match="at most 5,000 characters"):
        workflow.reject(assessment, actor=Actor(reviewer), rationale=too_long)
    with pytest.raises(MissingRequirement, match="at most 5,000 characters"):
        verdicts.accept_the_rest(assessment, note=too_long, actor=Actor(reviewer))
    assert not Comment.objects.exists()
    signed.refresh_from_db()
    assessment.refresh_from_db()
    assert (signed.revoked_at, assessment.status) == (None, Status.IN_REVIEW)
    workflow.comment(assessment, actor=Actor(reviewer), body="x" * NOTE_MAX_CHARS)  # the limit


def test_only_those_who_edit_the_answers_start_an_assessment_whoever_calls(
    org, framework_version, signatory, outsider, reviewer
):
    """A signatory, a platform reviewer or someone of another organization cannot open a
    draft for the organization, through a command or any other caller of the service."""
    for person in (signatory, outsider, reviewer):
        with pytest.raises(NotPermitted):
            workflow.start_assessment(
                organization=org, framework_version=framework_version, actor=Actor(person)
            )
    assert not Assessment.objects.filter(organization=org).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ASSESSMENT_STARTED).exists()


def test_only_a_reviewer_decides(signed, admin, signatory):
    for person in (admin, signatory):
        with pytest.raises(NotPermitted):
            workflow.approve(signed.assessment, actor=Actor(person), rationale="Looks fine.")
    signed.assessment.refresh_from_db()
    assert signed.assessment.status == Status.SUBMITTED


def forged(user) -> step_up.Proof:
    return step_up.Proof(
        signing.dumps({"user": user.pk, "factors": ["password", "second_factor"]}, salt="x")
    )


@pytest.mark.parametrize(
    "proof",
    [
        lambda signatory, other: None,  # no step-up at all
        lambda signatory, other: stepped_up(other),  # someone else's password and code
        lambda signatory, other: forged(signatory),  # not signed by the step-up check
        lambda signatory, other: step_up.prove(None, signatory, password=PASSWORD),  # no code
    ],
    ids=["none", "another_persons", "forged", "password_without_code"],
)
def test_signing_needs_the_signatorys_own_fresh_password_and_code(
    awaiting_signature, signatory, org, proof
):
    other = with_authenticator(member(org, Role.SIGNATORY))
    with pytest.raises(StepUpRequired, match="password and a code"):
        workflow.sign(
            awaiting_signature,
            actor=Actor(signatory),
            statement_version=STATEMENT_VERSION,
            proof=proof(signatory, other),
        )
    awaiting_signature.refresh_from_db()
    assert awaiting_signature.status == Status.AWAITING_SIGNATURE


def test_a_proof_of_step_up_expires(awaiting_signature, signatory, monkeypatch):
    proof = stepped_up(signatory)
    monkeypatch.setattr(step_up, "PROOF_SECONDS", 0)
    time.sleep(1)
    with pytest.raises(StepUpRequired):
        workflow.sign(
            awaiting_signature,
            actor=Actor(signatory),
            statement_version=STATEMENT_VERSION,
            proof=proof,
        )


def test_answers_evidence_and_comments_are_refused_to_roles_that_may_not_give_them(
    v2_draft, reviewer, signatory, outsider
):
    """Each service checks the actor itself: a reviewer cannot answer for an organization, a
    signatory cannot edit its answers or evidence, another organization cannot comment."""
    from assessments import answers, evidence

    refused = [
        lambda: answers.save_answers(
            v2_draft, [answers.AnswerInput("age.method", "verified")], actor=Actor(reviewer)
        ),
        lambda: answers.save_answers(
            v2_draft, [answers.AnswerInput("age.method", "verified")], actor=Actor(signatory)
        ),
        lambda: evidence.add_url(
            v2_draft, "age.evidence", "https://example.org/audit", actor=Actor(signatory)
        ),
        lambda: workflow.comment(v2_draft, actor=Actor(outsider), body="Hello"),
    ]
    for attempt in refused:
        with pytest.raises(NotPermitted):
            attempt()
    assert not v2_draft.answers.filter(question_id="age.method").exists()
    assert not v2_draft.evidence.exists() and not v2_draft.comments.exists()


def test_verdicts_assignments_and_revocations_are_the_platforms_alone(
    signed, reviewer, signatory, preparer
):
    from review import verdicts

    refused = [
        lambda: verdicts.record_question_verdict(
            signed.assessment,
            question_id="age.method",
            verdict="accepted",
            note="",
            actor=Actor(preparer),
        ),
        lambda: workflow.assign(signed.assessment, actor=Actor(reviewer), reviewer=preparer),
        lambda: workflow.assign(signed.assessment, actor=Actor(preparer), reviewer=reviewer),
        lambda: workflow.revoke(signed, actor=Actor(signatory), reason="Because."),
    ]
    for attempt in refused:
        with pytest.raises(NotPermitted):
            attempt()
    signed.refresh_from_db()
    assert signed.revoked_at is None and not signed.question_verdicts.exists()
    assert signed.assessment.assigned_reviewer is None


def test_submitting_shows_each_laws_unanswered_questions_and_asks_to_confirm(
    client, v2_draft, preparer
):
    """The summary never says every required question is answered while a law that applies
    still has unanswered ones, and nothing locks until the preparer confirms."""
    from assessments.demo import answer_everything

    answer_everything(v2_draft, actor=Actor(preparer), quality="strong")
    client.force_login(preparer)
    url = reverse("submit", args=[v2_draft.pk])

    summary = client.get(url)
    unconfirmed = client.post(url, {})

    assert "required question of the questionnaire is answered" in summary.text
    assert "of the laws that apply" in summary.text
    assert re.search(
        r"COPPA[^<]*</a>: \d+% with the evidence given, \d+ gaps?, <strong>\d+ required question",
        summary.text,
    )
    assert unconfirmed.status_code == 422 and "This field is required" in unconfirmed.text
    v2_draft.refresh_from_db()
    assert v2_draft.status == Status.DRAFT
    assert client.post(url, {"confirm": "on"}).status_code == 302
    v2_draft.refresh_from_db()
    assert v2_draft.status == Status.AWAITING_SIGNATURE
