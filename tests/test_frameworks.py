"""Framework files: validated on load, published once, never changed."""

import hashlib
from pathlib import Path

import pytest
import rfc8785
import yaml
from django.core.management import CommandError, call_command

from assessments.models import FrameworkVersion
from questionnaires.frameworks.loader import FrameworkError, bundled_files, parse, publish
from tests.conftest import approve_after_review

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture
def bundled():
    return yaml.safe_load(bundled_files()[0].read_text())


def write(tmp_path, data, name="fw.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def test_the_bundled_framework_is_valid_and_covers_every_topic():
    framework, _, _ = parse(bundled_files()[0])
    titles = " ".join(s.title for s in framework.sections).lower()
    for topic in (
        "scope",
        "age verification",
        "moderation",
        "system prompt",
        "monitoring",
        "reporting",
        "education",
        "regulatory",
        "disclosure",
        "high-risk",
        "prohibited",
    ):
        assert topic in titles
    assert len(framework.questions) >= 40


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds is not beside this checkout")
def test_every_citation_names_a_real_document_and_a_heading_in_it():
    framework, _, _ = parse(bundled_files()[0])
    for question in framework.questions.values():
        for citation in question.citations:
            source = framework.source(citation.source)
            text = (SEEDS / source.file).read_text(encoding="utf-8", errors="replace")
            assert citation.section in text, (question.id, citation.section)


def test_a_versions_fingerprint_is_the_sha256_of_its_rfc_8785_form(db):
    """The fingerprint signed into every snapshot and credential: anyone holding the stored
    definition recomputes it with any JCS implementation, as every other signed hash."""
    for path in bundled_files():
        version, _ = publish(path)
        assert version.sha256 == hashlib.sha256(rfc8785.dumps(version.definition)).hexdigest()


def test_loading_is_idempotent(db):
    first, created = publish(bundled_files()[0])
    again, created_again = publish(bundled_files()[0])
    assert created and not created_again
    assert first.pk == again.pk
    assert FrameworkVersion.objects.count() == 1


def test_a_published_version_cannot_change(db, tmp_path, bundled):
    publish(bundled_files()[0])
    bundled["sections"][0]["questions"][0]["text"] = "A quietly reworded question?"
    with pytest.raises(FrameworkError, match="already published with other content"):
        publish(write(tmp_path, bundled))


def test_a_new_version_is_published_beside_the_old(db, tmp_path, bundled):
    publish(bundled_files()[0])
    bundled["version"] = "1.1"
    publish(write(tmp_path, bundled))
    assert FrameworkVersion.current("minor-safety").version == "1.1"


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: d["sections"][1]["questions"][0].update(type="dropdown"), "age.method"),
        (lambda d: d["sections"][1]["questions"][0].pop("remediation"), "remediation"),
        (
            lambda d: d["sections"][1]["questions"][0].update(
                show_if={"question": "nowhere.to_be_found", "equals": "yes"}
            ),
            "not an earlier question",
        ),
        (
            lambda d: d["sections"][1]["questions"][0]["citations"][0].update(source="blog"),
            "unknown source 'blog'",
        ),
        (
            lambda d: d["sections"][1]["questions"][1].update(id="age.method"),
            "used twice",
        ),
    ],
)
def test_a_malformed_file_is_rejected_naming_the_file_question_and_problem(
    tmp_path, bundled, breakage, message
):
    breakage(bundled)
    path = write(tmp_path, bundled, "broken.yaml")
    with pytest.raises(FrameworkError) as error:
        parse(path)
    assert "broken.yaml" in str(error.value)
    assert message in str(error.value)


def test_not_yaml_at_all_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.yaml"
    path.write_text("sections: [unclosed")
    with pytest.raises(FrameworkError, match=r"junk\.yaml: is not valid YAML"):
        parse(path)


