"""Bad input and bad days get a clear answer: throttled logins, stale forms, wrong methods,
oversized bodies, a database that is down."""

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.actors import Actor
from assessments.answers import AnswerInput, save_answers
from assessments.models import Organization
from tests.conftest import PortalClient, sign_now
from tests.factories import PASSWORD


def test_password_guessing_locks_the_account_for_a_while(client, preparer):
    for _ in range(5):
        client.post(reverse("login"), {"username": preparer.email, "password": "guess"})
    locked = client.post(reverse("login"), {"username": preparer.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many wrong passwords" in locked.text
    assert "_auth_user_id" not in client.session


def test_a_correct_password_still_works_after_a_few_mistakes(client, preparer):
    guesses = [
        client.post(reverse("login"), {"username": preparer.email, "password": "guess"})
        for _ in range(3)
    ]
    # each refused as every page refuses a form, and said so
    assert [g.status_code for g in guesses] == [422] * 3
    assert "Please enter a correct email and password" in guesses[0].text
    response = client.post(reverse("login"), {"username": preparer.email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_wrong_method_gets_a_helpful_405(client, preparer, org):
    client.force_login(preparer)
    response = client.get(reverse("start_assessment", args=[org.pk]))
    assert response.status_code == 405
    assert "That action is not available here" in response.text
    assert response["Allow"] == "POST"


def test_a_form_without_its_csrf_token_is_refused_with_an_explanation(db):
    response = Client(enforce_csrf_checks=True).post(reverse("signup"), {})
    assert response.status_code == 403
    assert "This form has expired" in response.text


def test_an_oversized_body_is_a_400_not_a_crash(client, db):
    response = client.post(reverse("signup"), {"legal_name": "x" * 3_000_000})
    assert response.status_code == 400


def test_an_unknown_id_is_a_404_page(client, preparer):
    client.force_login(preparer)
    response = client.get("/a/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert "There is nothing here" in response.text


def test_a_database_outage_is_a_clear_503(preparer, monkeypatch):
    client = PortalClient(raise_request_exception=False)
    client.force_login(preparer)

    def down(user):
        raise OperationalError("connection refused")

    monkeypatch.setattr("assessments.views.accounts.organizations_of", down)
    response = client.get(reverse("home"))
    assert response.status_code == 503
    assert "temporarily unavailable" in response.text
    assert response["Retry-After"] == "30"


def test_a_signed_in_person_gets_a_503_when_the_session_cannot_be_read(preparer, monkeypatch):
    """The outage is met first by the middleware that looks the session's user up."""
    client = PortalClient(raise_request_exception=False)
    client.force_login(preparer)

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", down)
    response = client.get(reverse("home"))
    assert response.status_code == 503
    assert "temporarily unavailable" in response.text


@pytest.mark.parametrize(
    "payload", ["<script>alert('x')</script>", '"><img src=x onerror=alert(1)>']
)
def test_script_in_an_answer_is_shown_as_text(client, draft, preparer, payload):
    client.force_login(preparer)
    url = reverse("section", args=[draft.pk, "scope"])
    client.post(url, {"q_scope__product": payload, "stay": "1"})
    page = client.get(url)
    assert payload not in page.text
    assert "&lt;" in page.text


@pytest.mark.parametrize(
    "payload", ["<script>alert('x')</script>", '"><img src=x onerror=alert(1)>']
)
def test_script_in_an_answer_or_a_comment_is_shown_as_text_to_the_reviewer(
    client, draft, preparer, reviewer, payload
):
    """The review page's rows and conversations are drawn once and kept in the cache: escaped
    all the same."""
    save_answers(draft, [AnswerInput("scope.product", payload)], actor=Actor(preparer))
    client.force_login(reviewer)
    page_url = reverse("review_assessment", args=[draft.pk]) + "?section=all"
    client.post(
        reverse("add_comment", args=[draft.pk]),
        {"body": payload, "question_id": "scope.product", "next": page_url},
    )
    page = client.get(page_url)
    assert page.status_code == 200
    assert payload not in page.text
    assert page.text.count(escape(payload)) >= 2  # the answer and the comment


@pytest.mark.parametrize("name", ["Evil\r\nBcc: victim@example.org", "Tab\there", "Nul\x00"])
def test_a_name_with_control_characters_is_refused_with_a_message(client, db, name):
    response = client.post(
        reverse("signup"),
        {
            "legal_name": name,
            "website": "https://example.org",
            "full_name": name,
            "email": "new@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 422
    assert "Use a single line of text" in response.text
    assert not Organization.objects.exists()


def test_an_email_that_fails_is_logged_and_the_change_stands(
    client, admin, org, caplog, committed, monkeypatch
):
    def broken(*args, **kwargs):
        raise ValueError("Header values may not contain linefeed or carriage return characters")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    client.force_login(admin)
    with committed():
        response = client.post(
            reverse("members", args=[org.pk]),
            {"email": "new.person@example.org", "full_name": "New Person", "role": "preparer"},
        )
    assert response.status_code == 302
    assert "Could not send" in caplog.text


def sign_as(legal_name, assessment, signatory, committed) -> list:
    """Rename the organization behind the form's back, sign, and return the emails sent."""
    from django.core import mail

    Organization.objects.filter(pk=assessment.organization_id).update(legal_name=legal_name)
    assessment.refresh_from_db()
    with committed():
        sign_now(assessment, signatory)
    return mail.outbox


def test_a_name_saved_with_a_newline_still_makes_a_one_line_subject(
    committed, awaiting_signature, signatory, reviewer
):
    sent = sign_as("Old\nName Ltd", awaiting_signature, signatory, committed)
    assert [m.subject for m in sent] == ["New submission: Old Name Ltd"]


def test_email_subjects_and_text_are_not_html_escaped(
    committed, awaiting_signature, signatory, reviewer
):
    sent = sign_as("Smith & Jones <Tutors>", awaiting_signature, signatory, committed)
    (message,) = [m for m in sent if "New submission" in m.subject]
    assert message.subject == "New submission: Smith & Jones <Tutors>"
    assert "Smith & Jones <Tutors> signed" in message.body
    assert "&amp;" in message.alternatives[0].content  # the HTML part stays escaped


def test_the_right_password_from_a_locked_address_is_refused_in_any_case(preparer):
    client = Client(REMOTE_ADDR="198.51.100.20")
    for _ in range(5):
        client.post(reverse("login"), {"username": preparer.email.upper(), "password": "guess"})
    locked = client.post(reverse("login"), {"username": preparer.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_guesses_from_addresses_of_one_ipv6_network_lock_it_as_one_address(preparer):
    """Five wrong passwords from five addresses of one /64 lock that network out of the
    account, as five from one address would; the right password from it is refused too."""
    for n in range(1, 6):
        Client(REMOTE_ADDR=f"2001:db8:9:1::{n}").post(
            reverse("login"), {"username": preparer.email, "password": "guess"}
        )
    same_network = Client(REMOTE_ADDR="2001:db8:9:1::99")
    locked = same_network.post(reverse("login"), {"username": preparer.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in same_network.session
    elsewhere = Client(REMOTE_ADDR="2001:db8:9:2::1")
    response = elsewhere.post(reverse("login"), {"username": preparer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in elsewhere.session


def guess_from_many_addresses(email, times):
    for n in range(times):
        Client(REMOTE_ADDR=f"203.0.113.{n % 250}").post(
            reverse("login"), {"username": email, "password": f"guess {n}"}
        )


def test_guessing_from_many_addresses_holds_the_account_in_unknown_browsers(reviewer):
    guess_from_many_addresses(reviewer.email, 20)
    stranger = Client(REMOTE_ADDR="192.0.2.50")
    response = stranger.post(reverse("login"), {"username": reviewer.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "paused in unfamiliar browsers" in response.text
    assert "_auth_user_id" not in stranger.session


def test_the_owner_still_logs_in_from_their_own_browser_during_an_attack(reviewer):
    owner = Client(REMOTE_ADDR="192.0.2.10")
    assert (
        owner.post(reverse("login"), {"username": reviewer.email, "password": PASSWORD}).status_code
        == 302
    )
    owner.post(reverse("logout"))
    guess_from_many_addresses(reviewer.email, 40)
    again = owner.post(reverse("login"), {"username": reviewer.email, "password": PASSWORD})
    assert again.status_code == 302
    assert "_auth_user_id" in owner.session


def test_a_browser_known_before_a_password_change_is_a_stranger_after_it(reviewer):
    """The cookie names the account and its password: whoever copied it, or a browser the
    owner used before changing a leaked password, gets no exemption from the new one."""
    owner = Client(REMOTE_ADDR="192.0.2.10")
    owner.post(reverse("login"), {"username": reviewer.email, "password": PASSWORD})
    owner.post(reverse("logout"))
    reviewer.set_password("a changed passphrase 2026")
    reviewer.save()
    guess_from_many_addresses(reviewer.email, 20)

    again = owner.post(
        reverse("login"), {"username": reviewer.email, "password": "a changed passphrase 2026"}
    )

    assert again.status_code == 429
    assert "_auth_user_id" not in owner.session


def test_a_password_reset_link_makes_the_browser_known(reviewer):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    guess_from_many_addresses(reviewer.email, 20)
    browser = Client(REMOTE_ADDR="192.0.2.60")
    uid = urlsafe_base64_encode(force_bytes(reviewer.pk))
    link = reverse(
        "password_reset_confirm", args=[uid, default_token_generator.make_token(reviewer)]
    )
    form = browser.get(link, follow=True)
    new = "a brand new passphrase 2026"
    browser.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    response = browser.post(reverse("login"), {"username": reviewer.email, "password": new})
    assert response.status_code == 302


def test_reset_links_cannot_flood_an_inbox_from_one_address_or_many(preparer, mailoutbox):
    """The reset form mails whoever's address is typed in: one client is held after ten
    requests an hour, and however many clients ask, an account gets three links an hour. The
    page reads the same either way, so it still tells nobody whether the address has an
    account."""
    one_client = Client(REMOTE_ADDR="198.51.100.40")
    answers = [
        one_client.post(reverse("password_reset"), {"email": preparer.email}) for _ in range(11)
    ]
    many = [
        Client(REMOTE_ADDR=f"203.0.113.{n}").post(
            reverse("password_reset"), {"email": preparer.email}
        )
        for n in range(1, 6)
    ]

    assert [r.status_code for r in answers] == [302] * 10 + [429]
    assert "Asking for password-reset links is limited" in answers[-1].text
    assert "Please try again in" in answers[-1].text
    assert 0 < int(answers[-1]["Retry-After"]) <= 3600
    assert [r.status_code for r in many] == [302] * 5
    assert len(mailoutbox) == 3
    assert {m.to[0] for m in mailoutbox} == {preparer.email}


def test_sign_up_and_reset_forms_together_mail_one_address_three_times_an_hour(
    preparer, mailoutbox, django_capture_on_commit_callbacks
):
    """Both forms mail whatever address is typed in, known or not: one count per address
    across them, so switching forms or clients does not flood an inbox either."""
    victim = {"legal_name": "X Ltd", "website": "https://x.example", "full_name": "X"}
    before = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        signups = [
            Client(REMOTE_ADDR=f"203.0.113.{n}").post(
                reverse("signup"), victim | {"email": "victim@elsewhere.example"}
            )
            for n in range(1, 6)
        ]
        Client(REMOTE_ADDR="203.0.113.9").post(
            reverse("signup"), victim | {"email": preparer.email}
        )
        Client(REMOTE_ADDR="203.0.113.10").post(
            reverse("password_reset"), {"email": preparer.email}
        )

    assert [r.status_code for r in signups] == [200] * 5
    sent = [m.to[0] for m in mailoutbox[before:]]
    assert sent.count("victim@elsewhere.example") == 3
    assert sent.count(preparer.email) == 2  # the known address: its note, then its reset link


def test_a_reset_link_points_at_the_portal_whatever_host_the_request_named(
    preparer, mailoutbox, settings
):
    """Every emailed link is built on SITE_URL, the reset link too: a request naming another
    of the server's host names (or any, were ALLOWED_HOSTS loose) never sends the token there."""
    settings.ALLOWED_HOSTS = ["testserver", "internal.example"]
    before = len(mailoutbox)
    client = Client(HTTP_HOST="internal.example")

    response = client.post(reverse("password_reset"), {"email": preparer.email})

    assert response.status_code == 302
    (message,) = mailoutbox[before:]
    assert f"{settings.SITE_URL}/accounts/reset/" in message.body
    assert "internal.example" not in message.body


def test_a_control_character_in_the_address_gets_a_400_not_a_server_error(
    client, org, admin, draft, framework_version
):
    """PostgreSQL cannot store or compare text holding a NUL byte: an address carrying one
    (or any control character) is refused before any page or API view reads it."""
    from tests.test_api import token

    key = token(org, admin)
    api = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    answers = {
        "questionnaire": client.get(
            f"/api/v1/questionnaires/{framework_version.slug}/1%00/", **api
        ),
        "answer": client.put(
            f"/api/v1/assessments/{draft.pk}/answers/x%00y/",
            '{"value": "a", "base_revision": 0}',
            content_type="application/json",
            **api,
        ),
        "page": client.get("/verify/ab%01cd/"),
        "token link": client.get("/signup/confirm/x%00y/"),
    }

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 400)
    assert answers["answer"].json()["error"]["code"] == "bad_request"
    assert "control character" in answers["page"].text
