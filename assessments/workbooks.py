"""The questionnaire as an XLSX workbook: answered offline, then imported back.

The import checks every row with the section form's own rules (one set of rules, whichever
way an answer arrives), applies nothing while a row has a problem unless the person asks for
the valid rows, and saves through `answers.save_answers`: a row someone changed in the portal
since the export is reported as a conflict, never overwritten. Only rows the person edited
are sent; the workbook carries a fingerprint of each row as exported.

A multiple-choice question is followed by one row per option, each answered "Yes" from a
list, so that options are picked rather than typed.
"""

import datetime
import hashlib
import io
import zipfile
from dataclasses import dataclass, field

from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.actors import Actor
from assessments import answers
from assessments.forms.questionnaire import (
    SectionForm,
    field_name,
    justification_name,
    na_name,
    revision_name,
)
from assessments.models import Assessment
from questionnaires import regimes, scoring
from questionnaires.answer_display import display_value
from questionnaires.frameworks.schema import Question, QuestionType
from questionnaires.scoring import QuestionResult

ANSWERS = "Answers"
ABOUT = "About"
ALLOWED_SHEET = "Allowed answers"
# (key, heading, width); the last two are hidden and must come back as exported.
COLUMNS = [
    ("question_id", "Question ID", 22),
    ("section", "Section", 20),
    ("question", "Question", 60),
    ("needed", "Required", 10),
    ("critical", "Critical safeguard", 10),
    ("status", "Status now", 16),
    ("guidance", "Guidance", 50),
    ("allowed", "Allowed answers", 40),
    ("answer", "Your answer", 45),
    ("not_applicable", "Not applicable? (yes, or leave empty)", 16),
    ("why", "Why it does not apply", 40),
    ("revision", "Revision (do not edit)", 8),
    ("fingerprint", "As exported (do not edit)", 8),
]
HEADINGS = [heading for _, heading, _ in COLUMNS]
COLUMN = {key: index for index, (key, _, _) in enumerate(COLUMNS)}
EDITABLE = ("answer", "not_applicable", "why")
MAX_BYTES = 2 * 1024 * 1024  # a filled-in questionnaire is tens of kilobytes
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # refuses a zip bomb before anything is parsed
YES = {"yes", "y", "true", "x", "n/a", "na", "not applicable"}
NO = {"", "no", "n", "false"}
LIST_SEPARATOR = ";"
OPTION_MARK = ":"  # "scope.age_bands:under_13" is the row of one option of that question
PICKED = "Yes"
PICK_HINT = f"Pick: “{PICKED}” in the rows below for each that applies"
EDITABLE_FILL = PatternFill("solid", fgColor="FFF8E1")


class WorkbookRejected(Exception):
    """The file as a whole cannot be read as this assessment's workbook."""


@dataclass(frozen=True)
class RowProblem:
    row: int
    question_id: str
    question: str
    message: str


@dataclass
class ImportCheck:
    changes: list[answers.AnswerInput] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    unchanged: int = 0
    questions: dict[str, Question] = field(default_factory=dict)  # every question it carried


def filename(assessment: Assessment) -> str:
    version = assessment.framework_version
    return f"{assessment.organization.file_stem}-{version.slug}-{version.version}-answers.xlsx"


# --- export -------------------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value)


def _answer_cell(question: Question, response) -> object:
    """What the answer column shows: option labels, a real date or number, or the text."""
    if response is None or response.value is None or response.not_applicable:
        return None
    if question.type == QuestionType.DATE:
        return datetime.date.fromisoformat(response.value)
    if question.type == QuestionType.NUMBER:
        return response.value
    return display_value(question, response)


def _fingerprint(answer, not_applicable, why) -> str:
    """Of the editable cells as the person sees them: an unedited row is skipped on import."""
    seen = "\x1f".join(_cell_text(v) for v in (answer, not_applicable, why))
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def _cell_text(value) -> str:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _text(value).strip()


