"""How long a note people write for others to read may be (a comment, a verdict's note, a
reason or rationale): the tables, the forms, the API and the services (assessments/notes.py)
keep this one limit."""

NOTE_MAX_CHARS = 5000
