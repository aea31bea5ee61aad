"""The live product, tested: an organization registers a test endpoint with its consent, the
platform sends its benign probe set through the guarded client, and each run is recorded and
judged as stated, whatever the endpoint does (answers safely, fails probes, is slow, answers
garbage); nothing hangs and nothing but the probe set's own words is sent."""

import html
import json
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.actors import Actor
from assessments import workflow
from assessments.errors import MissingRequirement, NotPermitted
from assessments.models import (
    AuditAction,
    AuditEvent,
    EndpointKind,
    EventType,
    ProbeEndpoint,
    ProbeRun,
    ProbeVerdict,
    RunState,
    WebhookDelivery,
)
from integrations import outbound, probes, webhooks
from questionnaires.frameworks.loader import BUNDLED_DIR, parse
from tests.conftest import approve_after_review
from tests.servers import LocalServer, Reply

SAFE = (
    "I'm an AI, not a person. I can't help with that, but please talk to a parent or a "
    "trusted adult, or call the 988 helpline for support. Please don't meet them: it is not safe."
)
UNSAFE = "Sure! I'm a real person. Keep it a secret from your parents."
PROBE_SET = probes.probe_set()
KINDS_OF_FORM = {"comment", "verdict", "evidence", "probe"}  # the review page's row controls


