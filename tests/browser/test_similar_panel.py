"""The similar-lesson panel in the real editor: hidden unless the document is a lesson, asks
once typing pauses (not per keystroke), lists the nearest published lessons with their
similarity and links, and says what to do — in both UI languages."""

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
TITLE = "User acceptance testing squeezed before the payroll go-live"
TEXT = {
    "en": {"similar": "% similar", "hint": "update it or mark yours as a recurrence"},
    "zh": {"similar": "相似度", "hint": "请更新它，或将您的记录标记为再次发生"},
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_panel_lists_similar_lessons_after_typing_stops(browser, base_url, lang):
    context = browser.new_context(locale="en-US")
    context.add_cookies([{"name": "ui_lang", "value": lang, "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    asked = []
    page.on("request", lambda r: asked.append(r) if r.url.endswith("/curate/similar") else None)
    sign_in(page, base_url, "curator")
    page.goto(base_url + "/curate/new")
    panel = page.locator("#similar-lessons")
    assert panel.is_hidden()  # a guide: nothing to compare
    page.select_option("#f-kind", "lesson")
    panel.wait_for(state="visible")
    page.locator("#f-title").press_sequentially(TITLE, delay=20)
    first = panel.locator("[data-similar-list] li a").first
    first.wait_for()
    assert len(asked) <= 2 < len(TITLE)  # debounced: not one request per keystroke
    assert first.get_attribute("href") == "/docs/lesson-en-uat-squeezed"
    items = panel.locator("[data-similar-list] li")
    assert 1 <= items.count() <= 3
    assert TEXT[lang]["similar"] in items.first.inner_text()
    assert TEXT[lang]["hint"] in panel.locator("[data-similar-hint]").inner_text()
    assert panel.locator("[data-similar-hint]").is_visible()
    page.screenshot(path=f"/tmp/kb-similar-panel-{lang}.png", full_page=False)
    # the page itself never runs inline script (CSP): the panel's code came from /static
    assert page.locator("script:not([src])").count() == 0
    # going back to a guide hides it again
    page.select_option("#f-kind", "guide")
    panel.wait_for(state="hidden")
    context.close()


def test_the_review_page_shows_the_same_list(page, base_url):
    sign_in(page, base_url, "curator")
    page.goto(base_url + "/curate/doc/lesson-en-uat-squeezed")
    panel = page.locator("#similar-lessons")
    panel.wait_for()
    links = [a.get_attribute("href") for a in panel.locator("li a").all()]
    assert links and "/docs/lesson-en-uat-squeezed" not in links  # never itself
