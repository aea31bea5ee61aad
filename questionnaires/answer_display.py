"""An answer as a person reads it: the one way pages, workbooks, snapshots and reports print
an answer, so what a reviewer read is what the report says."""

from questionnaires.frameworks.schema import QuestionType
from questionnaires.scoring import Response


def display_value(question, response: Response | None) -> str:
    if response is None:
        return ""
    if response.not_applicable:
        return "Not applicable"
    value = response.value
    if question.type == QuestionType.MULTI_CHOICE and isinstance(value, list):
        return "; ".join(question.option_label(v) for v in value)
    if question.options and isinstance(value, str):
        return question.option_label(value)
    if question.type == QuestionType.EVIDENCE:
        count = response.evidence_count
        return f"{count} item{'' if count == 1 else 's'} of evidence"
    return "" if value is None else str(value)