def test_check_mode_validates_without_storing_and_fails_on_errors(db, tmp_path, bundled, capsys):
    call_command("load_framework", str(bundled_files()[0]), "--check")
    assert FrameworkVersion.objects.count() == 0
    bundled["sections"] = []
    with pytest.raises(CommandError):
        call_command("load_framework", str(write(tmp_path, bundled)), "--check")


def next_version(tmp_path) -> Path:
    """Version 1.1 of the bundled framework: one question reworded, one added."""
    data = yaml.safe_load(bundled_files()[0].read_text())
    data["version"] = "1.1"
    age = data["sections"][1]["questions"]
    age[1]["text"] = "Are people outside your age range turned away or redirected?"
    age.append(
        {
            "id": "age.appeals",
            "text": "Can a user wrongly judged too young appeal the decision?",
            "type": "yes_no",
            "weight": 1,
            "remediation": "Offer an appeal route with a human review.",
            "citations": [{"source": "guidelines", "section": "1. Additional Technical Measures"}],
        }
    )
    return write(tmp_path, data, "minor-safety-1.1.yaml")


def test_the_diff_page_lists_new_and_changed_questions(client, framework_version, tmp_path):
    from django.urls import reverse

    from tests.factories import UserFactory

    publish(next_version(tmp_path))
    client.force_login(UserFactory())
    page = client.get(reverse("framework_diff", args=["minor-safety", "1.0", "1.1"]))
    assert page.context["new"][0].id == "age.appeals"
    assert [after.id for _, after in page.context["changed"]] == ["age.out_of_range"]
    assert "1 new, 1 changed, 0 changed because the policy changed, 0 removed" in page.text


def test_a_reassessment_carries_over_unchanged_answers_and_marks_the_rest(
    client, attestation, preparer, reviewer, tmp_path
):
    from django.urls import reverse

    from assessments.models import Assessment

    old = attestation.assessment
    approve_after_review(old, reviewer, "Fine.")
    publish(next_version(tmp_path))
    client.force_login(preparer)
    client.post(
        reverse("start_assessment", args=[old.organization_id]), {"carry_over_from": old.pk}
    )
    new = Assessment.objects.exclude(pk=old.pk).get()
    assert new.framework_version.version == "1.1"
    carried = set(new.answers.values_list("question_id", flat=True))
    assert "age.method" in carried
    assert "age.out_of_range" not in carried  # reworded: must be answered afresh
    page = client.get(reverse("section", args=[new.pk, "age_assurance"]))
    badges = {b["question"].id: b["change"] for b in page.context["blocks"]}
    assert badges["age.appeals"] == "New question"
    assert badges["age.out_of_range"] == "Changed since your last assessment"
    assert badges["age.method"] == "Carried over: check it is still true"
    assert '<span class="badge text-bg-info me-1">New question</span>' in page.content.decode()


def test_a_reassessment_carries_evidence_over_with_its_age(
    client, attestation, preparer, reviewer, committed
):
    from django.urls import reverse

    from assessments.models import Assessment, Evidence

    old = attestation.assessment
    approve_after_review(old, reviewer, "Fine.")
    before = old.evidence.get(question_id="age.evidence")
    client.force_login(preparer)
    client.post(
        reverse("start_assessment", args=[old.organization_id]), {"carry_over_from": old.pk}
    )
    new = Assessment.objects.exclude(pk=old.pk).get()
    carried = new.evidence.get(question_id="age.evidence")
    assert carried.file.name == before.file.name  # the same stored file, not a copy
    assert carried.uploaded_at == before.uploaded_at
    page = client.get(reverse("section", args=[new.pk, "age_assurance"]))
    assert "carried over, uploaded" in page.text
    with committed():  # removing it from the new draft keeps the approved one's file
        client.post(reverse("evidence_remove", args=[carried.pk]))
    assert not Evidence.objects.filter(pk=carried.pk).exists()
    assert before.file.storage.exists(before.file.name)
