"""What a project manager does in a real browser: search, filter, open, switch language, download."""

import re

import pytest

pytestmark = pytest.mark.browser


def search(page, base_url, query):
    page.goto(base_url + "/")
    page.get_by_role("searchbox").fill(query)
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))


def test_search_in_english_and_open_result_at_its_section(page, base_url):
    search(page, base_url, "what went wrong when we changed vendors mid-project")
    first = page.locator(".hit h2 a").first
    assert "vendor" in first.inner_text().lower()
    section = page.locator(".hit .section-name a").first
    href = section.get_attribute("href")
    assert "#" in href
    section.click()
    anchor = href.split("#", 1)[1]
    page.wait_for_url(re.compile(re.escape(anchor)))
    assert page.locator(f"[id='{anchor}']").is_visible()


def test_search_in_chinese_with_highlighted_snippets(page, base_url):
    search(page, base_url, "变更评审流程")
    assert page.locator(".hit").count() >= 3
    assert "变更" in page.locator(".hit h2 a").first.inner_text()
    assert page.locator(".snippet mark").count() > 0


def test_apply_a_facet(page, base_url):
    search(page, base_url, "risk register")
    page.locator(".facet-value[data-facet='kind'][data-value='lesson']").click()
    page.wait_for_url(re.compile(r"kind=lesson"))
    tags = page.locator(".hit .hit-meta .tag").all_inner_texts()
    assert tags and all(t in ("Lesson learned", "English", "Chinese") for t in tags)
    assert page.locator(".facet-value.selected").count() == 1


def test_switch_language_is_remembered(page, base_url):
    page.goto(base_url + "/browse")
    assert page.locator("h1").inner_text() == "Browse"
    page.locator(".lang-switch").click()
    page.wait_for_url(re.compile(r"/browse$"))
    assert page.locator("h1").inner_text() == "浏览"
    page.goto(base_url + "/")
    assert page.get_by_role("button", name="搜索").is_visible()


def test_download_a_template(page, base_url):
    page.goto(base_url + "/templates")
    page.locator("a[href='/docs/template-risk-register']").click()
    with page.expect_download() as info:
        page.locator("a.button[download]").click()
    download = info.value
    assert download.suggested_filename == "template-risk-register.md"
    with open(download.path(), encoding="utf-8") as handle:
        text = handle.read()
    assert text.startswith("# ") and "|" in text


def test_hostile_document_runs_no_script(page, base_url):
    page.goto(base_url + "/docs/guide-hostile")
    assert page.locator("h1").inner_text() == "Hostile document test"
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator(".markdown a[href^='javascript']").count() == 0


def test_phone_width_layout(page, base_url):
    page.set_viewport_size({"width": 375, "height": 740})
    search(page, base_url, "status report")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380  # no horizontal scrolling at phone width
