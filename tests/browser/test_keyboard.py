"""A section and the sign page done with the keyboard alone: every stop shows where focus is,
the stops follow the page's reading order, and Tab always leads out again (no trap)."""

import pytest

from assessments.models import Answer, Attestation
from tests.browser.chromium import SIGNING_MS
from tests.conftest import authenticator_code
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  // Focus on a part of a browser control (a date field's calendar button) is not the
  // element's own :focus; the browser draws that ring itself.
  const ring = !e.matches(":focus")
    || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== "none";
  const box = e.getBoundingClientRect();
  return {
    tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute("name") || "",
    text: (e.innerText || e.value || "").trim().slice(0, 60),
    ring, top: Math.round(box.top + window.scrollY), inForm: !!e.closest("main form"),
  };
}"""


def tab_stops(page, limit=300) -> list[dict]:
    """Every stop Tab makes from the top of the page until focus comes round again (read with
    motion reduced, so each focus ring is drawn at once rather than mid-transition)."""
    page.emulate_media(reduced_motion="reduce")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop["tag"] == "body" or (stops and stop == stops[0]):
            return stops
        stops.append(stop)
    raise AssertionError(f"Tab never left the page after {limit} stops: a keyboard trap")


def tab_to(page, matches, limit=300) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if matches(stop):
            return stop
    raise AssertionError("never reached by Tab")


def test_a_section_with_the_keyboard_alone(journey, live_server, draft, preparer):
    page = journey.tab(preparer.email)
    page.goto(f"{live_server.url}/a/{draft.pk}/section/age_assurance/")
    stops = tab_stops(page)

    assert [s for s in stops if not s["ring"]] == []  # focus is always visible
    fields = [s for s in stops if s["inForm"]]
    tops = [s["top"] for s in fields]
    assert tops == sorted(tops)  # the questions in reading order, top to bottom
    names = [s["name"] for s in fields]
    assert names.index("q_age__method") < names.index("stay")  # questions, then saving

    page.goto(f"{live_server.url}/a/{draft.pk}/section/age_assurance/")
    tab_to(page, lambda s: s["name"] == "q_age__method")
    page.keyboard.press("ArrowDown")  # a radio group: arrows choose
    tab_to(page, lambda s: s["name"] == "stay")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=saved")
    assert Answer.objects.get(assessment=draft, question_id="age.method").value


def test_signing_with_the_keyboard_alone(
    journey,
    live_server,
    awaiting_signature,
    signatory,
):
    page = journey.tab(signatory.email)
    page.goto(f"{live_server.url}/a/{awaiting_signature.pk}/sign/")
    stops = tab_stops(page)
    assert [s for s in stops if not s["ring"]] == []
    order = [s["id"] or s["text"] for s in stops if s["inForm"]]
    wanted = ["id_confirm", "id_password", "id_code", "Sign and submit to the platform"]
    assert [o for o in order if o in wanted] == wanted

    page.goto(f"{live_server.url}/a/{awaiting_signature.pk}/sign/")
    tab_to(page, lambda s: s["id"] == "id_confirm")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(authenticator_code(signatory))
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["text"] == "Sign and submit to the platform"
    page.keyboard.press("Enter")
    page.wait_for_selector("a:has-text('Download the PDF report')", timeout=SIGNING_MS)
    assert Attestation.objects.filter(assessment=awaiting_signature).count() == 1
