"""Quiz feedback and progress as a learner reads them, in both languages, on a laptop and a phone."""

from pathlib import Path

import pytest
import yaml

from tests.browser.conftest import add_user, sign_in

pytestmark = pytest.mark.browser
SIZES = [{"width": 1280, "height": 900}, {"width": 390, "height": 800}]
CASES = [
    ("en", "training-initiating", "initiating"),
    ("zh", "training-initiating-zh", "initiating-zh"),
]
TEXT = {
    "en": {
        "so_far": "1 of 2 answered correctly so far (pass mark 80% of 10 questions)",
        "wrong": "Not quite: you chose “{}”.",
    },
    "zh": {
        "so_far": "已答 2 题，答对 1 题（及格线：全部 10 题答对 80%）",
        "wrong": "回答不正确：您选择的是“{}”。",
    },
}


def first_quiz(content: Path, folder: str) -> list[dict]:
    path = sorted((content / "training" / folder).glob("01-*.md"))[0]
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])["quiz"]


def choose(page, number: int, choice: int) -> None:
    question = page.locator(f"#question-{number}")
    question.locator(f"input[name=choice][value='{choice}']").check()
    question.locator("button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("size", SIZES, ids=["wide", "phone"])
@pytest.mark.parametrize(("lang", "module", "folder"), CASES)
def test_wrong_answer_hint_then_explanation_and_honest_progress(
    browser, base_url, server_env, lang, module, folder, size
):
    quiz = first_quiz(Path(server_env["KB_CONTENT"]), folder)
    context = browser.new_context(viewport=size, locale="en-US")
    context.add_cookies([{"name": "ui_lang", "value": lang, "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base_url, add_user(server_env, f"quiz-{lang}-{size['width']}"))
    page.goto(f"{base_url}/training/{module}/1")
    first, second = quiz
    wrong = next(c for c in range(1, len(first["choices"]) + 1) if c != first["answer"])
    choose(page, 1, wrong)
    box = page.locator("#question-1 .feedback-box")
    text = box.inner_text()
    assert TEXT[lang]["wrong"].format(first["choices"][wrong - 1]) in text
    assert first["hint"] in text and first["explanation"][:30] not in text
    assert box.is_visible() and box.bounding_box()["width"] <= size["width"]
    choose(page, 2, second["answer"])
    # question 1 wrong, question 2 right: 1 of 2 so far — not a failing "10%"
    assert TEXT[lang]["so_far"] in page.locator(".progress-text").inner_text()
    choose(page, 1, wrong)  # the second attempt: the explanation now
    text = page.locator("#question-1 .feedback-box").inner_text()
    assert first["explanation"][:30] in text and first["hint"] not in text
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    context.close()
