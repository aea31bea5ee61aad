"""Policy documents as tracked data: a changed section re-opens exactly the questions citing
it, flags the attestations resting on it, and tells the organization by when to re-attest."""

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.actors import SYSTEM, Actor
from assessments import answers, workflow
from assessments.carryover import copy_answers, question_changes, unchanged_questions
from assessments.models import AuditAction, AuditEvent, PolicyChangeFlag, Role
from questionnaires.frameworks.loader import BUNDLED_DIR, parse, publish
from questionnaires.policy_changes import load_bundled
from questionnaires.policy_sources import bundled_records, record_from
from tests.factories import member

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(), reason="shared/seeds is not beside this checkout"
)
USAGE_POLICY = "002_4797756feb4905ba.txt"
CHILDREN = "Do Not Compromise Children\u2019s Safety"


@needs_seeds
def test_the_kept_records_hash_the_provider_documents_section_by_section():
    files = {
        "guidelines": "001_7ff4fc7690d804c0.txt",
        "usage_policy": USAGE_POLICY,
        "clause_record": "000_c91fc8c0a2e0b792.txt",
        "commitments": "003_db540f781a4b347a.txt",
        "principles": "004_d5d15e21bd335426.txt",
    }
    for record in bundled_records():
        text = (SEEDS / files[record.id]).read_text(encoding="utf-8")
        again = record_from(text, record, record.effective)
        assert [(s.heading, s.sha256) for s in again.sections] == [
            (s.heading, s.sha256) for s in record.sections
        ], record.id


def edited_usage_policy(tmp_path) -> Path:
    """The usage policy with one section changed, one removed and one added."""
    text = (SEEDS / USAGE_POLICY).read_text(encoding="utf-8")
    text = text.replace(
        "- Fetishize minors\n",
        "- Fetishize or sexualize minors, including in fiction or role-play\n",
    )
    text = re.sub(
        r"### \*\*Do Not Spread Misinformation\*\*.*?(?=## \*\*Do Not Create Political)",
        "",
        text,
        flags=re.DOTALL,
    )
    text = text.replace(
        "### Do Not Generate Sexually Explicit Content",
        "### Do Not Target Minors With Advertising\n\nNew words about advertising.\n\n"
        "### Do Not Generate Sexually Explicit Content",
    )
    path = tmp_path / "usage-policy-2026-12.txt"
    path.write_text(text, encoding="utf-8")
    return path


@needs_seeds
@pytest.mark.django_db
def test_a_changed_policy_flags_the_attestations_citing_it_and_tells_the_organization(
    client, approved, preparer, reviewer, tmp_path, committed
):
    load_bundled(actor=SYSTEM)
    mail.outbox.clear()
    out = StringIO()

    with committed():
        _load(tmp_path, out)

    said = out.getvalue()
    assert f"CHANGED   {CHILDREN} — cited by" in said
    assert "REMOVED   Do Not Spread Misinformation" in said
    assert "ADDED     Do Not Target Minors With Advertising" in said
    flag = PolicyChangeFlag.objects.get(attestation=approved)
    assert flag.sections == [CHILDREN]
    assert "prohibited.terms" in flag.question_ids
    assert "age.method" not in flag.question_ids
    assert flag.due_on == datetime.date.today() + datetime.timedelta(days=90)
    assert AuditEvent.objects.filter(
        assessment_id=approved.assessment_id, action=AuditAction.POLICY_CHANGE_FLAGGED
    ).exists()
    subjects = {m.subject for m in mail.outbox}
    assert any(s.startswith("Policy changed: re-attest by") for s in subjects)
    assert {preparer.email, reviewer.email} <= {r for m in mail.outbox for r in m.to}

    client.force_login(preparer)
    overview = client.get(reverse("assessment", args=[approved.assessment_id])).content.decode()
    assert "The policy changed: re-attest by" in overview
    assert f"which attestation {approved.number} cites" in overview
    assert f"{flag.document.title} has a new text" in overview
    sources = client.get(reverse("policy_source", args=["usage_policy"])).content.decode()
    assert "Do Not Spread Misinformation (removed)" in sources


def _load(tmp_path, out, effective="2026-12-01"):
    call_command(
        "load_policy_source",
        "usage_policy",
        str(edited_usage_policy(tmp_path)),
        f"--effective={effective}",
        stdout=out,
    )


