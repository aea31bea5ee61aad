import pytest

pytestmark = pytest.mark.browser


def test_the_accessibility_check_reports_a_real_violation(browser, axe_check):
    page = browser.new_page()
    page.set_content("<html lang='en'><body><main><img src='chart.png'></main></body></html>")
    assert any("image-alt" in problem for problem in axe_check(page))
    page.close()
