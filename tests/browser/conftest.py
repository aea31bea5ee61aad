"""Real-browser tests: Debian's Chromium driven by Playwright against a live server."""

import os
from pathlib import Path

import pytest

from tests.browser.chromium import ARGS
from tests.browser.chromium import EXECUTABLE as CHROMIUM
from tests.browser.people import Journey

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; the ORM calls in these tests
# are made between browser steps, never concurrently with them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ARGS,
    }


@pytest.fixture
def axe_check():
    """Run axe-core on the current page; return its serious and critical violations."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run npm install (bin/setup does)")
    source = AXE.read_text()

    def check(page) -> list[str]:
        page.evaluate(source)  # evaluate, not a script tag: the CSP forbids inline scripts
        violations = page.evaluate("async () => (await axe.run()).violations")
        return [
            f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}"
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]

    return check


@pytest.fixture
def journey(browser, live_server, axe_check):
    journey = Journey(browser, live_server.url, axe_check)
    yield journey
    for context in journey.contexts:  # stop pages that poll before the server goes away
        context.close()
