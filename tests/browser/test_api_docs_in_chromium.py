"""The API's documentation page, as a developer opens it: Swagger UI draws every operation
from our own static files under the portal's CSP, with nothing refused and no console error."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_page_draws_every_operation_with_no_console_error(browser, live_server):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    console, failed = [], []
    page.on("console", lambda m: console.append(m.text) if m.type in {"error", "warning"} else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    schema = page.request.get(f"{live_server.url}/api/v1/schema/?format=json").json()
    operations = sum(len(ops) for ops in schema["paths"].values())

    response = page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock-summary")
    page.wait_for_function(f"document.querySelectorAll('.opblock').length >= {operations}")
    page.click(".opblock-summary >> nth=0")  # an operation opens, as a reader clicks it
    page.wait_for_selector(".opblock-body")

    assert response.status == 200
    assert "script-src" in response.headers["content-security-policy"]
    assert page.locator(".opblock").count() == operations
    assert console == [] and failed == []
