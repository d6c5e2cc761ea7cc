"""A new learner's first module in a real browser: locked module, quiz with a wrong answer then
the right one, the progress bar moving, the next module unlocking, and a verified certificate."""

from pathlib import Path

import pytest
import yaml

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
MODULE = "training-initiating"


def quiz_answers(content: Path) -> list[list[dict]]:
    """Return each step's quiz (in step order) of the shipped initiating module."""
    steps = sorted((content / "training" / "initiating").glob("[0-9][0-9]-*.md"))
    return [
        yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])["quiz"] for path in steps
    ]


def progress_value(page) -> int:
    return int(page.locator("progress.module-progress").first.get_attribute("value"))


def card(page, module_id):
    return page.locator(f".module-card[data-module='{module_id}']")


def choose(page, number: int, choice: int) -> None:
    """Pick a choice of a question and submit its form."""
    question = page.locator(f"#question-{number}")
    question.locator(f"input[name=choice][value='{choice}']").check()
    question.locator("button[type=submit]").click()


def test_new_learner_takes_the_first_module_and_verifies_the_certificate(
    page, base_url, server_env, browser
):
    quizzes = quiz_answers(Path(server_env["KB_CONTENT"]))
    sign_in(page, base_url, "learner2")
    page.goto(base_url + "/training")
    planning = card(page, "training-planning")
    assert planning.locator(".status").get_attribute("data-status") == "locked"
    assert "Take this module first" in planning.inner_text()
    assert planning.locator(f".locked-note a[href='/training/{MODULE}']").count() == 1

    card(page, MODULE).locator("h2 a").click()
    page.locator("#start").click()
    page.wait_for_url(f"**/training/{MODULE}/1")
    assert progress_value(page) == 0

    values = []
    for index, quiz in enumerate(quizzes, start=1):
        assert page.locator("h1").is_visible()
        for number, item in enumerate(quiz, start=1):
            feedback = page.locator(f"#question-{number} .feedback-box")
            if index == 1 and number == 1:  # one wrong answer first, then the right one
                wrong = next(c for c in range(1, len(item["choices"]) + 1) if c != item["answer"])
                choose(page, number, wrong)
                assert feedback.get_attribute("data-correct") == "no"
                assert item["hint"] in feedback.inner_text()
                assert item["explanation"][:40] not in feedback.inner_text()
            choose(page, number, item["answer"])
            page.locator(f"#question-{number} .feedback-box[data-correct='yes']").wait_for()
            assert item["explanation"][:40] in feedback.inner_text()
        values.append(progress_value(page))
        if index < len(quizzes):
            page.locator("a[rel=next]").click()
            page.wait_for_url(f"**/training/{MODULE}/{index + 1}")
    assert values == sorted(values) and values[0] > 0 and values[-1] == 100

    page.locator("#certificate-link").click()
    page.wait_for_url(f"**/training/{MODULE}/certificate")
    assert page.locator(".cert-name").inner_text() == "learner2"
    assert page.locator(".cert-score").inner_text() == "100%"
    code = page.locator(".cert-code").inner_text()

    page.goto(base_url + "/training")
    assert card(page, MODULE).locator(".status").get_attribute("data-status") == "completed"
    planning = card(page, "training-planning")
    assert planning.locator(".status").get_attribute("data-status") == "not_started"

    stranger = browser.new_context(locale="en-US")
    try:
        visitor = stranger.new_page()
        visitor.goto(f"{base_url}/certificates/{code}")
        assert visitor.locator(".cert-valid").is_visible()
        assert visitor.locator(".cert-name").inner_text() == "learner2"
        assert "Initiating a Project" in visitor.locator(".cert-module").inner_text()
    finally:
        stranger.close()