@needs_seeds
@pytest.mark.django_db
def test_loading_a_text_again_changes_nothing_and_an_older_one_is_refused(tmp_path):
    load_bundled(actor=SYSTEM)
    _load(tmp_path, StringIO())
    again = StringIO()

    _load(tmp_path, again)

    assert "loaded already: nothing changed" in again.getvalue()
    with pytest.raises(CommandError, match="an older one cannot follow it"):
        _load(tmp_path, StringIO(), effective="2025-01-01")


def test_only_the_platform_loads_a_policy_text_whoever_calls(preparer, reviewer):
    """A new text flags attestations across organizations: an organization's account cannot
    load one through any caller of the service; a platform reviewer and the command can."""
    from assessments.errors import NotPermitted
    from assessments.models import PolicyDocumentVersion
    from questionnaires.policy_changes import do_load_policy_text

    record = bundled_records()[0]
    with pytest.raises(NotPermitted):
        do_load_policy_text(record, actor=Actor(preparer))
    assert not PolicyDocumentVersion.objects.exists()

    assert do_load_policy_text(record, actor=Actor(reviewer)).created
    assert do_load_policy_text(record, actor=SYSTEM).created is False


def policy_moved_version(tmp_path) -> Path:
    """Version 2.1: the same words, written against a new text of the children's-safety
    section (another pinned hash)."""
    data = yaml.safe_load((BUNDLED_DIR / "minor-safety-2.0.yaml").read_text())
    data["version"] = "2.1"
    for section in data["sections"]:
        for question in section["questions"]:
            for citation in question.get("citations", []):
                if citation["source"] == "usage_policy" and citation["section"] == CHILDREN:
                    citation["sha256"] = "f" * 64
    path = tmp_path / "minor-safety-2.1.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


@pytest.mark.django_db
def test_a_new_version_reopens_exactly_the_questions_whose_policy_changed(
    tmp_path, org, other_org, preparer
):
    old = publish(BUNDLED_DIR / "minor-safety-2.0.yaml")[0]
    new = publish(policy_moved_version(tmp_path))[0]
    earlier = workflow.start_assessment(
        organization=org, framework_version=old, actor=Actor(preparer)
    )
    answers.save_answers(
        earlier,
        [
            answers.AnswerInput("prohibited.terms", "yes"),
            answers.AnswerInput("age.out_of_range", "yes"),
        ],
        actor=Actor(preparer),
    )
    later = workflow.start_assessment(
        organization=other_org,
        framework_version=new,
        actor=Actor(member(other_org, Role.PREPARER)),
    )

    changes = question_changes(old.framework, new.framework)
    copied = copy_answers(earlier, later, unchanged_questions(earlier, later))

    assert "prohibited.terms" in changes["policy_changed"]
    assert "moderation.csam_reporting" in changes["policy_changed"]
    assert "age.out_of_range" in changes["unchanged"]
    assert not changes["changed"] and not changes["new"]
    assert copied == ["age.out_of_range"]


@pytest.mark.django_db
def test_the_sources_page_shows_each_section_its_hash_and_the_questions_citing_it(client):
    publish(BUNDLED_DIR / "minor-safety-2.0.yaml")
    load_bundled(actor=SYSTEM)
    guidelines = next(r for r in bundled_records() if r.id == "guidelines")

    page = client.get(reverse("policy_source", args=["guidelines"]))

    assert page.status_code == 200
    text = page.content.decode()
    assert guidelines.sections[1].sha256 in text
    assert 'id="s-2-regulatory-compliance"' in text
    assert "legal.review" in text
    assert guidelines.url in text
    assert client.get(reverse("policy_source", args=["nowhere"])).status_code == 404


def test_a_citation_links_to_its_section_and_says_how_strongly_it_asks():
    from assessments.templatetags.portal import cite

    framework = parse(BUNDLED_DIR / "minor-safety-2.0.yaml")[0]
    citations = framework.questions["disclosure.how"].citations

    html = cite(citations[:1], framework)

    assert 'href="/sources/guidelines/#s-3-disclosure-requirements"' in html
    assert "(the policy requires it of the deployer)" in html
    both = cite(framework.questions["age.parental_consent"].citations, framework)
    assert (
        both.count("<a href=") == 2
        and ("</a> (the policy requires it of the deployer); <a") in both
    )