def _cell(sheet, row: int, column: int, value):
    """Every cell the portal writes: text stays text, so an answer or a name starting with
    "=" is never a formula (openpyxl would otherwise store it as one)."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _put(sheet, row: int, column: str, value) -> None:
    cell = _cell(sheet, row, COLUMN[column] + 1, value)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if column in EDITABLE:
        cell.fill = EDITABLE_FILL


def _rows_to_carry(assessment: Assessment, responses) -> list[tuple[str, QuestionResult]]:
    """The questions the portal shows, with their section's heading and how each stands
    (the same rule for what is shown and required as the pages): the questionnaire's, then
    the questions of each law the assessment answers (COPPA, the UK code...)."""
    framework = assessment.framework_version.framework
    core = scoring.score(framework, responses, timezone.localdate())
    rows = [(s.section.title, q) for s in core.sections for q in s.questions]
    for outcome in regimes.results_for(framework, core, responses, regimes.choices_of(assessment)):
        rows += [
            (f"{outcome.regime.short}: {s.section.title}", q)
            for s in outcome.result.sections
            for q in s.questions
        ]
    return rows


def _importable(assessment: Assessment, responses) -> dict[str, Question]:
    """The questions an import may answer: all of the questionnaire's (a row the export left
    out is still a question), and those of each law the assessment answers."""
    framework = assessment.framework_version.framework
    questions = dict(framework.questions)
    for regime in regimes.applicable(framework, responses, regimes.choices_of(assessment)):
        questions |= regime.framework.questions
    return questions


def export(assessment: Assessment) -> bytes:
    responses, revisions = answers.responses_and_revisions(assessment)
    book = Workbook()
    sheet = book.active
    sheet.title = ANSWERS
    for column, heading in enumerate(HEADINGS, start=1):
        _cell(sheet, 1, column, heading).font = Font(bold=True)
    sheet.freeze_panes = "B2"
    allowed = book.create_sheet(ALLOWED_SHEET)
    choice_column = 0
    row = 1
    for heading, shown in _rows_to_carry(assessment, responses):
        question = shown.question
        row += 1
        response = responses.get(question.id)
        evidence = question.type == QuestionType.EVIDENCE
        multiple = question.type == QuestionType.MULTI_CHOICE
        if evidence:
            answer = (
                f"Upload evidence in the portal ({display_value(question, response) or 'none yet'})"
            )
        elif multiple:
            answer = _joined(_picked(question, response))
        else:
            answer = _answer_cell(question, response)
        not_applicable = "yes" if response and response.not_applicable else None
        why = (response.justification or None) if response else None
        cells = {
            "question_id": question.id,
            "section": heading,
            "question": question.text,
            "needed": "required" if shown.required else "optional",
            "critical": "critical" if question.critical else None,
            "status": shown.status.label,
            "guidance": question.help or None,
            "allowed": _allowed_text(question),
            "answer": answer,
            "not_applicable": not_applicable,
            "why": why,
            "revision": revisions.get(question.id, 0),
            "fingerprint": _fingerprint(answer, not_applicable, why),
        }
        for column, value in cells.items():
            _put(sheet, row, column, value)
        if question.type in (QuestionType.YES_NO, QuestionType.SINGLE_CHOICE):
            choice_column += 1
            _dropdown(sheet, allowed, row, choice_column, [o.label for o in question.options])
        if multiple:
            _cell(sheet, row, COLUMN["answer"] + 1, PICK_HINT).fill = PatternFill()
            choice_column += 1
            chosen = _picked(question, response)
            for option in question.options:
                row += 1
                picked = option.label in chosen
                _option_row(sheet, allowed, row, choice_column, heading, question, option, picked)
    for index, (_, _, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for key in ("revision", "fingerprint"):
        sheet.column_dimensions[get_column_letter(COLUMN[key] + 1)].hidden = True
    allowed.sheet_state = "hidden"
    about = book.create_sheet(ABOUT)
    for row, pair in enumerate(
        (
            ("Assessment", str(assessment.pk)),
            ("Organization", assessment.organization.legal_name),
            ("Questionnaire", str(assessment.framework_version)),
            ("Exported", timezone.now().isoformat(timespec="seconds")),
            (
                "How to use",
                "Fill in the shaded columns of the Answers sheet and import the file "
                "on the assessment's page. Rows you did not change are left as they are. "
                "Questions your answers make irrelevant are left out, as in the portal: "
                "after changing the scope answers, import, then export again.",
            ),
        ),
        start=1,
    ):
        for column, value in enumerate(pair, start=1):
            _cell(about, row, column, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _picked(question: Question, response) -> list[str]:
    """The options of a multiple-choice answer, as labels in the question's order (what the
    fingerprint covers, whichever order they were saved in)."""
    if response is None or response.not_applicable or not isinstance(response.value, list):
        return []
    return [o.label for o in question.options if o.value in response.value]


def _joined(labels: list[str]) -> str:
    return f"{LIST_SEPARATOR} ".join(labels)


def _option_row(sheet, allowed, row, choice_column, heading, question, option, picked) -> None:
    """One option of a multiple-choice question, picked with "Yes" from a list."""
    cells = {
        "question_id": f"{question.id}{OPTION_MARK}{option.value}",
        "section": heading,
        "question": f"   ↳ {option.label}",
        "allowed": f"“{PICKED}”, or leave empty",
        "answer": PICKED if picked else None,
    }
    for column, value in cells.items():
        _put(sheet, row, column, value)
    _dropdown(sheet, allowed, row, choice_column, [PICKED])


def _allowed_text(question: Question) -> str:
    match question.type:
        case QuestionType.YES_NO | QuestionType.SINGLE_CHOICE:
            return "One of: " + _joined([o.label for o in question.options])
        case QuestionType.MULTI_CHOICE:
            return f"Any of the options below: “{PICKED}” beside each that applies"
        case QuestionType.DATE:
            return "A date" + ("" if question.allow_future else ", not in the future")
        case QuestionType.NUMBER:
            return "A number, 0 or more"
        case QuestionType.URL:
            return "A web address"
        case QuestionType.EVIDENCE:
            return "Files and links are added in the portal"
    return "Text"


def _dropdown(sheet, allowed, row: int, column: int, labels: list[str]) -> None:
    """A list to pick from, its labels kept on a hidden sheet (a label may hold a comma)."""
    letter = get_column_letter(column)
    for index, label in enumerate(labels, start=1):
        _cell(allowed, index, column, label)
    rule = DataValidation(
        type="list",
        formula1=f"'{ALLOWED_SHEET}'!${letter}$1:${letter}${len(labels)}",
        allow_blank=True,
        showErrorMessage=False,  # the import explains a wrong answer better than Excel can
    )
    sheet.add_data_validation(rule)
    rule.add(sheet.cell(row=row, column=COLUMN["answer"] + 1))


# --- import -------------------------------------------------------------------------------


def _open(upload) -> Workbook:
    if upload.size > MAX_BYTES:
        raise WorkbookRejected(
            "This file is far larger than a questionnaire workbook (at most 2 MB). Export the "
            "workbook again and fill in that one."
        )
    data = upload.read()
    not_xlsx = WorkbookRejected(
        "This file is not an Excel workbook (.xlsx). Export the questionnaire from the "
        "portal, fill it in, and save it as .xlsx."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(item.file_size for item in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise WorkbookRejected("This file unpacks to far more than a workbook holds.")
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except WorkbookRejected:
        raise
    except Exception as exc:  # any unreadable file: one clear answer
        raise not_xlsx from exc


def _rows(book: Workbook, assessment: Assessment, limit: int):
    if ANSWERS not in book.sheetnames or ABOUT not in book.sheetnames:
        raise WorkbookRejected(
            "This workbook was not exported by the portal (its Answers or About sheet is "
            "missing). Export the questionnaire and fill in that file."
        )
    about = {row[0]: row[1] for row in book[ABOUT].iter_rows(max_row=10, values_only=True) if row}
    if about.get("Assessment") != str(assessment.pk):
        raise WorkbookRejected(
            "This workbook belongs to another assessment "
            f"({about.get('Organization') or 'unknown'}, {about.get('Questionnaire') or '?'}). "
            "Export this assessment's workbook and fill in that one."
        )
    rows = book[ANSWERS].iter_rows(max_row=limit + 1, values_only=True)
    if [_text(v) for v in next(rows, ())][: len(HEADINGS)] != HEADINGS:
        raise WorkbookRejected(
            "The Answers sheet's columns were changed. Keep the columns as exported and "
            "fill in the shaded ones."
        )
    for number, cells in enumerate(rows, start=2):
        cells = (list(cells) + [None] * len(COLUMNS))[: len(COLUMNS)]
        if any(v not in (None, "") for v in cells):
            yield number, {key: cells[index] for key, index in COLUMN.items()}


def _choice(question: Question, text: str) -> str | None:
    wanted = text.strip().casefold()
    for option in question.options:
        if wanted in (option.label.casefold(), option.value.casefold()):
            return option.value
    return None


def _allowed_labels(question: Question) -> str:
    return ", ".join(f"“{o.label}”" for o in question.options)


def _posted(question: Question, cells: dict) -> tuple[dict, str]:
    """The row as the section form would receive it, or a problem with the row's cells."""
    data = {revision_name(question.id): _cell_text(cells["revision"])}
    flag = _cell_text(cells["not_applicable"]).casefold()
    if flag not in YES | NO:
        return data, "Write “yes” in the not-applicable column, or leave it empty."
    if flag in YES:
        if not question.allow_not_applicable:
            return data, "This question cannot be marked not applicable: answer it."
        data[na_name(question.id)] = "on"
    if question.allow_not_applicable:
        data[justification_name(question.id)] = _cell_text(cells["why"])
    answer = cells["answer"]
    if question.type == QuestionType.MULTI_CHOICE:
        chosen = []
        for part in _cell_text(answer).replace("\n", LIST_SEPARATOR).split(LIST_SEPARATOR):
            if not part.strip():
                continue
            value = _choice(question, part)
            if value is None:
                return data, f"“{part.strip()}” is not one of {_allowed_labels(question)}."
            chosen.append(value)
        data[field_name(question.id)] = chosen
    elif question.options and _cell_text(answer):
        value = _choice(question, _cell_text(answer))
        if value is None:
            return data, f"“{_cell_text(answer)}” is not one of {_allowed_labels(question)}."
        data[field_name(question.id)] = value
    elif question.type == QuestionType.DATE and isinstance(answer, datetime.datetime):
        data[field_name(question.id)] = answer.date().isoformat()
    else:
        data[field_name(question.id)] = _cell_text(answer)
    return data, ""


