"""Everyday polish in real Chromium, both UI languages, laptop and phone: long quiz choices wrap
beside their radio button, pages and documents declare their language, feedback icons are SVG."""

import pytest

from tests.browser.conftest import add_user, sign_in

pytestmark = pytest.mark.browser
SIZES = [{"width": 1280, "height": 900}, {"width": 390, "height": 800}]
MODULES = {"en": "training-initiating", "zh": "training-initiating-zh"}
DOCS = {"en": "template-lessons-learned", "zh": "template-lessons-learned-zh"}


def context_for(browser, base_url, lang, size):
    context = browser.new_context(viewport=size, locale="en-US")
    context.add_cookies([{"name": "ui_lang", "value": lang, "url": base_url}])
    return context


@pytest.mark.parametrize("size", SIZES, ids=["wide", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_wrapped_quiz_choices_line_up_after_the_radio_button(
    browser, base_url, server_env, lang, size
):
    context = context_for(browser, base_url, lang, size)
    page = context.new_page()
    sign_in(page, base_url, add_user(server_env, f"align-{lang}-{size['width']}"))
    page.goto(f"{base_url}/training/{MODULES[lang]}/1")
    for label in page.locator("#question-1 label.choice").all():
        radio = label.locator("input").bounding_box()
        text = label.locator("span").bounding_box()
        assert text["x"] >= radio["x"] + radio["width"]  # every line starts right of the button
    context.close()


@pytest.mark.parametrize("size", SIZES, ids=["wide", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pages_and_documents_declare_their_language_and_icons_are_svg(
    browser, base_url, lang, size
):
    context = context_for(browser, base_url, lang, size)
    page = context.new_page()
    page.goto(f"{base_url}/")
    assert page.locator("html").get_attribute("lang") == ("zh-Hans" if lang == "zh" else "en")
    for doc_lang, doc_id in DOCS.items():
        page.goto(f"{base_url}/docs/{doc_id}")
        assert page.locator("article.doc").get_attribute("lang") == (
            "zh-Hans" if doc_lang == "zh" else "en"
        )
        buttons = page.locator("button[name=helpful]")
        assert buttons.count() == 2
        for index in range(2):
            assert buttons.nth(index).locator("svg").is_visible()
            assert "👍" not in buttons.nth(index).inner_text()
    context.close()


@pytest.mark.parametrize("size", SIZES, ids=["wide", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_browse_by_phase_groups_by_kind_and_switches_to_both_languages(
    browser, base_url, lang, size
):
    context = context_for(browser, base_url, lang, size)
    page = context.new_page()
    page.goto(f"{base_url}/browse/phase/closing")
    html_lang = "zh-Hans" if lang == "zh" else "en"
    titles = page.locator(".browse-group li > a")
    assert titles.count() > 0
    assert {titles.nth(i).get_attribute("lang") for i in range(titles.count())} == {html_lang}
    assert page.locator(".browse-group h2").count() >= 2  # several kinds, one group each
    page.locator("#browse-lang-switch").click()
    page.wait_for_load_state()
    langs = [titles.nth(i).get_attribute("lang") for i in range(titles.count())]
    assert set(langs) == {"zh-Hans", "en"}
    first = page.locator(".browse-group").first.locator("li > a").first
    assert first.get_attribute("lang") == html_lang  # the UI language first
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    context.close()
