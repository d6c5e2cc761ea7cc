"""The document page a search result opens: the search's words marked, the contents in view."""

import pytest

from tests.browser.test_search_page import PHONE, WIDE, open_search

pytestmark = pytest.mark.browser
NOTE = {"en": "are marked on this page", "zh": "本页已标出"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_result_opens_with_the_search_words_marked(browser, base_url, lang):
    page = open_search(browser, base_url, lang, WIDE, "q=risk+owner&mode=keyword")
    page.locator(".hit h2 a[href^='/docs/guide-risk-management?']").click()
    page.wait_for_load_state()
    assert "q=risk+owner" in page.url
    marks = page.locator(".markdown mark.query-mark").all_inner_texts()
    assert "risk owner" in [m.lower() for m in marks]
    assert NOTE[lang] in page.locator("#query-note").inner_text()
    page.locator("#query-note a").click()  # remove the marks
    page.wait_for_load_state()
    assert page.locator(".markdown mark.query-mark").count() == 0
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_chinese_words_are_marked_whole_on_the_page(browser, base_url, lang):
    page = open_search(browser, base_url, lang, WIDE, "q=x")
    page.goto(
        base_url + "/docs/training-closing-zh/02-administrative-and-contract-closure?q=办公室搬迁时"
    )
    marks = page.locator(".markdown mark.query-mark").all_inner_texts()
    assert "办公室搬迁" in marks and not {"办", "时"} & set(marks)
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_contents_stay_in_view_on_a_wide_screen(browser, base_url, lang):
    page = open_search(browser, base_url, lang, WIDE, "q=x")
    page.goto(base_url + "/docs/guide-risk-management")
    toc = page.locator("nav.toc")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight * 0.7)")
    page.wait_for_function("window.scrollY > 1500")
    box = toc.bounding_box()
    assert 0 <= box["y"] < WIDE["height"] / 2  # still on screen, near the top
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_document_with_wide_tables_fits_a_phone(browser, base_url, lang):
    page = open_search(browser, base_url, lang, PHONE, "q=x")
    page.goto(base_url + "/docs/template-risk-register?q=risk")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.context.close()
