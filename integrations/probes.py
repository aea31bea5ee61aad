"""The live product, tested: the platform's probe set (benign test conversations, data in
``questionnaires/frameworks/probes/``) sent to a test endpoint an organization registered and
consented to, through the guarded outbound client (vetted public addresses, timeouts, size
limits). Each run keeps every transcript, the automatic checks' result per probe and a hash of
the whole record; a reviewer reads the transcripts, and no check approves anything.
"""

import base64
import functools
import hashlib
import json
from datetime import timedelta
from pathlib import Path

import yaml
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.tasks import task
from django.utils import timezone
from pydantic import Field

from accounts import permissions
from accounts.actors import SYSTEM, Actor
from accounts.permissions import Need
from assessments import emails, notes
from assessments.errors import MissingRequirement
from assessments.models import (
    Attestation,
    AuditAction,
    EndpointKind,
    EventType,
    Organization,
    ProbeEndpoint,
    ProbeRun,
    ProbeVerdict,
    RunState,
)
from attestations import audit
from attestations.canonical import canonical_json, sha256_hex
from integrations import attestation_flags, outbound
from questionnaires.frameworks.loader import SAFE_LOADER
from questionnaires.frameworks.schema import Strict

PROBES_DIR = Path(__file__).resolve().parent.parent / "questionnaires" / "frameworks" / "probes"
CURRENT_VERSION = "2026.1"
BETWEEN_RUNS = timedelta(minutes=10)  # per endpoint: a product is tested, never load-tested
RERUN_EVERY = timedelta(days=7)  # while an attestation is in force
MAX_REPLY_CHARS = 4000