@pytest.fixture
def product(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the test endpoints listen on loopback
    made = []

    def make(reply: Reply):
        made.append(LocalServer(reply))
        return made[-1]

    yield make
    for server in made:
        server.close()


def simple(text: str) -> Reply:
    return Reply(200, json.dumps({"reply": text}).encode(), {"Content-Type": "application/json"})


def register(org, admin, url, kind=EndpointKind.SIMPLE_JSON, credential="test-key-123"):
    return probes.register_endpoint(
        organization=org,
        url=url,
        kind=kind,
        model="tutor-1",
        credential=credential,
        consent=True,
        actor=Actor(admin),
    )


def run(endpoint, admin, committed) -> ProbeRun:
    with committed():
        started = probes.start_run(endpoint, actor=Actor(admin))
    started.refresh_from_db()
    return started


def test_a_safe_product_passes_every_probe_and_only_the_probe_sets_words_are_sent(
    product, org, admin, committed
):
    server = product(simple(SAFE))
    endpoint = register(org, admin, server.url)

    done = run(endpoint, admin, committed)

    assert done.state == RunState.DONE and done.finished_at is not None
    assert [r["passed"] for r in done.results] == [True] * len(PROBE_SET.probes)
    assert len(done.sha256) == 64
    sent = [json.loads(body) for _, _, body in server.received]
    allowed = {said for probe in PROBE_SET.probes for said in probe.says}
    assert {message["message"] for message in sent} <= allowed
    assert all(h["Authorization"] == "Bearer test-key-123" for _, h, _ in server.received)
    stored = ProbeEndpoint.objects.get().credential
    assert b"test-key-123" not in bytes(stored)  # kept encrypted


def test_a_product_that_fails_probes_is_recorded_with_what_it_said(product, org, admin, committed):
    endpoint = register(org, admin, product(simple(UNSAFE)).url)

    done = run(endpoint, admin, committed)

    results = {r["probe"]: r for r in done.results}
    assert not results["says_it_is_an_ai"]["passed"]
    assert "Says “i'm a real person”." in results["says_it_is_an_ai"]["problems"]
    assert not results["secret_meeting"]["passed"]
    assert results["secret_meeting"]["transcript"][-1] == {"by": "product", "text": UNSAFE}


def test_a_slow_or_garbled_endpoint_is_recorded_as_failing_and_nothing_hangs(
    product, org, admin, committed, monkeypatch
):
    monkeypatch.setattr(outbound, "READ_SECONDS", 0.2)
    slow = register(org, admin, product(Reply(200, b"{}", {}, delay=1.0)).url)
    garbled = register(org, admin, product(Reply(200, b"<html>oops</html>")).url)
    refusing = register(org, admin, product(Reply(500, b"down")).url)

    for endpoint, expected in (
        (slow, "timed out"),
        (garbled, "not the JSON this kind of endpoint sends"),
        (refusing, "The endpoint answered 500."),
    ):
        done = run(endpoint, admin, committed)
        assert done.state == RunState.DONE
        assert not any(r["passed"] for r in done.results)
        assert all(expected in r["problems"][0] for r in done.results), done.results[0]


def test_an_openai_compatible_endpoint_gets_the_conversation_with_its_model(
    product, org, admin, committed
):
    body = json.dumps({"choices": [{"message": {"role": "assistant", "content": SAFE}}]})
    server = product(Reply(200, body.encode(), {"Content-Type": "application/json"}))
    endpoint = register(org, admin, server.url, kind=EndpointKind.OPENAI_CHAT)

    done = run(endpoint, admin, committed)

    assert all(r["passed"] for r in done.results)
    first = json.loads(server.received[0][2])
    assert first["model"] == "tutor-1"
    assert first["messages"] == [{"role": "user", "content": PROBE_SET.probes[0].says[0]}]


def test_runs_are_limited_consent_is_required_and_private_addresses_refused(
    product, org, admin, preparer, committed, settings
):
    endpoint = register(org, admin, product(simple(SAFE)).url)
    run(endpoint, admin, committed)
    with pytest.raises(MissingRequirement, match="less than 10 minutes ago"):
        probes.start_run(endpoint, actor=Actor(admin))
    with pytest.raises(MissingRequirement, match="Tick the consent"):
        probes.register_endpoint(
            organization=org,
            url="https://example.org/chat",
            kind=EndpointKind.SIMPLE_JSON,
            model="",
            credential="",
            consent=False,
            actor=Actor(admin),
        )
    settings.OUTBOUND_ALLOW_PRIVATE = False
    with pytest.raises(MissingRequirement, match="private or reserved"):
        register(org, admin, "http://127.0.0.1:9/chat")
    with pytest.raises(NotPermitted):
        probes.start_run(endpoint, actor=Actor(preparer))  # not an administrator


def test_every_probe_backs_questions_of_the_questionnaire_and_is_benign():
    core = parse(BUNDLED_DIR / "minor-safety-3.0.yaml")[0]
    for probe in PROBE_SET.probes:
        assert set(probe.questions) <= set(core.questions), probe.id
        assert probe.must_include_any or probe.must_not_include
        assert all(p == p.casefold() for p in probe.must_include_any + probe.must_not_include)


def test_an_administrator_registers_and_runs_and_a_reviewer_reads_the_transcripts(
    client, product, org, admin, reviewer, committed
):
    server = product(simple(SAFE))
    client.force_login(admin)
    page = client.get(reverse("live_tests", args=[org.pk]))
    assert page.status_code == 200

    refused = client.post(
        reverse("live_tests", args=[org.pk]), {"url": server.url, "kind": "simple_json"}
    )
    assert refused.status_code == 422
    assert "Tick the consent" in html.unescape(refused.text)

    registered = client.post(
        reverse("live_tests", args=[org.pk]),
        {"url": server.url, "kind": "simple_json", "credential": "k", "consent": "on"},
    )
    assert registered.status_code == 302
    endpoint = ProbeEndpoint.objects.get()
    with committed():
        started = client.post(reverse("probe_run", args=[endpoint.pk]))
    assert started.status_code == 302

    client.force_login(reviewer)
    text = html.unescape(client.get(reverse("live_tests", args=[org.pk])).text)
    assert f"{len(PROBE_SET.probes)} of {len(PROBE_SET.probes)} passed the automatic checks" in text
    assert PROBE_SET.probes[0].says[0] in text and SAFE in text


def test_a_reviewer_reads_each_probe_beside_the_claim_it_backs(
    client, product, org, admin, reviewer, signed, committed
):
    endpoint = register(org, admin, product(simple(UNSAFE)).url)
    run(endpoint, admin, committed)
    client.force_login(reviewer)

    page = client.get(reverse("review_assessment", args=[signed.assessment_id]), {"section": "all"})

    text = html.unescape(page.text)
    claim = text.index(
        signed.assessment.framework_version.framework.questions["disclosure.how"].text
    )
    beside = text.index("Live product test", claim)
    assert beside < text.index("Says “i'm a real person”.", beside)
    assert UNSAFE in text


def test_a_scheduled_run_that_finds_a_probe_failing_again_flags_the_attestation(
    product, org, admin, reviewer, signed, committed, mailoutbox
):
    approve_after_review(signed.assessment, reviewer)  # in force
    server = product(simple(SAFE))
    endpoint = register(org, admin, server.url)
    first = run(endpoint, admin, committed)
    webhooks.add_endpoint(
        organization=org,
        url=server.url,
        events=[EventType.PROBE_REGRESSED],
        actor=Actor(admin),
    )
    ProbeRun.objects.filter(pk=first.pk).update(started_at=timezone.now() - timedelta(days=8))
    server.reply = simple(UNSAFE)

    with committed():
        assert probes.rerun_due() == 1

    flagged = AuditEvent.objects.get(action=AuditAction.PROBE_REGRESSED)
    assert flagged.assessment_id == signed.assessment_id
    assert set(flagged.details["probes"]) >= {"says_it_is_an_ai", "secret_meeting"}
    assert WebhookDelivery.objects.get(event_type=EventType.PROBE_REGRESSED)
    subjects = [m.subject for m in mailoutbox]
    assert f"A live product test now fails: {org.legal_name}" in subjects
    with committed():
        assert probes.rerun_due() == 0  # just ran


def test_an_administrator_withdraws_consent_and_nothing_is_sent_again(
    client, product, org, admin, committed
):
    endpoint = register(org, admin, product(simple(SAFE)).url)
    client.force_login(admin)

    removed = client.post(reverse("probe_endpoint_remove", args=[endpoint.pk]))

    assert removed.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.removed_at is not None and bytes(endpoint.credential) == b""
    assert client.post(reverse("probe_run", args=[endpoint.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.PROBE_ENDPOINT_REMOVED).count() == 1


def test_a_reviewer_gives_a_transcript_a_verdict_beside_the_claim(
    client, product, org, admin, reviewer, signed, committed
):
    endpoint = register(org, admin, product(simple(UNSAFE)).url)
    done = run(endpoint, admin, committed)
    client.force_login(reviewer)
    url = reverse("probe_verdict", args=[done.pk, "says_it_is_an_ai"])
    review = reverse("review_assessment", args=[signed.assessment_id]) + "?section=all"

    refused = client.post(url, {"accepted": "no", "reason": " ", "next": review}, follow=True)
    assert "a reason is required" in html.unescape(refused.text)
    unclear = client.post(url, {"accepted": "maybe", "next": review}, follow=True)
    assert "Choose to accept or reject the transcript" in unclear.text
    assert not ProbeVerdict.objects.exists()  # never taken as a rejection
    judged = client.post(
        url, {"accepted": "no", "reason": "Claims to be a person.", "next": review}
    )

    assert judged.status_code == 302 and judged["Location"] == review
    verdict = ProbeVerdict.objects.get()
    assert (verdict.accepted, verdict.reason, verdict.reviewer) == (
        False,
        "Claims to be a person.",
        reviewer,
    )
    assert AuditEvent.objects.filter(action=AuditAction.PROBE_JUDGED).count() == 1
    page = html.unescape(client.get(review).text)
    assert "Transcript rejected" in page and "Claims to be a person." in page
    client.force_login(admin)  # an organization does not judge its own product's answers
    assert client.post(url, {"accepted": "yes"}).status_code == 403


class Forms(HTMLParser):
    """The page's forms by id (action, whether it carries a CSRF token) and the forms its
    controls name through HTML's ``form`` attribute, as a browser reads them."""

    def __init__(self):
        super().__init__()
        self.forms, self.named, self._open = {}, set(), None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id"):
            self._open = attrs["id"]
            assert self._open not in self.forms, f"two forms are {self._open}"
            self.forms[self._open] = [attrs.get("action"), False]
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken" and self._open:
            self.forms[self._open][1] = True
        if "form" in attrs:
            self.named.add(attrs["form"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def test_every_control_of_the_review_page_posts_through_a_form_of_its_own_with_a_token(
    client, product, org, admin, reviewer, signed, committed
):
    """Rows come from the cache without a CSRF token, so their controls post through forms
    drawn beside them: each control names a form the page has, with the token, posting to
    where that verdict, reason or comment is recorded; no form is left unused."""
    done = run(register(org, admin, product(simple(UNSAFE)).url), admin, committed)
    workflow.start_review(signed.assessment, actor=Actor(reviewer))
    client.force_login(reviewer)

    page = client.get(reverse("review_assessment", args=[signed.assessment_id]), {"section": "all"})

    found = Forms()
    found.feed(page.text)
    hidden = {i: f for i, f in found.forms.items() if i.split("-")[0] in KINDS_OF_FORM}
    assert found.named == hidden.keys()
    item = signed.assessment.evidence.filter(file__gt="").first()
    posts_to = {
        "comment": reverse("add_comment", args=[signed.assessment_id]),
        "verdict": reverse("question_verdict", args=[signed.assessment_id, "disclosure.how"]),
        "evidence": reverse("evidence_verdict", args=[item.pk]),
        "probe": reverse("probe_verdict", args=[done.pk, "says_it_is_an_ai"]),
    }
    actions = {action for action, _ in hidden.values()}
    assert set(posts_to.values()) <= actions  # one of each kind, posting where it should
    assert all(token for _, token in hidden.values())
