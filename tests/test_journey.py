"""The whole journey through the browser-facing views, one role after another."""

import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from assessments.models import Assessment, Attestation, Membership, Role, Status, User
from questionnaires.frameworks.schema import QuestionType
from tests.conftest import authenticator_code
from tests.factories import PASSWORD


def best_answers(form) -> dict:
    """POST data answering every question of a section form with its best option."""
    data = {}
    for block in form.blocks():
        question = block["question"]
        if "revision" in block:
            data[block["revision"].html_name] = block["revision"].value() or 0
        if "evidence_file" in block:
            data[block["evidence_file"].html_name] = SimpleUploadedFile(
                "plan.txt", b"Our incident-response plan.\n", content_type="text/plain"
            )
        if "value" not in block:
            continue
        name = block["value"].html_name
        match question.type:
            case QuestionType.MULTI_CHOICE:
                data[name] = [question.options[0].value, question.options[1].value]
            case QuestionType.YES_NO | QuestionType.SINGLE_CHOICE:
                data[name] = question.options[0].value
            case QuestionType.TEXT:
                data[name] = "Homework help for pupils; <b>bold</b> claims escaped"
            case QuestionType.URL:
                data[name] = "https://brightpath.example/child-safety"
            case QuestionType.NUMBER:
                data[name] = "12000"
            case QuestionType.DATE:
                data[name] = "2026-09-01"
    return data


def fill_in_every_section(client, assessment):
    framework = assessment.framework_version.framework
    for section in framework.sections:
        url = reverse("section", args=[assessment.pk, section.id])
        # Twice: answers in a section can reveal further questions in the same section.
        for _ in range(2):
            form = client.get(url).context["form"]
            response = client.post(url, best_answers(form) | {"stay": "1"})
            assert response.status_code == 302, response.context["form"].errors


def link_in(message) -> str:
    return re.search(r"http://\S+/", message.body).group(0).replace("http://127.0.0.1:8000", "")


