"""The search page as a reader sees it on a laptop and on a phone, in both interface languages."""

import pytest

pytestmark = pytest.mark.browser

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 800}
FILTERS = {"en": "Filters", "zh": "筛选"}


def open_search(browser, base_url, lang, viewport, query):
    """A page in the given UI language and viewport showing the results for query."""
    context = browser.new_context(viewport=viewport, locale="en-US")
    context.add_cookies([{"name": "ui_lang", "value": lang, "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(base_url + "/search?" + query)
    return page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_on_a_phone_the_first_screen_shows_results_and_filters_open_on_demand(
    browser, base_url, lang
):
    page = open_search(browser, base_url, lang, PHONE, "q=risk+register")
    first_hit = page.locator(".hit").first
    assert first_hit.is_visible()
    assert first_hit.bounding_box()["y"] < PHONE["height"] - 100  # a result on the first screen
    assert not page.locator(".facet").first.is_visible()
    toggle = page.locator("summary.filters-toggle")
    assert toggle.inner_text().strip().startswith(FILTERS[lang])
    toggle.click()
    facet = page.locator(".facet-value[data-facet='kind']").first
    assert facet.is_visible()
    facet.click()
    page.wait_for_url("**kind=**")
    assert page.locator(".hit").first.bounding_box()["y"] < PHONE["height"] - 100
    assert "(1)" in page.locator("summary.filters-toggle").inner_text()  # one filter is on
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_on_a_wide_screen_the_facets_are_a_column_beside_the_results(browser, base_url, lang):
    page = open_search(browser, base_url, lang, WIDE, "q=risk+register")
    facets = page.locator(".facets").bounding_box()
    results = page.locator(".results").bounding_box()
    assert page.locator(".facet").first.is_visible()
    assert not page.locator("summary.filters-toggle").is_visible()
    assert facets["x"] + facets["width"] <= results["x"]  # side by side
    assert abs(facets["y"] - results["y"]) < 40
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_snippets_mark_whole_words_and_skip_stop_words(browser, base_url, lang):
    page = open_search(browser, base_url, lang, WIDE, "q=办公室搬迁时的沟通&mode=keyword")
    marks = page.locator(".snippet mark").all_inner_texts()
    assert "办公室搬迁" in marks
    assert not {"办", "时", "的"} & set(marks)
    page.goto(base_url + "/search?q=what+to+do+about+scope+creep&mode=keyword")
    marks = [m.lower() for m in page.locator(".snippet mark").all_inner_texts()]
    assert "scope creep" in marks
    assert "about" not in marks and "what" not in marks
    page.context.close()


@pytest.mark.parametrize(
    ("lang", "query", "doc"),
    [
        ("en", "risk owner residual score", "template-risk-register"),
        ("zh", "经验教训 字段 可选值", "template-lessons-learned-zh"),
    ],
)
def test_a_snippet_from_a_table_reads_as_rows_of_cells(browser, base_url, lang, query, doc):
    page = open_search(browser, base_url, lang, WIDE, f"q={query}&mode=keyword")
    hit = page.locator(".hit", has=page.locator(f"h2 a[href^='/docs/{doc}?']"))
    snippet = hit.locator(".snippet").inner_text()
    assert " · " in snippet  # cells of a row
    assert "|" not in snippet and "---" not in snippet
    assert ("；" if lang == "zh" else "; ") in snippet  # between rows
    page.context.close()
