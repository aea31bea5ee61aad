"""A parent finds a product in the directory, reads its trust page and sees its seal, in
Chromium with axe-core; then the platform revokes the attestation and the page says so."""

import pytest

from accounts.actors import Actor
from assessments import workflow
from assessments.models import Product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_parent_finds_the_product_and_sees_its_state_change_at_once(
    browser, live_server, axe_check, approved, reviewer
):
    product = approved.assessment.product
    Product.objects.filter(pk=product.pk).update(public=True)
    page = browser.new_context(viewport={"width": 390, "height": 900}).new_page()
    problems = []

    page.goto(f"{live_server.url}/trust/")
    page.fill("#q", "brightpath")
    page.click("button:has-text('Search')")
    problems += axe_check(page)
    page.click(f"a:has-text('{product.name}')")
    page.wait_for_selector("h2:has-text('Attested: the platform approved it on')")
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth)")
    problems += axe_check(page)
    seal_alt = page.get_attribute("img", "alt")

    workflow.revoke(approved, actor=Actor(reviewer), reason="Filters switched off.")
    page.reload()
    page.wait_for_selector("h2:has-text('Not attested now')")
    problems += axe_check(page)

    assert seal_alt.startswith("Minor-safety attested: Brightpath Learning Ltd")
    assert page.get_attribute("img", "alt").startswith("Not attested now")
    assert problems == []
