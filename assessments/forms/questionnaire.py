"""The questionnaire form: one field per shown question, typed by the framework definition.

Nothing is required at save time, so a half-finished section can always be saved and
resumed; completeness is checked when the assessment is submitted.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from assessments import prompt_check
from assessments.answers import AnswerInput
from assessments.evidence import (
    ALLOWED,
    CheckedUpload,
    EvidenceRejected,
    Validity,
    check_upload,
    size_limit,
)
from assessments.models import NOTE_MAX_CHARS
from questionnaires.frameworks.schema import Question, QuestionType
from questionnaires.scoring import Response

TEXT_MAX = 5000


def field_name(question_id: str) -> str:
    return "q_" + question_id.replace(".", "__")


def na_name(question_id: str) -> str:
    return "na_" + question_id.replace(".", "__")


def justification_name(question_id: str) -> str:
    return "why_" + question_id.replace(".", "__")


def revision_name(question_id: str) -> str:
    return "rev_" + question_id.replace(".", "__")


def evidence_url_name(question_id: str) -> str:
    return "evurl_" + question_id.replace(".", "__")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def evidence_file_name(question_id: str) -> str:
    return "evfile_" + question_id.replace(".", "__")


def evidence_reuse_name(question_id: str) -> str:
    return "evreuse_" + question_id.replace(".", "__")


def evidence_from_name(question_id: str) -> str:
    return "evfrom_" + question_id.replace(".", "__")


def evidence_until_name(question_id: str) -> str:
    return "evuntil_" + question_id.replace(".", "__")


def evidence_text_name(question_id: str) -> str:
    return "evtext_" + question_id.replace(".", "__")


def _value_field(question: Question) -> forms.Field | None:
    common = {"label": question.text, "help_text": question.help, "required": False}
    choices = [(o.value, o.label) for o in question.options]
    match question.type:
        case QuestionType.YES_NO | QuestionType.SINGLE_CHOICE:
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        case QuestionType.MULTI_CHOICE:
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        case QuestionType.TEXT:
            return forms.CharField(
                max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}), **common
            )
        case QuestionType.URL:
            return forms.URLField(
                max_length=500, assume_scheme="https", widget=forms.URLInput, **common
            )
        case QuestionType.DATE:
            if question.allow_future:
                return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
            return forms.DateField(
                widget=forms.DateInput(attrs={"type": "date", "max": timezone.localdate()}),
                validators=[not_in_future],
                **common,
            )
        case QuestionType.NUMBER:
            # Every number asked is a count or an estimate of one.
            return forms.DecimalField(max_digits=14, decimal_places=4, min_value=0, **common)
    return None  # evidence questions have no typed value, only files and links


def not_in_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(
            "This date is in the future. Give the date it actually happened.",
            code="future_date",
        )


def _stored(question: Question, value):
    """The JSON value kept for a cleaned field value."""
    if value in (None, "", []):
        return None
    if question.type == QuestionType.DATE:
        return value.isoformat()
    if question.type == QuestionType.NUMBER:
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _reusable(files_on_hand: list, question_id: str) -> list[tuple[str, str]]:
    """Files uploaded for other questions, one per content, not yet attached to this one."""
    attached = {i.sha256 for i in files_on_hand if i.question_id == question_id}
    offered: dict[str, tuple[str, str]] = {}
    for item in files_on_hand:
        if item.sha256 not in attached and item.sha256 not in offered:
            where = item.question_id
            if getattr(item, "other_product", None):
                where = f"{item.question_id} of {item.other_product}"
            offered[item.sha256] = (str(item.pk), f"{item.original_name} (for {where})")
    return list(offered.values())


class SectionForm(forms.Form):
    """Answers to the shown questions of one section (or of one question, for autosave)."""

    def __init__(
        self,
        *args,
        questions: list[Question],
        responses: dict,
        revisions: dict,
        files_on_hand: list | None = None,
        **kw,
    ):
        """``files_on_hand``: the assessment's uploaded files, offered for reuse on the
        evidence questions they are not attached to yet."""
        super().__init__(*args, **kw)
        self.questions = questions
        self.files_on_hand = {str(item.pk): item for item in files_on_hand or []}
        self.checked_uploads: dict[str, list[CheckedUpload]] = {}
        for q in questions:
            response = responses.get(q.id) or Response()
            field = _value_field(q)
            if field is not None:
                self.fields[field_name(q.id)] = field
                self.initial[field_name(q.id)] = response.value
            else:
                self.fields[evidence_file_name(q.id)] = MultipleFileField(
                    label="Upload files",
                    required=False,
                    help_text=f"{q.help} {ALLOWED}, up to {size_limit()} each.".strip(),
                )
                if q.id in prompt_check.PROMPT_QUESTIONS:
                    self.fields[evidence_text_name(q.id)] = forms.CharField(
                        label="…or paste the prompt's text",
                        required=False,
                        max_length=prompt_check.MAX_CHARS,
                        strip=False,
                        help_text="Kept privately as a text file, like an upload, and compared "
                        "with the platform's child-safety prompt.",
                        widget=forms.Textarea(attrs={"rows": 4}),
                    )
                self.fields[evidence_url_name(q.id)] = forms.URLField(
                    label="…or link to evidence (URL)",
                    required=False,
                    max_length=500,
                    assume_scheme="https",
                )
                offered = _reusable(files_on_hand or [], q.id)
                if offered:
                    self.fields[evidence_reuse_name(q.id)] = forms.MultipleChoiceField(
                        label="…or attach files already uploaded for other questions",
                        required=False,
                        choices=offered,
                        widget=forms.CheckboxSelectMultiple,
                    )
                self.fields[evidence_from_name(q.id)] = forms.DateField(
                    label="Applies from (optional)",
                    required=False,
                    widget=forms.DateInput(attrs={"type": "date"}),
                )
                self.fields[evidence_until_name(q.id)] = forms.DateField(
                    label="Valid until (optional)",
                    required=False,
                    help_text="For a test, an assessment or a review that must be redone: "
                    "evidence that lapses before the attestation would end is flagged.",
                    widget=forms.DateInput(attrs={"type": "date"}),
                )
            if q.allow_not_applicable:
                self.fields[na_name(q.id)] = forms.BooleanField(
                    label="Not applicable to our product",
                    required=False,
                    # portal.js shows the justification only while this is ticked
                    widget=forms.CheckboxInput(
                        attrs={"data-na-toggle": f"div_id_{justification_name(q.id)}"}
                    ),
                )
                self.fields[justification_name(q.id)] = forms.CharField(
                    label="Why it does not apply",
                    required=False,
                    max_length=TEXT_MAX,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                self.initial[na_name(q.id)] = response.not_applicable
                self.initial[justification_name(q.id)] = response.justification
            self.initial[revision_name(q.id)] = revisions.get(q.id, 0)
            self.fields[revision_name(q.id)] = forms.IntegerField(
                required=False, widget=forms.HiddenInput, min_value=0
            )

    def clean(self):
        cleaned = super().clean()
        for q in self.questions:
            if cleaned.get(na_name(q.id)) and not (cleaned.get(justification_name(q.id)) or ""):
                self.add_error(
                    justification_name(q.id),
                    "Say why this does not apply: a justification is required for “not "
                    "applicable”.",
                )
            checked = []
            for upload in cleaned.get(evidence_file_name(q.id)) or []:
                try:
                    checked.append(check_upload(upload))
                except EvidenceRejected as exc:
                    self.add_error(evidence_file_name(q.id), str(exc))
            pasted = cleaned.get(evidence_text_name(q.id)) or ""
            if pasted.strip():
                text = ContentFile(pasted.encode("utf-8"), name="pasted-prompt.txt")
                checked.append(check_upload(text))
            self.checked_uploads[q.id] = checked
            period = Validity(
                cleaned.get(evidence_from_name(q.id)), cleaned.get(evidence_until_name(q.id))
            )
            if problem := period.problem():
                self.add_error(evidence_until_name(q.id), problem)
        return cleaned

    def answer_inputs(self) -> list[AnswerInput]:
        """What to save: one input per question that has a typed value or N/A."""
        items = []
        for q in self.questions:
            name = field_name(q.id)
            if name not in self.fields and na_name(q.id) not in self.fields:
                continue
            not_applicable = bool(self.cleaned_data.get(na_name(q.id)))
            items.append(
                AnswerInput(
                    question_id=q.id,
                    value=_stored(q, self.cleaned_data.get(name)),
                    not_applicable=not_applicable,
                    justification=(self.cleaned_data.get(justification_name(q.id)) or "").strip(),
                    base_revision=self.cleaned_data.get(revision_name(q.id)),
                )
            )
        return items

    def blocks(self) -> list[dict]:
        """Per question, its bound fields, for templates that lay out one block each."""
        names = {
            "value": field_name,
            "na": na_name,
            "why": justification_name,
            "revision": revision_name,
            "evidence_file": evidence_file_name,
            "evidence_text": evidence_text_name,
            "evidence_url": evidence_url_name,
            "evidence_reuse": evidence_reuse_name,
            "evidence_from": evidence_from_name,
            "evidence_until": evidence_until_name,
        }
        blocks = []
        for q in self.questions:
            block = {"question": q} | {
                key: self[make(q.id)] for key, make in names.items() if make(q.id) in self.fields
            }
            blocks.append(block)
        return blocks

    def evidence_reused(self) -> dict[str, list]:
        """Per evidence question, the files on hand chosen to back it too (after is_valid())."""
        return {
            q.id: [self.files_on_hand[pk] for pk in self.cleaned_data.get(name, [])]
            for q in self.questions
            if (name := evidence_reuse_name(q.id)) in self.fields
        }

    def evidence_uploads(self) -> dict[str, tuple[list[CheckedUpload], str, Validity]]:
        """Per evidence question, its checked files, its link and the period they speak for
        (after is_valid())."""
        return {
            q.id: (
                self.checked_uploads.get(q.id, []),
                self.cleaned_data.get(evidence_url_name(q.id)) or "",
                Validity(
                    self.cleaned_data.get(evidence_from_name(q.id)),
                    self.cleaned_data.get(evidence_until_name(q.id)),
                ),
            )
            for q in self.questions
            if q.type == QuestionType.EVIDENCE
        }


class WorkbookImportForm(forms.Form):
    workbook = forms.FileField(
        label="Filled-in workbook (.xlsx)",
        help_text="The file you downloaded from this assessment, with the shaded columns "
        "filled in. Rows you did not change are left as they are.",
    )
    apply_valid_rows = forms.BooleanField(
        required=False,
        label="If some rows have problems, save the others anyway",
        help_text="Otherwise nothing is saved until every row is right.",
    )


class RegimeChoiceForm(forms.Form):
    """Add a law's questions the scope does not call for, or remove ones it does."""

    ADD, REMOVE = "add", "remove"
    action = forms.ChoiceField(choices=[(ADD, "Add"), (REMOVE, "Remove")], widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason (shown to the reviewers and in the signed report)",
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why: a reason is required to add or remove a law."},
    )


class SubmitForm(forms.Form):
    """Submitting locks the answers: the preparer confirms having read the summary above."""

    confirm = forms.BooleanField(
        label="I have read this summary. Submit the answers, which then lock, for signature."
    )
