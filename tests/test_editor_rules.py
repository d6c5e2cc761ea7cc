# ruff: noqa: F401, F811 (the imported fixtures are used by name)
"""The curator editor's rules over HTTP: required fields named by their labels in the UI
language, submitting from the editor only without errors, and honest messages after a save."""

import re

import pytest

from tests.test_curate import LESSON_FORM, approve, client, create_lesson, post, sign_in

pytestmark = pytest.mark.usefixtures("client")


def check(client, lang, **changes):
    client.cookies.set("ui_lang", lang)
    result = post(client, "/curate/check", {**LESSON_FORM, **changes}).json()
    return result, {p["field"]: p["message"] for p in result["problems"]}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", {"title": "“Title” is required.", "summary": "“Summary” is required.",
                "action_status": "“Action status” is required."}),
        ("zh", {"title": "请填写“标题”。", "summary": "请填写“摘要”。",
                "action_status": "请填写“行动状态”。"}),
    ],
)  # fmt: skip
def test_required_fields_are_named_by_their_labels(client, lang, expected):
    sign_in(client, "cur1")
    result, messages = check(client, lang, title="", summary="", action_status="")
    assert not result["ok"]
    assert {name: messages[name] for name in expected} == expected
    assert not any("action_status" in m or "required field" in m for m in messages.values())


def test_a_missing_lesson_section_is_named_in_the_ui_language(client):
    sign_in(client, "cur1")
    body = LESSON_FORM["body"].split("## Early-warning")[0]
    _, messages = check(client, "zh", body=body)
    assert messages["body"] == "经验教训需要“预警信号”一节。"
    result = post(client, "/curate/check", {**LESSON_FORM, "body": body}).json()
    hint = next(p["hint"] for p in result["problems"] if p["field"] == "body")
    assert "## 预警信号" in hint and "## Early-warning signs" in hint


def test_a_draft_saved_with_errors_is_not_told_done(client):
    sign_in(client, "cur1")
    client.cookies.set("ui_lang", "en")
    saved = create_lesson(client, summary="")
    page = client.get(saved.headers["location"]).text
    assert 'id="saved-with-problems"' in page and "Draft saved. Fix the problems" in page
    assert 'class="alert ok"' not in page and "Done." not in page
    assert 'id="submit-review" disabled' in page
    assert "<strong>Summary</strong>: “Summary” is required." in page


def test_save_and_submit_from_the_editor_only_without_errors(client):
    sign_in(client, "cur1")
    client.cookies.set("ui_lang", "en")
    refused = post(client, "/curate/save", {**LESSON_FORM, "summary": "", "action": "submit"})
    assert refused.status_code == 409 and "fix the validation errors" in refused.text
    assert 'id="save-submit" aria-describedby="submit-blocked"\n        disabled' in refused.text
    doc = client.get("/curate/doc/lesson-zorblax-cutover").text
    assert 'id="doc-state">Draft<' in doc  # the draft was saved, not sent
    base = re.search(r"Working copy: revision (\d+)", doc).group(1)
    sent = post(
        client,
        "/curate/save",
        {**LESSON_FORM, "doc_id": "lesson-zorblax-cutover", "base": base, "action": "submit"},
    )
    assert sent.status_code == 303
    doc = client.get(sent.headers["location"]).text
    assert 'id="doc-state">In review<' in doc and 'id="awaiting-review">cur1<' in doc


def test_awaiting_review_disappears_once_published(client):
    sign_in(client, "cur1")
    create_lesson(client)
    post(client, "/curate/submit/lesson-zorblax-cutover")
    sign_in(client, "cur2")
    assert 'id="awaiting-review"' in client.get("/curate/doc/lesson-zorblax-cutover").text
    assert approve(client, "lesson-zorblax-cutover").status_code == 303
    page = client.get("/curate/doc/lesson-zorblax-cutover").text
    assert 'id="doc-state">Published<' in page and 'id="awaiting-review"' not in page
