"""Reading an assessment's conversation: comments and change requests, with their authors."""

from assessments.compiled_reads import Columns, CompiledRead, models_from, names_of
from assessments.models import Assessment, Comment, User

_COLUMNS = (Columns(Comment), Columns(User, "author__", frozenset({"password"})))


def comments_of(assessment: Assessment) -> list[Comment]:
    """Every comment on the assessment with its author, oldest first. The questionnaire's
    and the reviewer's pages read them on every visit: compiled once (compiled_reads)."""
    notes = []
    for row in _COMMENTS.rows(assessment.pk):
        note, note.author = models_from(row, _COLUMNS)
        note.assessment = assessment
        notes.append(note)
    return notes


_COMMENTS = CompiledRead(
    lambda assessment_id: Comment.objects.filter(assessment_id=assessment_id).values_list(
        *names_of(_COLUMNS)
    ),
    Assessment._meta.pk,
)