def _picks(rows, questions: dict[str, Question]) -> tuple[dict[str, list[str]], list]:
    """The options picked in the option rows, as labels in the question's order, by question;
    and the option rows that cannot be read."""
    picked: dict[str, set[str]] = {}
    problems = []
    for number, cells in rows:
        question_id, mark, value = _cell_text(cells["question_id"]).partition(OPTION_MARK)
        if not mark:
            continue
        question = questions.get(question_id)
        option = question and next((o for o in question.options if o.value == value), None)
        answer = _cell_text(cells["answer"]).casefold()
        if option is None or question.type != QuestionType.MULTI_CHOICE:
            message = f"There is no option “{value}” of a question “{question_id}”."
        elif answer not in YES | NO:
            message = f"Write “{PICKED}” beside {option.label}, or leave it empty."
        else:
            picked.setdefault(question_id, set())
            if answer in YES:
                picked[question_id].add(option.label)
            continue
        problems.append(RowProblem(number, question_id, question.text if question else "", message))
    chosen = {
        question_id: [o.label for o in questions[question_id].options if o.label in labels]
        for question_id, labels in picked.items()
    }
    return chosen, problems


def check(assessment: Assessment, upload) -> ImportCheck:
    """Every row read and checked; nothing saved."""
    questions = _importable(assessment, answers.responses_for(assessment))
    result = ImportCheck(questions=questions)
    data: dict = {}
    edited: list[Question] = []
    rows_of: dict[str, int] = {}
    options = sum(len(q.options) for q in questions.values() if q.type == QuestionType.MULTI_CHOICE)
    rows = list(_rows(_open(upload), assessment, limit=len(questions) + options + 50))
    picks, problems = _picks(rows, questions)
    result.problems += problems
    for number, cells in rows:
        question_id = _cell_text(cells["question_id"])
        if OPTION_MARK in question_id:
            continue  # read with its question, by _picks
        question = questions.get(question_id)
        if question is None:
            message = f"There is no question “{question_id}” in this questionnaire."
            result.problems.append(RowProblem(number, question_id, "", message))
            continue
        if question_id in rows_of:
            message = f"This question is also on row {rows_of[question_id]}: keep one row."
            result.problems.append(RowProblem(number, question_id, question.text, message))
            continue
        rows_of[question_id] = number
        if question.type == QuestionType.MULTI_CHOICE and question_id in picks:
            if _cell_text(cells["answer"]) not in ("", PICK_HINT):
                message = f"Pick the options with “{PICKED}” in the rows below this one."
                result.problems.append(RowProblem(number, question_id, question.text, message))
                continue
            cells = cells | {"answer": _joined(picks[question_id])}
        editable = [cells[key] for key in EDITABLE]
        if question.type == QuestionType.EVIDENCE or _fingerprint(*editable) == _cell_text(
            cells["fingerprint"]
        ):
            result.unchanged += 1
            continue
        posted, problem = _posted(question, cells)
        if problem:
            result.problems.append(RowProblem(number, question_id, question.text, problem))
            continue
        data |= posted
        edited.append(question)
    form = SectionForm(data, questions=edited, responses={}, revisions={})
    form.is_valid()
    refused = set()
    for question in edited:
        names = (field_name, na_name, justification_name, revision_name)
        messages = [m for name in names for m in form.errors.get(name(question.id), [])]
        if messages:
            refused.add(question.id)
            result.problems.append(
                RowProblem(rows_of[question.id], question.id, question.text, " ".join(messages))
            )
    result.changes = [i for i in form.answer_inputs() if i.question_id not in refused]
    result.problems.sort(key=lambda p: p.row)
    return result


def apply(assessment: Assessment, checked: ImportCheck, *, actor: Actor) -> answers.SaveResult:
    """Save the checked rows; rows changed in the portal since the export come back as
    conflicts and are left as the portal has them."""
    return answers.save_answers(assessment, checked.changes, actor=actor)
