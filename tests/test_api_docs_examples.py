"""The curl examples in docs/api.md run as written against a running portal (only its
address differs): a reader who copies them gets what the docs promise."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.test_api import token

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def curl_examples() -> list[str]:
    """Each curl command of the docs' first code block, continuation lines joined."""
    block = re.search(r"```\n(.*?)```", DOCS.read_text(), re.S).group(1)
    return [c.strip() for c in re.sub(r"\\\n\s*", "", block).splitlines() if c.startswith("curl")]


def run(command: str, live_server, **env) -> dict:
    done = subprocess.run(  # noqa: S603 - the docs' own example, through bash as a reader would
        ["/bin/bash", "-c", command.replace("http://127.0.0.1:8000", live_server.url) + " -sS"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_curl_examples_in_the_api_docs_work_as_written(
    live_server, org, admin, framework_version
):
    started_command, answer_command = curl_examples()
    key = token(org, admin)

    started = run(started_command, live_server, TOKEN=key)
    answered = run(answer_command, live_server, TOKEN=key, ID=started["id"])

    assert started["status"] == "draft" and started["questionnaire"].startswith("minor-safety/")
    assert answered == {
        "question_id": "age.method",
        "value": "verified",
        "not_applicable": False,
        "justification": "",
        "revision": 1,
    }
