"""docs/api.md lists every operation beside what a person does on the pages: each one the
schema has, and none it does not (a reader who looks for an operation finds it, or learns
that it is not in the API on purpose)."""

import re
from pathlib import Path

from django.urls import reverse

DOCS = Path(__file__).resolve().parent.parent / "docs" / "api.md"
CALL = re.compile(r"`(GET|POST|PUT|DELETE) ([^` ]+)`")


def documented() -> set[str]:
    """Each `METHOD path` of the table's API column, `…/` read against the cell's last full
    path (its part up to the first id)."""
    found = set()
    for row in DOCS.read_text().splitlines():
        if not row.startswith("| ") or row.startswith("| On the pages"):
            continue
        prefix = ""
        for method, path in CALL.findall(row.split(" | ")[1]):
            if path.startswith("…/"):
                path = prefix + path.removeprefix("…/")
            else:
                prefix = path[: path.index("}/") + 2] if "}/" in path else path
            found.add(f"{method} /api/v1/{path}")
    return found


def test_every_operation_of_the_schema_is_in_the_docs_table_and_no_other(client, db):
    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()
    served = {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    }

    assert documented() == served