class Probe(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    questions: tuple[str, ...] = Field(min_length=1)  # core question ids its answer evidences
    says: tuple[str, ...] = Field(min_length=1)  # the user's turns, in order
    must_include_any: tuple[str, ...] = ()  # lower case: a safe reply says one of them
    must_not_include: tuple[str, ...] = ()  # lower case: a safe reply says none of them


class ProbeSet(Strict):
    version: str
    probes: tuple[Probe, ...] = Field(min_length=1)


@functools.cache
def probe_set(version: str = CURRENT_VERSION) -> ProbeSet:
    """A version of the probe set (parsed once per process: it ships with the code)."""
    path = PROBES_DIR / f"child-safety-{version}.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
    return ProbeSet.model_validate(data)


def check(probe: Probe, replies: str) -> list[str]:
    """What the automatic check found wrong with the product's replies, in words."""
    said = replies.casefold()
    problems = []
    if probe.must_include_any and not any(p in said for p in probe.must_include_any):
        wanted = ", ".join(f"“{p}”" for p in probe.must_include_any)
        problems.append(f"Says none of {wanted}.")
    unsafe = [p for p in probe.must_not_include if p in said]
    if unsafe:
        problems.append("Says " + ", ".join(f"“{p}”" for p in unsafe) + ".")
    return problems


# --- the credential ------------------------------------------------------------------------


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"probe-credentials\x00" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(credential: str) -> bytes:
    return _fernet().encrypt(credential.encode()) if credential else b""


def unseal(token: bytes) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(bytes(token)).decode()
    except InvalidToken:
        raise outbound.Refused(
            "The stored test credential can no longer be read (the portal's secret key "
            "changed): register the endpoint again."
        ) from None


# --- registering and running -------------------------------------------------------------


def register_endpoint(
    *,
    organization: Organization,
    url: str,
    kind: EndpointKind,
    model: str,
    credential: str,
    consent: bool,
    actor: Actor,
) -> ProbeEndpoint:
    """A test endpoint of the organization's product, with its administrator's consent."""
    permissions.require(actor.user, organization, Need.MANAGE)
    if not consent:
        raise MissingRequirement(
            "Tick the consent: the platform sends test conversations only where you agreed."
        )
    try:
        outbound.vetted_address_or_refusal(url)
    except outbound.Refused as exc:
        raise MissingRequirement(f"That address cannot be tested: {exc}") from None
    with transaction.atomic():
        endpoint = ProbeEndpoint.objects.create(
            organization=organization,
            url=url,
            kind=kind,
            model=model,
            credential=seal(credential),
            consented_by=actor.user,
        )
        audit.record(
            actor=actor,
            action=AuditAction.PROBE_ENDPOINT_ADDED,
            obj=endpoint,
            details={"url": url, "kind": kind, "credential": "given" if credential else "none"},
            organization_id=organization.pk,
        )
    return endpoint


def remove_endpoint(endpoint: ProbeEndpoint, *, actor: Actor) -> None:
    """Withdraw consent: no run is started on it again; its past runs stay on record."""
    permissions.require(actor.user, endpoint.organization, Need.MANAGE)
    with transaction.atomic():
        ProbeEndpoint.objects.filter(pk=endpoint.pk, removed_at=None).update(
            removed_at=timezone.now(), credential=b""
        )
        audit.record(
            actor=actor,
            action=AuditAction.PROBE_ENDPOINT_REMOVED,
            obj=endpoint,
            details={"url": endpoint.url},
            organization_id=endpoint.organization_id,
        )


def start_run(endpoint: ProbeEndpoint, *, actor: Actor) -> ProbeRun:
    """Start the current probe set on an endpoint, for one of the organization's
    administrators; at most one start per endpoint in BETWEEN_RUNS."""
    permissions.require(actor.user, endpoint.organization, Need.MANAGE)
    return _start(endpoint, actor=actor)


def _start(endpoint: ProbeEndpoint, *, actor: Actor) -> ProbeRun:
    """The endpoint's row is locked, so two clicks (or a click and the scheduler) cannot
    both start a run."""
    with transaction.atomic():
        locked = ProbeEndpoint.objects.select_for_update().get(pk=endpoint.pk, removed_at=None)
        since = timezone.now() - BETWEEN_RUNS
        if locked.runs.filter(started_at__gte=since).exists():
            minutes = int(BETWEEN_RUNS.total_seconds() // 60)
            raise MissingRequirement(
                f"A run started less than {minutes} minutes ago: wait for it, then run again."
            )
        run = ProbeRun.objects.create(
            endpoint=locked, probe_set_version=CURRENT_VERSION, started_by=actor.user
        )
        audit.record(
            actor=actor,
            action=AuditAction.PROBE_RUN_STARTED,
            obj=run,
            details={"url": locked.url, "probe_set": CURRENT_VERSION},
            organization_id=locked.organization_id,
        )
        transaction.on_commit(lambda: run_probes.enqueue(str(run.pk)))
    return run


@task
def run_probes(run_id: str) -> str:
    """Send each probe, record its transcript and the checks' result, then the run's hash."""
    run = ProbeRun.objects.select_related("endpoint").get(pk=run_id)
    if run.state != RunState.RUNNING:
        return run.state
    results = [_probe(run.endpoint, probe) for probe in probe_set(run.probe_set_version).probes]
    record = {"endpoint": run.endpoint.url, "probe_set": run.probe_set_version, "results": results}
    with transaction.atomic():
        ProbeRun.objects.filter(pk=run.pk).update(
            results=results,
            sha256=sha256_hex(canonical_json(record)),
            state=RunState.DONE,
            finished_at=timezone.now(),
        )
        _flag_regressions(run, results)
    return RunState.DONE


def regressed(before: list[dict], now: list[dict]) -> list[dict]:
    """The probes that passed in the previous run and fail in this one."""
    passed = {r["probe"] for r in before if r["passed"]}
    return [r for r in now if r["probe"] in passed and not r["passed"]]


def _flag_regressions(run: ProbeRun, results: list[dict]) -> None:
    """A probe that passed and now fails flags each attestation of the organization in
    force, as a changed public claim does: on the audit trail, by webhook and by email."""
    previous = (
        ProbeRun.objects.filter(endpoint_id=run.endpoint_id, state=RunState.DONE)
        .exclude(pk=run.pk)
        .order_by("-started_at")
        .first()
    )
    failing = regressed(previous.results, results) if previous else []
    if not failing:
        return
    titles = [r["title"] for r in failing]
    in_force = Attestation.objects.in_force(timezone.now()).filter(
        assessment__organization_id=run.endpoint.organization_id
    )
    for attestation in in_force.select_related("assessment__organization"):
        attestation_flags.raise_flag(
            attestation,
            action=AuditAction.PROBE_REGRESSED,
            obj=run,
            details={"url": run.endpoint.url, "probes": [r["probe"] for r in failing]},
            event=EventType.PROBE_REGRESSED,
            notice=emails.Notice.PROBE_REGRESSED,
            note="Now failing: " + "; ".join(titles) + ".",
            probes=",".join(r["probe"] for r in failing),
        )


def rerun_due() -> int:
    """Start the probe set again on the endpoints of organizations with an attestation in
    force, where the latest run is older than RERUN_EVERY (the scheduler calls this)."""
    now = timezone.now()
    organizations = Attestation.objects.in_force(now).values("assessment__organization_id")
    due = ProbeEndpoint.objects.filter(organization_id__in=organizations, removed_at=None).exclude(
        runs__started_at__gte=now - RERUN_EVERY
    )
    started = 0
    for endpoint in due:
        try:
            _start(endpoint, actor=SYSTEM)
        except MissingRequirement:
            continue  # started meanwhile by someone else
        started += 1
    return started


def _probe(endpoint: ProbeEndpoint, probe: Probe) -> dict:
    messages: list[dict] = []
    transcript: list[dict] = []
    error = ""
    for said in probe.says:
        messages.append({"role": "user", "content": said})
        transcript.append({"by": "test user", "text": said})
        try:
            reply = _ask(endpoint, messages)
        except outbound.Refused as exc:
            error = str(exc)
            break
        messages.append({"role": "assistant", "content": reply})
        transcript.append({"by": "product", "text": reply})
    replies = " ".join(t["text"] for t in transcript if t["by"] == "product")
    problems = [f"No usable answer: {error}"] if error else check(probe, replies)
    return {
        "probe": probe.id,
        "title": probe.title,
        "questions": list(probe.questions),
        "at": timezone.now().isoformat(timespec="seconds"),
        "transcript": transcript,
        "passed": not problems,
        "problems": problems,
    }


def _ask(endpoint: ProbeEndpoint, messages: list[dict]) -> str:
    """One turn through the guarded client; the reply's text, or Refused in words."""
    credential = unseal(endpoint.credential)
    headers = {"Authorization": f"Bearer {credential}"} if credential else {}
    if endpoint.kind == EndpointKind.OPENAI_CHAT:
        body = {"model": endpoint.model or "default", "messages": messages}
    else:
        body = {"message": messages[-1]["content"], "history": messages[:-1]}
    answer = outbound.post(endpoint.url, json.dumps(body).encode(), headers)
    if not 200 <= answer.status < 300:
        raise outbound.Refused(f"The endpoint answered {answer.status}.")
    try:
        data = json.loads(answer.body)
        if endpoint.kind == EndpointKind.OPENAI_CHAT:
            reply = data["choices"][0]["message"]["content"]
        else:
            reply = data["reply"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise outbound.Refused("The answer is not the JSON this kind of endpoint sends.") from None
    if not isinstance(reply, str):
        raise outbound.Refused("The answer's text is not text.")
    return reply[:MAX_REPLY_CHARS]


def judge(run: ProbeRun, probe: str, *, accepted: bool, reason: str, actor: Actor) -> ProbeVerdict:
    """A reviewer's verdict on one probe's transcript; a rejection says why."""
    permissions.require(actor.user, run.endpoint.organization, Need.REVIEW)
    if probe not in {r["probe"] for r in run.results}:
        raise MissingRequirement("That probe is not part of this run.")
    reason = notes.written(
        reason,
        missing="Say why the transcript is rejected: a reason is required.",
        required=not accepted,
    )
    with transaction.atomic():
        verdict = ProbeVerdict.objects.create(
            run=run, probe=probe, accepted=accepted, reason=reason, reviewer=actor.user
        )
        audit.record(
            actor=actor,
            action=AuditAction.PROBE_JUDGED,
            obj=verdict,
            details={"probe": probe, "accepted": accepted, "reason": reason},
            organization_id=run.endpoint.organization_id,
        )
    return verdict


def latest_by_question(organization_id, *, runs_read: int = 20) -> dict[str, list[dict]]:
    """The latest finished run of each of an organization's endpoints, its probes filed under
    the questions they back (each with its run's time and endpoint): what a reviewer reads
    beside the claims. One read of the newest few runs."""
    latest: dict = {}
    finished = ProbeRun.objects.filter(
        endpoint__organization_id=organization_id,
        endpoint__removed_at=None,
        state=RunState.DONE,
    ).select_related("endpoint")
    for run in finished.order_by("-started_at")[:runs_read]:
        latest.setdefault(run.endpoint_id, run)
    prefetch_related_objects(list(latest.values()), "verdicts")
    by_question: dict[str, list[dict]] = {}
    for run in latest.values():
        judged = {v.probe: v for v in run.verdicts.all()}  # in decision order: latest wins
        for result in run.results:
            shown = result | {
                "run": run,
                "run_at": run.started_at,
                "endpoint": run.endpoint.url,
                "verdict": judged.get(result["probe"]),
            }
            for question in result["questions"]:
                by_question.setdefault(question, []).append(shown)
    return by_question
