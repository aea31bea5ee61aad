"""What an organization's people do on the pages, its token does through the API: read one
answer, send an assessment back to the preparers, download evidence, the workbook and the
OSCAL results, list and revoke tokens; within its own organization only."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from assessments import workbooks
from assessments.models import ApiToken, Evidence, Invitation, Status, TokenRole
from tests.test_api import call, token


def test_an_organization_token_reads_and_downloads_what_its_pages_show(
    client, org, admin, complete_draft
):
    key = token(org, admin)
    item = Evidence.objects.filter(assessment=complete_draft).exclude(file="").first()

    answer = call(client, "get", reverse("api_answer", args=[complete_draft.pk, "age.method"]), key)
    missing = call(client, "get", reverse("api_answer", args=[complete_draft.pk, "no.such"]), key)
    workbook = call(client, "get", reverse("api_workbook", args=[complete_draft.pk]), key)
    file = call(client, "get", reverse("api_evidence_file", args=[item.pk]), key)

    assert answer.status_code == 200 and answer.json()["question_id"] == "age.method"
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    book = load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames[0] == workbooks.ANSWERS and workbooks.ABOUT in book.sheetnames
    assert b"".join(file.streaming_content) == item.file.open("rb").read()


def test_a_signatory_token_sends_the_answers_back_with_a_reason(
    client, org, admin, awaiting_signature
):
    key = token(org, admin, TokenRole.SIGNATORY)

    blank = call(
        client,
        "post",
        reverse("api_return_to_draft", args=[awaiting_signature.pk]),
        key,
        {"reason": "  "},
    )
    back = call(
        client,
        "post",
        reverse("api_return_to_draft", args=[awaiting_signature.pk]),
        key,
        {"reason": "Attach the signed moderation policy."},
    )

    assert blank.status_code == 400
    assert back.status_code == 200 and back.json()["status"] == Status.DRAFT


def test_oscal_results_and_tokens_through_the_api(client, org, admin, signed, other_org):
    key = token(org, admin, TokenRole.ADMIN)
    other = ApiToken.objects.exclude(key_sha256="").first()

    results = call(client, "get", reverse("api_oscal_results", args=[signed.pk]), key)
    listed = call(client, "get", reverse("api_tokens", args=[org.pk]), key)
    theirs = call(client, "get", reverse("api_tokens", args=[other_org.pk]), key)
    revoked = call(client, "post", reverse("api_token_revoke", args=[other.pk]), key)
    after = call(client, "get", reverse("api_tokens", args=[org.pk]), key)

    assert results.status_code == 200 and "assessment-results" in results.json()
    assert listed.status_code == 200 and [t["name"] for t in listed.json()] == ["CI"]
    assert theirs.status_code == 404
    assert revoked.status_code == 204
    assert after.status_code == 401  # it revoked itself: the next call is refused


def test_an_administrator_token_lists_and_invites_members(client, org, admin, preparer, committed):
    from django.core import mail

    key = token(org, admin, TokenRole.ADMIN)
    preparer_key = token(org, admin, TokenRole.PREPARER)

    listed = call(client, "get", reverse("api_members", args=[org.pk]), key)
    with committed():  # the invitation is emailed once the transaction commits
        invited = call(
            client,
            "post",
            reverse("api_members", args=[org.pk]),
            key,
            {
                "email": "New.Person@Brightpath.example",
                "full_name": "New Person",
                "role": "preparer",
            },
        )
    refused = call(client, "get", reverse("api_members", args=[org.pk]), preparer_key)
    already = call(  # found by Schemathesis: a 500 before
        client,
        "post",
        reverse("api_members", args=[org.pk]),
        key,
        {"email": preparer.email, "full_name": "Pat", "role": "admin"},
    )

    assert listed.status_code == 200
    assert {m["email"] for m in listed.json()} == {admin.email, preparer.email}
    assert invited.status_code == 202 and invited.json()["email"] == "new.person@brightpath.example"
    assert [m.to for m in mail.outbox] == [["new.person@brightpath.example"]]
    assert refused.status_code == 403
    assert already.status_code == 400
    assert already.json()["error"]["fields"]["email"] == [f"{preparer.email} is already a member."]


def test_an_administrator_token_manages_webhook_endpoints(client, org, admin, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the endpoint below is on this machine
    key = token(org, admin, TokenRole.ADMIN)

    made = call(
        client,
        "post",
        reverse("api_webhooks", args=[org.pk]),
        key,
        {"url": "http://127.0.0.1:9/hook", "events": ["attestation.approved"]},
    )
    unknown_event = call(
        client,
        "post",
        reverse("api_webhooks", args=[org.pk]),
        key,
        {"url": "http://127.0.0.1:9/hook", "events": ["no.such"]},
    )
    listed = call(client, "get", reverse("api_webhooks", args=[org.pk]), key)
    log = call(client, "get", reverse("api_webhook", args=[made.json()["id"]]), key)
    removed = call(client, "delete", reverse("api_webhook", args=[made.json()["id"]]), key)
    after = call(client, "get", reverse("api_webhooks", args=[org.pk]), key)

    assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
    assert unknown_event.status_code == 400
    assert [e["url"] for e in listed.json()] == ["http://127.0.0.1:9/hook"]
    assert "secret" not in listed.json()[0]
    assert log.status_code == 200 and log.json() == []
    assert removed.status_code == 204 and after.json() == []


def test_an_administrator_token_manages_members_and_invitations_as_the_page_does(
    client, org, admin, preparer
):
    key = token(org, admin, TokenRole.ADMIN)
    members = reverse("api_members", args=[org.pk])
    invited = call(
        client,
        "post",
        members,
        key,
        {"email": "late@example.org", "full_name": "Lee Late", "role": "signatory"},
    )
    pending = call(client, "get", reverse("api_invitations", args=[org.pk]), key).json()
    cancelled = call(
        client, "delete", reverse("api_invitation", args=[org.pk, pending[0]["id"]]), key
    )
    listed = {m["email"]: m for m in call(client, "get", members, key).json()}
    preparer_url = reverse("api_member", args=[org.pk, listed[preparer.email]["id"]])
    admin_url = reverse("api_member", args=[org.pk, listed[admin.email]["id"]])
    changed = call(client, "put", preparer_url, key, {"role": "signatory"})
    last_admin = call(client, "delete", admin_url, key)
    removed = call(client, "delete", preparer_url, key)
    read_only = call(client, "get", members, token(org, admin, TokenRole.SIGNATORY))

    assert invited.status_code == 202
    assert [(i["email"], i["role"]) for i in pending] == [("late@example.org", "signatory")]
    assert cancelled.status_code == 204
    assert not Invitation.objects.exists()
    assert changed.status_code == 200 and changed.json()["role"] == "signatory"
    assert last_admin.status_code == 409  # an organization keeps an administrator
    assert removed.status_code == 204
    assert not org.memberships.filter(user=preparer).exists()
    assert read_only.status_code == 403


def test_a_token_inviting_one_address_too_often_is_told_to_wait_as_http_says(
    client, org, admin, committed
):
    """The three-an-hour invitation limit answers a script as a limit, not as bad input:
    429 with Retry-After, so a client that backs off on 429 waits rather than giving up."""
    key = token(org, admin, TokenRole.ADMIN)
    url = reverse("api_members", args=[org.pk])
    body = {"email": "victim@elsewhere.example", "full_name": "V", "role": "preparer"}

    with committed():
        answers = [call(client, "post", url, key, body) for _ in range(4)]

    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    limited = answers[-1]
    assert 0 < int(limited["Retry-After"]) <= 3600
    assert limited.json()["error"]["code"] == "throttled"
    assert limited.json()["error"]["message"] == (
        "victim@elsewhere.example has been invited 3 times in the last hour: try again later."
    )


def test_a_token_gives_the_period_evidence_speaks_for_as_the_section_page_does(
    client, org, admin, draft
):
    """The page asks when a document applies from and until; so does the API, with the same
    rule (an end before the start is refused, nothing stored), and reads them back."""
    key = token(org, admin, TokenRole.PREPARER)
    url = reverse("api_evidence_links", args=[draft.pk])
    link = {"question_id": "moderation.evidence", "url": "https://example.com/policy"}

    backwards = call(
        client, "post", url, key, link | {"applies_from": "2026-06-01", "valid_until": "2026-01-01"}
    )
    given = call(
        client, "post", url, key, link | {"applies_from": "2026-01-01", "valid_until": "2027-06-30"}
    )

    assert backwards.status_code == 400
    assert "“Valid until” is before “applies from”" in backwards.json()["error"]["message"]
    assert given.status_code == 201, given.text
    assert (given.json()["applies_from"], given.json()["valid_until"]) == (
        "2026-01-01",
        "2027-06-30",
    )
    item = Evidence.objects.get()
    assert (str(item.applies_from), str(item.valid_until)) == ("2026-01-01", "2027-06-30")
