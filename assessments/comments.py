"""Reading an assessment's conversation: comments and change requests, with their authors."""

from django.db import router

from assessments.compiled_reads import Columns, CompiledRead
from assessments.models import Assessment, Comment, User

_COLUMNS = (Columns(Comment), Columns(User, "author__", frozenset({"password"})))


def comments_of(assessment: Assessment) -> list[Comment]:
    """Every comment on the assessment with its author, oldest first. The questionnaire's
    and the reviewer's pages read them on every visit: compiled once (compiled_reads)."""
    db = router.db_for_read(Comment)
    comment_columns, author_columns = _COLUMNS
    split = len(comment_columns.attnames)
    notes = []
    for row in _COMMENTS.rows(assessment.pk):
        note = comment_columns.instance(db, row[:split])
        note.assessment, note.author = assessment, author_columns.instance(db, row[split:])
        notes.append(note)
    return notes


_COMMENTS = CompiledRead(
    lambda assessment_id: Comment.objects.filter(assessment_id=assessment_id).values_list(
        *(name for columns in _COLUMNS for name in columns.names)
    ),
    Assessment._meta.pk,
)
