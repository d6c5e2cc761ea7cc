"""The curator editor in a real browser, in both languages, on a laptop and a phone: required
fields checked as one types, named by their labels, and submitting only without errors."""

import re

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_search_page import PHONE, WIDE

pytestmark = pytest.mark.browser
BODY = (
    "## Driving event\n\nA.\n\n## Root cause\n\nB.\n\n## Effect\n\nC.\n\n"
    "## Recommendation\n\nD.\n\n## Early-warning signs\n\n- E\n"
)
TEXT = {
    "en": {"title": "“Title” is required.", "action": "“Action status” is required.",
           "saved": "Draft saved. Fix the problems"},
    "zh": {"title": "请填写“标题”。", "action": "请填写“行动状态”。", "saved": "草稿已保存。"},
}  # fmt: skip


def errors_of(page, field):
    return page.locator(f"[data-errors-for='{field}']")


@pytest.mark.parametrize("size", [WIDE, PHONE], ids=["wide", "phone"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_required_fields_are_checked_live_and_block_submitting(browser, base_url, lang, size):
    context = browser.new_context(viewport=size, locale="en-US")
    context.add_cookies([{"name": "ui_lang", "value": lang, "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base_url, "curator")
    page.goto(base_url + "/curate/new")
    page.select_option("#f-kind", "lesson")
    page.fill("#f-id", f"lesson-live-{lang}-{size['width']}")
    page.fill("#f-summary", "A lesson written in the browser test.")
    page.fill("#f-project", "Browser project")
    page.fill("#f-date", "2026-01-15")
    page.select_option("#f-impact", "negative")
    page.select_option("#f-priority", "low")
    page.fill("#f-body", BODY)
    errors_of(page, "title").filter(has_text=TEXT[lang]["title"]).wait_for()
    errors_of(page, "action_status").filter(has_text=TEXT[lang]["action"]).wait_for()
    assert not any(
        "action_status" in text for text in page.locator(".field-errors").all_inner_texts()
    )
    submit = page.locator("#save-submit")
    assert submit.is_disabled() and page.locator("#submit-blocked").is_visible()

    page.fill("#f-title", "A live-checked lesson")
    page.wait_for_function(
        "() => !document.querySelector(\"[data-errors-for='title']\").children.length"
    )
    assert submit.is_disabled()  # action status still missing
    with page.expect_navigation(url=re.compile(r"/curate/doc/")):
        page.click("#save-draft")
    assert TEXT[lang]["saved"] in page.locator("#saved-with-problems").inner_text()
    assert page.locator(".alert.ok").count() == 0
    assert page.locator("#submit-review").is_disabled()

    page.goto(page.url.replace("/curate/doc/", "/curate/edit/").split("?")[0])
    page.select_option("#f-action_status", "open")
    page.wait_for_function("() => !document.querySelector('#save-submit').disabled")
    assert not page.locator("#submit-blocked").is_visible()
    with page.expect_navigation(url=re.compile(r"/curate/doc/")):
        submit.click()
    assert page.locator("#doc-state").get_attribute("class").endswith("state-in_review")
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_audit_log_shows_draft_saves_and_edits(browser, base_url, lang):
    doc_id = f"guide-audited-{lang}"
    writer = browser.new_context(viewport=WIDE, locale="en-US")
    page = writer.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base_url, "curator")
    page.goto(base_url + "/curate/new")
    page.fill("#f-id", doc_id)
    page.fill("#f-title", "Audited guide")
    page.fill("#f-summary", "A guide whose saves are audited.")
    page.fill("#f-body", "## Part\n\nText.\n")
    with page.expect_navigation(url=re.compile(r"/curate/doc/")):
        page.click("#save-draft")
    page.goto(base_url + f"/curate/edit/{doc_id}")
    page.fill("#f-body", "## Part\n\nMore text.\n")
    with page.expect_navigation(url=re.compile(r"/curate/doc/")):
        page.click("#save-draft")
    writer.close()

    admin = browser.new_context(viewport=PHONE, locale="en-US")
    admin.add_cookies([{"name": "ui_lang", "value": lang, "url": base_url}])
    page = admin.new_page()
    sign_in(page, base_url, "admin")
    page.goto(base_url + "/curate/audit")
    rows = page.locator("tr.audit-event", has_text=doc_id)
    actions = [
        rows.nth(i).locator("td[data-action]").get_attribute("data-action")
        for i in range(rows.count())
    ]
    assert actions[:2] == ["save_draft", "create_draft"]  # newest first
    label = {"en": "Saved the draft", "zh": "保存草稿"}[lang]
    assert label in rows.first.inner_text()
    admin.close()


@pytest.mark.parametrize("size", [WIDE, PHONE], ids=["wide", "phone"])
@pytest.mark.parametrize(
    ("lang", "template"),
    [("en", "template-lessons-learned"), ("zh", "template-lessons-learned-zh")],
)
def test_a_lesson_from_the_template_starts_clean_with_the_guidance_beside_it(
    browser, base_url, lang, template, size
):
    context = browser.new_context(viewport=size, locale="en-US")
    context.add_cookies([{"name": "ui_lang", "value": lang, "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base_url, "curator")
    page.goto(f"{base_url}/curate/new?template={template}")
    body = page.input_value("#f-body")
    assert body.count("## ") == 5 and ">" not in body and "|" not in body
    assert page.input_value("#f-kind") == "lesson"
    assert page.locator("input[name=phase]:checked, input[name=area]:checked").count() == 0
    assert page.input_value("#f-tags") == "" and page.input_value("#f-owner") == "curator"
    guidance = page.locator("#template-guidance")
    assert guidance.is_visible() and guidance.locator("details").count() >= 6
    assert guidance.locator("table").count() >= 1  # the field table is help, not body
    assert guidance.locator("a[href^='/docs/template-lessons-learned']").get_attribute("lang") == (
        "zh-Hans" if lang == "zh" else "en"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    context.close()
