"""Reading an assessment's conversation: comments and change requests, with their authors."""

from assessments.models import Assessment, Comment


def comments_of(assessment: Assessment) -> list[Comment]:
    """Every comment on the assessment with its author, oldest first (the questionnaire's and
    the reviewer's pages show them on every visit: one read)."""
    notes = list(
        Comment.objects.filter(assessment_id=assessment.pk)
        .select_related("author")
        .defer("author__password")
    )
    for note in notes:
        note.assessment = assessment
    return notes
