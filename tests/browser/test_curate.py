"""A curator writes a lesson from the template, a second curator publishes it, readers find it."""

import re

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

DOC_ID = "lesson-browser-zorblax-cutover"
SECTIONS = (
    "## Driving event\n\nThe zorblax cutover weekend failed; 蓝鲸迁移项目的切换周末失败了。\n\n"
    "## Root cause\n\nNobody owned the rollback plan.\n\n"
    "## Effect\n\nTwo days of downtime for the warehouse.\n\n"
    "## Recommendation\n\nRehearse every cutover twice with a named rollback owner.\n"
)
WARNING_SIGNS = "\n## Early-warning signs\n\n- No rehearsal date in the plan\n"


def wait_for_state(page, text):
    page.wait_for_function(
        "t => document.querySelector('#doc-state') && "
        "document.querySelector('#doc-state').innerText.includes(t)",
        arg=text,
    )


def test_lesson_from_template_reviewed_published_found_diffed_and_restored(browser, page, base_url):
    sign_in(page, base_url, "curator")
    page.goto(base_url + "/templates")
    page.locator("a[href='/curate/new?template=template-lessons-learned']").click()
    page.wait_for_url(re.compile(r"/curate/new\?template="))
    assert page.locator("#f-kind").input_value() == "lesson"
    assert "Early-warning signs" in page.locator("#f-body").input_value()
    assert not page.locator("#f-creates").is_visible()  # a template-only field, hidden on a lesson
    assert page.locator("#f-project").is_visible()

    page.fill("#f-id", DOC_ID)
    page.fill("#f-title", "Zorblax cutover weekend without a rollback owner")
    page.fill("#f-summary", "The zorblax cutover failed because nobody owned the rollback.")
    page.fill("#f-tags", "cutover, rollback, 蓝鲸迁移")
    page.fill("#f-project", "Zorblax warehouse migration")
    page.select_option("#f-impact", "negative")
    page.select_option("#f-priority", "high")
    page.select_option("#f-action_status", "open")
    page.fill("#f-body", SECTIONS)  # the early-warning section is missing
    body_errors = page.locator("[data-errors-for='body']")
    body_errors.filter(has_text="Early-warning signs").wait_for()
    page.fill("#f-message", "first draft")
    with page.expect_navigation(url=re.compile(r"/curate/doc/")):
        page.click("#save-draft")
    wait_for_state(page, "Draft")
    assert page.locator("#submit-review").is_disabled()

    page.get_by_role("link", name="Edit", exact=True).click()
    page.wait_for_url(re.compile(r"/curate/edit/"))
    page.fill("#f-body", SECTIONS + WARNING_SIGNS)
    page.wait_for_function(
        "() => document.querySelector(\"[data-errors-for='body']\").children.length === 0"
    )
    assert "Early-warning signs" in page.locator("#preview").inner_text()
    page.fill("#f-message", "added the early-warning signs")
    with page.expect_navigation(url=re.compile(r"/curate/doc/")):
        page.click("#save-draft")
    with page.expect_navigation():
        page.click("#submit-review")
    wait_for_state(page, "In review")
    assert page.locator("#approve").count() == 0  # not one's own change

    reviewer = browser.new_context(locale="en-US")
    second = reviewer.new_page()
    second.set_default_timeout(15_000)
    sign_in(second, base_url, "curator2")
    second.goto(base_url + "/curate")
    second.locator(f"#queue-review a[href='/curate/doc/{DOC_ID}']").click()
    second.fill("input[name='message']", "approved")
    with second.expect_navigation():
        second.click("#approve")
    wait_for_state(second, "Published")
    reviewer.close()

    anonymous = browser.new_context(locale="zh-CN")
    reader = anonymous.new_page()
    reader.set_default_timeout(15_000)
    for query in ("蓝鲸迁移", "zorblax cutover rollback"):
        reader.goto(base_url + "/")
        reader.get_by_role("searchbox").fill(query)
        reader.get_by_role("searchbox").press("Enter")
        reader.wait_for_url(re.compile(r"/search\?"))
        links = reader.locator(".hit h2 a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(min(links.count(), 3))]
        assert any(href.startswith(f"/docs/{DOC_ID}") for href in hrefs), (query, hrefs)
    reader.goto(base_url + f"/docs/{DOC_ID}")
    assert "Zorblax cutover" in reader.locator("h1").inner_text()
    anonymous.close()

    page.goto(base_url + f"/curate/history/{DOC_ID}")
    assert page.locator("table.revisions tbody tr").count() == 3
    page.check("#rev-1 input[name='a']")
    page.check("#rev-2 input[name='b']")
    page.click("#compare")
    page.wait_for_url(re.compile(r"/curate/diff/"))
    assert "Revision 1 → 2" in page.locator("h1").inner_text()
    added = page.locator("table.diff tr.insert td.new").all_inner_texts()
    assert "## Early-warning signs" in added
    page.goto(base_url + f"/curate/history/{DOC_ID}")
    with page.expect_navigation(url=re.compile(r"/curate/doc/")):
        page.locator("#rev-1 button", has_text="Restore").click()
    wait_for_state(page, "Draft")
    page.goto(base_url + f"/curate/history/{DOC_ID}")
    assert page.locator("table.revisions tbody tr").count() == 4
    assert "restored revision 1" in page.locator("#rev-4").inner_text()