@pytest.fixture
def signed_up(client, framework_version, committed):
    with committed():
        response = client.post(
            reverse("signup"),
            {
                "legal_name": "Brightpath Learning Ltd",
                "website": "brightpath.example",
                "full_name": "Avery Admin",
                "email": "Avery@Brightpath.example",
            },
        )
    assert "Check your email" in response.text
    assert not User.objects.exists()  # nothing is created before the address is confirmed
    (confirmation,) = mail.outbox
    assert confirmation.to == ["avery@brightpath.example"]
    link = link_in(confirmation)
    mail.outbox.clear()
    page = client.get(link)
    assert "Finish registering Brightpath Learning Ltd" in page.text
    response = client.post(
        link, {"full_name": "Avery Admin", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    return Membership.objects.get(user__email="avery@brightpath.example")


def test_a_new_organization_signs_up_and_its_admin_lands_on_its_page(client, signed_up):
    assert signed_up.role == Role.ADMIN
    page = client.get(reverse("home"), follow=True)
    assert b"Brightpath Learning Ltd" in page.content
    assert b"Start an assessment of Brightpath Learning Ltd" in page.content


def signup_as(client, email):
    return client.post(
        reverse("signup"),
        {
            "legal_name": "Copycat Ltd",
            "website": "https://copycat.example",
            "full_name": "Copy Cat",
            "email": email,
        },
    )


def test_sign_up_does_not_reveal_whether_an_email_is_registered(client, signed_up, committed):
    client.logout()
    with committed():
        known = signup_as(client, "avery@brightpath.example")
        unknown = signup_as(client, "nobody@brightpath.example")
    assert known.status_code == unknown.status_code == 200
    token = re.compile(r'"X-CSRFToken": "[^"]+"')
    assert token.sub("", known.text.replace("avery@", "nobody@")) == token.sub("", unknown.text)
    note, link = mail.outbox
    assert note.to == ["avery@brightpath.example"]
    assert "You already have an account" in note.body
    assert link.to == ["nobody@brightpath.example"]


def test_a_registration_link_works_once(client, signed_up, committed):
    from accounts.organizations import request_registration

    with committed():
        request_registration(
            legal_name="Again Ltd", website="https://a.example", full_name="A", email="x@a.example"
        )
    link = link_in(mail.outbox[-1])
    data = {"full_name": "Ann Again", "password1": PASSWORD, "password2": PASSWORD}
    client.logout()
    assert client.post(link, data).status_code == 302
    client.logout()
    again = client.post(link, data)
    assert again.status_code == 409
    assert "exists already" in again.text


def test_password_reset_does_not_reveal_whether_an_email_is_registered(client, signed_up):
    client.logout()
    known = client.post(reverse("password_reset"), {"email": "avery@brightpath.example"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@brightpath.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_an_admin_invites_a_new_person_who_joins_by_choosing_a_password(
    client, signed_up, committed
):
    url = reverse("members", args=[signed_up.organization_id])
    with committed():
        response = client.post(
            url,
            {"email": "pat@brightpath.example", "full_name": "Pat Preparer", "role": "preparer"},
        )
    assert response.status_code == 302
    assert not Membership.objects.filter(user__email="pat@brightpath.example").exists()
    (invitation,) = mail.outbox
    assert invitation.to == ["pat@brightpath.example"]
    client.logout()
    link = link_in(invitation)
    page = client.get(link)
    assert "Choose your name and password" in page.text
    joined = client.post(
        link, {"full_name": "Pat Preparer", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert joined.status_code == 302
    assert Membership.objects.get(user__email="pat@brightpath.example").role == Role.PREPARER


@pytest.mark.real_report
def test_the_whole_journey(
    client, org, admin, preparer, signatory, reviewer, framework_version, committed
):
    # A preparer starts an assessment and answers every section.
    client.force_login(preparer)
    response = client.post(reverse("start_assessment", args=[org.pk]))
    assessment = Assessment.objects.get(organization=org)
    assert response.url == reverse("assessment", args=[assessment.pk])
    fill_in_every_section(client, assessment)
    overview = client.get(reverse("assessment", args=[assessment.pk]))
    assert overview.context["result"].is_complete

    # They read the summary, confirm, and submit it for signature; the answers lock.
    summary = client.get(reverse("submit", args=[assessment.pk]))
    assert "What you are about to submit" in summary.text
    response = client.post(reverse("submit", args=[assessment.pk]), {"confirm": "on"}, follow=True)
    assert b"Submitted" in response.content
    assessment.refresh_from_db()
    assert assessment.status == Status.AWAITING_SIGNATURE

    # The signatory signs, after a wrong password is refused.
    client.force_login(signatory)
    sign_url = reverse("sign", args=[assessment.pk])
    page = client.get(sign_url)
    assert b"I am an officer of Brightpath Learning Ltd" in page.content
    wrong = client.post(sign_url, {"confirm": "on", "password": "not my password"})
    assert "That password is not correct." in wrong.text
    assert not Attestation.objects.exists()
    with committed():
        response = client.post(
            sign_url,
            {"confirm": "on", "password": PASSWORD, "code": authenticator_code(signatory)},
        )
    attestation = Attestation.objects.get()
    assert response.url == reverse("attestation", args=[attestation.pk])
    assert [m.to for m in mail.outbox] == [[reviewer.email]]

    # The organization downloads the PDF report; it states who and what was attested.
    pdf = client.get(reverse("report_download", args=[attestation.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert "Brightpath Learning Ltd" in text
    assert "Sam Signatory" in text
    assert "Age verification (ID check, vetted provider)" in text
    assert "<b>bold</b> claims escaped" in text

    # The reviewer finds it in the queue and asks for a change on one question.
    client.force_login(reviewer)
    queue = client.get(reverse("dashboard"))
    assert b"Brightpath Learning Ltd" in queue.content
    client.post(reverse("start_review", args=[assessment.pk]))
    client.post(
        reverse("question_verdict", args=[assessment.pk, "monitoring.incident_plan"]),
        {"verdict": "needs_change", "note": "Attach your incident plan."},
    )
    client.post(
        reverse("request_changes", args=[assessment.pk]),
        {"message": "One safeguard lacks its evidence."},
    )
    assessment.refresh_from_db()
    assert assessment.status == Status.CHANGES_REQUESTED

    # The organization sees the request inline, answers and resubmits; the signatory signs again.
    client.force_login(preparer)
    overview = client.get(reverse("assessment", args=[assessment.pk]))
    assert b"Attach your incident plan." in overview.content
    section = client.get(reverse("section", args=[assessment.pk, "monitoring"]))
    assert b"Reviewer: Attach your incident plan." in section.content
    client.post(reverse("submit", args=[assessment.pk]), {"confirm": "on"})
    client.force_login(signatory)
    with committed():
        client.post(
            sign_url,
            {"confirm": "on", "password": PASSWORD, "code": authenticator_code(signatory)},
        )
    assert assessment.attestations.count() == 2

    # The reviewer judges what is left, approves with a rationale and confirms; the
    # organization sees the decision.
    client.force_login(reviewer)
    client.post(reverse("accept_rest", args=[assessment.pk]), {"note": "Read and checked."})
    with committed():
        client.post(
            reverse("decide", args=[assessment.pk]),
            {"outcome": "approve", "rationale": "Safeguards are evidenced.", "confirm": "on"},
        )
    assert mail.outbox[-1].to == [admin.email, preparer.email, signatory.email]
    assert "approved" in mail.outbox[-1].subject
    client.force_login(preparer)
    overview = client.get(reverse("organization", args=[org.pk]))
    assert b"Approved" in overview.content

    # Anyone can verify: the approved second attestation is valid; the first, on which the
    # platform asked for changes, never was.
    client.logout()
    first, second = assessment.attestations.order_by("number")
    current = client.get(reverse("verify_hash", args=[second.snapshot_sha256]))
    assert 'id="verdict">Valid</h2>' in current.text
    assert "Safeguards are evidenced" not in current.text  # never the answers
    old = client.get(reverse("verify_hash", args=[first.snapshot_sha256]))
    assert 'id="verdict">Changes requested by the platform</h2>' in old.text


def test_a_user_of_no_organization_is_told_so(client, db):
    client.force_login(User.objects.create_user(email="lonely@example.org", password="x"))
    assert b"You are not a member of any organization" in client.get(reverse("home")).content


def test_the_link_to_an_open_assessment_reads_as_a_person_would_write_it(
    client, awaiting_signature, signatory
):
    client.force_login(signatory)

    page = client.get(reverse("organization", args=[awaiting_signature.organization_id]))

    assert "Open the assessment awaiting signature" in page.text
    assert "the awaiting signature assessment" not in page.text


def test_sign_up_puts_the_cursor_in_the_first_field(client, db):
    page = client.get(reverse("signup"))

    assert 'name="legal_name"' in page.text and "autofocus" in page.text


def test_the_verification_form_says_what_it_accepts_when_given_other_text(client, db):
    page = client.post(reverse("verify"), {"reference": "my report from Brightpath"})

    assert "neither a verification link nor a hash" in page.text
