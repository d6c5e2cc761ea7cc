"""Lesson actions in a real browser: the curators' dashboard on a laptop and on a phone in both
interface languages, its CSV download, the lesson page's actions and recurrences, and the editor's
action rows (added and removed, checked as they are typed)."""

import csv
import io
import re

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 800}
HEADING = {"en": "Lesson actions", "zh": "改进行动"}
OWNER = {"en": "Owner", "zh": "负责人"}


def curator_page(browser, base_url, lang, viewport):
    context = browser.new_context(viewport=viewport, locale="en-US", accept_downloads=True)
    context.add_cookies([{"name": "ui_lang", "value": lang, "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base_url, "curator")
    return page


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280px", "390px"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_dashboard_shows_overdue_actions_first_and_fits_the_screen(
    browser, base_url, lang, viewport
):
    page = curator_page(browser, base_url, lang, viewport)
    page.goto(base_url + "/curate/actions")
    assert page.locator("h1").inner_text() == HEADING[lang]
    assert page.locator("#actions-chart svg .bar").count() == 12
    assert page.locator("#actions-chart svg").is_visible()
    first_group = page.locator(".action-group").first
    rows = first_group.locator("tr.action")
    assert "overdue" in rows.first.get_attribute("class")
    classes = [rows.nth(i).get_attribute("class") for i in range(rows.count())]
    overdue = ["overdue" in c for c in classes]
    assert overdue == sorted(overdue, reverse=True)  # overdue ones come first
    assert page.locator("#recurring li").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_role("link", name=OWNER[lang], exact=True).click()
    page.wait_for_url("**group=owner")
    assert page.locator(".group-link.current").inner_text() == OWNER[lang]
    lesson_link = page.locator(".action-group a[href^='/docs/']").first
    href = lesson_link.get_attribute("href")
    assert "#" in href  # at the lesson's recommendation section
    lesson_link.click()
    page.wait_for_url(re.compile(r"/docs/"))
    assert page.locator("#actions tr.action").count() >= 1
    page.context.close()


def test_the_csv_download_is_utf8_with_a_bom(browser, base_url, tmp_path):
    page = curator_page(browser, base_url, "zh", WIDE)
    page.goto(base_url + "/curate/actions")
    with page.expect_download() as download:
        page.click("#csv-export")
    path = tmp_path / "actions.csv"
    download.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8")
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header[:2] == ["lesson", "title"]
    assert re.search(r"[\u4e00-\u9fff]", text)  # the Chinese lessons' actions
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_lesson_page_marks_overdue_actions_and_says_it_recurred(browser, base_url, lang):
    context = browser.new_context(viewport=PHONE, locale="en-US")
    context.add_cookies([{"name": "ui_lang", "value": lang, "url": base_url}])
    page = context.new_page()
    page.goto(base_url + "/docs/lesson-en-uat-squeezed")
    recurred = page.locator("#recurred")
    assert recurred.is_visible()
    assert ("Recurred 2 times" if lang == "en" else "已重复发生 2 次") in recurred.inner_text()
    recurred.locator("a").first.click()
    page.wait_for_url(re.compile(r"/docs/lesson-zh-"))
    assert page.locator("#recurs a[href='/docs/lesson-en-uat-squeezed']").is_visible()
    page.goto(base_url + "/docs/lesson-zh-final-acceptance-dragging")
    assert page.locator("#actions tr.action.overdue .overdue-mark").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_the_editor_adds_and_removes_action_rows_and_checks_them(browser, base_url):
    page = curator_page(browser, base_url, "en", WIDE)
    page.goto(base_url + "/curate/edit/lesson-en-contingency-spent-early")
    rows = page.locator("#action-rows .action-row")
    before = rows.count()
    assert before == 4  # three actions and an empty row
    page.click("#add-action")
    assert rows.count() == before + 1
    new_row = rows.nth(before)
    new_row.locator("input[name='act_what']").fill("Add the drawdown log to the cost report")
    new_row.locator("input[name='act_due']").fill("2027-02-15")
    errors = page.locator("[data-errors-for='actions'] li")
    errors.filter(has_text="owner").first.wait_for()
    assert "Action 4" in errors.first.inner_text()
    new_row.locator(".remove-action").click()
    page.wait_for_function(
        "() => document.querySelector(\"[data-errors-for='actions']\").children.length === 0"
    )
    assert rows.count() == before
    page.context.close()
