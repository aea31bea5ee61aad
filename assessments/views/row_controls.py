"""Form fields that sit in a cached row of the review page and post through a form drawn
outside it (HTML's ``form`` attribute), as data: the cache key reads these few values, and
the form is made only when the row is drawn (a hundred rows' forms cost more than the rows).
"""

import enum
from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.urls import reverse

from assessments.forms.review import CommentForm, EvidenceVerdictForm, QuestionVerdictForm
from assessments.templatetags.portal import dom_id


class Kind(enum.StrEnum):
    VERDICT = "verdict"  # a question's verdict and note
    REASON = "reason"  # the reason beside an item's Accept and Reject
    COMMENT = "comment"  # a comment on the question, or on the whole assessment


FORMS: dict[Kind, type[forms.Form]] = {
    Kind.VERDICT: QuestionVerdictForm,
    Kind.REASON: EvidenceVerdictForm,
    Kind.COMMENT: CommentForm,
}


@dataclass(frozen=True)
class Controls:
    kind: Kind
    posts_to: str  # the id of the form they post through
    ids: str  # their ids, "%s" standing for each field's name
    action: str  # where that form posts
    initial: tuple[tuple[str, str], ...] = ()
    back_here: bool = False  # the form sends the page's address, to come back to it after

    @cached_property
    def fields(self) -> dict[str, forms.BoundField]:
        """The form's fields, for crispy-forms to draw (made once, when first drawn)."""
        form = FORMS[self.kind](initial=dict(self.initial), auto_id=self.ids)
        for field in form.fields.values():
            field.widget.attrs["form"] = self.posts_to
        return {name: form[name] for name in form.fields}


def verdict(qid: str, saved, *, action: str) -> Controls:
    """The question's verdict and note, the saved verdict chosen."""
    did = dom_id(qid)
    initial = (("verdict", saved.verdict), ("note", saved.note)) if saved else ()
    return Controls(Kind.VERDICT, f"verdict-form-{did}", f"%s-{did}", action, initial)


def evidence_reason(qid: str, item_pk) -> Controls:
    did = dom_id(qid)
    return Controls(
        Kind.REASON,
        f"evidence-{did}-{item_pk}",
        f"%s-{did}-{item_pk}",
        reverse("evidence_verdict", args=[item_pk]),
    )


def transcript_reason(qid: str, run_pk, probe: str) -> Controls:
    did = dom_id(qid)
    return Controls(
        Kind.REASON,
        f"probe-{run_pk}-{probe}-{did}",
        f"probe-%s-{run_pk}-{probe}-{qid}",
        reverse("probe_verdict", args=[run_pk, probe]),
        back_here=True,
    )


def comment(qid: str, *, action: str) -> Controls:
    """A comment on the question (on the whole assessment when ``qid`` is empty)."""
    key = qid or "general"
    return Controls(
        Kind.COMMENT,
        f"comment-form-{key}",
        f"comment-%s-{key}",
        action,
        (("question_id", qid),),
        back_here=True,
    )
