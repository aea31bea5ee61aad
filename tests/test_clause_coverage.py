"""Every clause of every tracked policy section is accounted for in questionnaire 3.0: asked by
named questions, or not asked for a stated reason. Checked as an auditor would: against the
records, against the texts they were made from, and on the public sources page."""

from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.actors import SYSTEM
from questionnaires import coverage
from questionnaires.frameworks.loader import BUNDLED_DIR, parse, publish
from questionnaires.policy_changes import load_bundled
from questionnaires.policy_sources import bundled_records, clauses_of, extract

V3 = parse(BUNDLED_DIR / "minor-safety-3.0.yaml")[0]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def test_every_tracked_clause_has_exactly_one_row_naming_real_questions():
    rows = coverage.rows_for("minor-safety", "3.0")
    tracked = [
        (record.id, section.heading, clause.id)
        for record in bundled_records()
        for section in record.sections
        for clause in section.clauses
    ]

    assert [(r.source, r.section, r.clause.id) for r in rows] == tracked
    assert all(bool(r.questions) != (r.not_asked is not None) for r in rows)
    assert {q for r in rows for q in r.questions} <= set(V3.questions)


def test_a_clause_without_a_row_fails(tmp_path, monkeypatch):
    table = coverage.path_for("minor-safety", "3.0").read_text()
    dropped = table.replace("      bf97a96ad9: [prohibited.academic_dishonesty]\n", "")
    monkeypatch.setattr(coverage, "COVERAGE_DIR", tmp_path)
    (tmp_path / "minor-safety-3.0.yaml").write_text(dropped)
    coverage.rows_for.cache_clear()

    with pytest.raises(coverage.CoverageError, match="clause bf97a96ad9 has no row"):
        coverage.rows_for("minor-safety", "3.0")
    coverage.rows_for.cache_clear()


def test_prohibited_uses_that_reach_young_users_are_asked():
    rows = {r.clause.id: r for r in coverage.rows_for("minor-safety", "3.0")}

    assert rows["bf97a96ad9"].questions == ("prohibited.academic_dishonesty",)  # plagiarism
    assert "prohibited.all_uses" in rows["880a217942"].questions  # election campaigning


@pytest.mark.skipif(not SEEDS.exists(), reason="the policy texts are not beside the repository")
def test_the_records_list_every_clause_of_the_texts_they_were_made_from():
    files = {"usage_policy": "002", "guidelines": "001", "commitments": "003"}
    files |= {"principles": "004", "clause_record": "000"}
    for record in bundled_records():
        document = next(SEEDS.glob(f"{files[record.id]}_*")).read_text()
        texts = extract(document, record.sections)
        for section in record.sections:
            assert section.clauses == clauses_of(texts[section.heading]), section.heading


def test_the_sources_page_shows_each_clause_with_its_questions_or_reason(client, db):
    publish(BUNDLED_DIR / "minor-safety-3.0.yaml")
    load_bundled(actor=SYSTEM)

    page = client.get(reverse("policy_source", args=["usage_policy"]))

    assert page.status_code == 200
    assert "Plagiarize or engage in academic dishonesty" in page.text
    assert "<code>prohibited.academic_dishonesty</code>" in page.text
    assert coverage.NotAsked.NOT_POLICY_TEXT.label in unescape(page.text)
