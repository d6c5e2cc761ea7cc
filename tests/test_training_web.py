"""Training in the web app: catalogue, steps and quiz forms (CSRF, sign-in, feedback, double
submit), resume, certificates and public verification, the team view's access, the JSON API."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kb.accounts import create_user
from kb.training.progress import AttemptRow
from tests.training_fixtures import build_course
from web.app import create_app

PASSWORD = "training-pass"


@pytest.fixture
def client(settings, database):
    build_course(settings, database)
    for name, role in (("lin", "learner"), ("zoe", "curator")):
        create_user(database, name, PASSWORD, role, name.title())
    with TestClient(create_app(settings), headers={"accept-language": "en"}) as client:
        yield client


def csrf(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def sign_in(client, username):
    data = {"username": username, "password": PASSWORD, "csrf_token": csrf(client, "/signin")}
    assert client.post("/signin", data=data, follow_redirects=False).status_code == 303


def form_of(client, path, question=1):
    """Return the fields of a question's answer form on a step page."""
    html = client.get(path).text
    block = html.split(f'id="question-{question}"', 1)[1]
    fields = dict(re.findall(r'name="(csrf_token|question|nonce)" value="([^"]*)"', block)[:3])
    return fields


def answer(client, module, step, question, choice, **overrides):
    fields = {**form_of(client, f"/training/{module}/{step}", question), "choice": str(choice)}
    fields.update(overrides)
    return client.post(f"/training/{module}/{step}/answer", data=fields, follow_redirects=False)


def complete_basics(client):
    for step, question, choice in ((1, 1, 2), (1, 2, 3), (2, 1, 1)):
        assert answer(client, "training-basics", step, question, choice).status_code == 303
    client.get("/training/training-basics/3")


def test_home_and_nav_link_to_the_catalogue(client):
    home = client.get("/").text
    assert 'href="/training"' in home and 'href="/training/training-basics"' in home


def test_anonymous_catalogue_and_steps_ask_to_sign_in(client):
    page = client.get("/training")
    assert page.status_code == 200
    assert "Basics of the process" in page.text and "Advanced topics" in page.text
    assert "data-status" not in page.text and "Sign in to record" in page.text
    step = client.get("/training/training-basics/1")
    assert "Text of Intro" in step.text and "Who signs the charter" in step.text
    assert "Sign in to answer" in step.text and "Check answer" not in step.text
    token = csrf(client, "/training/training-basics/1")
    posted = client.post(
        "/training/training-basics/1/answer",
        data={"csrf_token": token, "question": "1", "choice": "2"},
        follow_redirects=False,
    )
    assert posted.status_code == 303 and posted.headers["location"].startswith("/signin?next=")


def test_catalogue_shows_status_progress_and_what_to_take_first(client):
    sign_in(client, "lin")
    page = client.get("/training").text
    advanced = page.split('data-module="training-advanced"', 1)[1]
    assert 'data-status="locked"' in advanced and "Take this module first:" in advanced
    assert 'href="/training/training-basics">Basics of the process' in advanced
    basics = page.split('data-module="training-basics"', 1)[1].split("</li>", 1)[0]
    assert 'data-status="not_started"' in basics and 'value="0"' in basics
    assert answer(client, "training-basics", 1, 1, 2).status_code == 303
    basics = client.get("/training").text.split('data-module="training-basics"', 1)[1]
    assert 'data-status="in_progress"' in basics


def question_block(client, path, number):
    page = client.get(path).text
    return page.split(f'id="question-{number}"', 1)[1].split('id="question-', 1)[0]


def test_a_wrong_answer_gets_the_hint_and_the_explanation_waits(client):
    sign_in(client, "lin")
    wrong = answer(client, "training-basics", 1, 1, 1)
    assert wrong.headers["location"] == "/training/training-basics/1?answered=1#question-1"
    block = question_block(client, wrong.headers["location"], 1)
    assert 'data-correct="no"' in block and "Try again." in block
    assert "you chose “Who signs the charter A”" in block
    assert "Think of who pays for the project." in block
    assert "Because the step says so." not in block  # the explanation gives the answer away
    assert answer(client, "training-basics", 1, 1, 2).status_code == 303
    block = question_block(client, "/training/training-basics/1", 1)
    assert 'data-correct="yes"' in block and "Attempts: 2" in block
    assert "Because the step says so." in block and "Think of who pays" not in block


def test_without_a_hint_a_wrong_answer_names_the_choice_then_explains_on_the_second_try(client):
    sign_in(client, "lin")
    answer(client, "training-basics", 1, 2, 1)
    block = question_block(client, "/training/training-basics/1", 2)
    assert "you chose “When is gate one A”" in block and "Try again." in block
    assert "Hint" not in block and "Because the step says so." not in block
    answer(client, "training-basics", 1, 2, 2)  # wrong again
    block = question_block(client, "/training/training-basics/1", 2)
    assert 'data-correct="no"' in block and "Because the step says so." in block
    assert "The explanation below gives the answer." in block
    zh = client.get("/training/training-basics/1", headers={"accept-language": "zh"}).text
    assert "回答不正确：您选择的是“When is gate one B”。" in zh and "解析" in zh


def test_quiz_forms_need_a_valid_csrf_token(client, database):
    sign_in(client, "lin")
    assert answer(client, "training-basics", 1, 1, 2, csrf_token="").status_code == 403
    assert answer(client, "training-basics", 1, 1, 2, csrf_token="forged").status_code == 403
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(AttemptRow)) == 0


def test_double_submitted_quiz_form_counts_once(client, database):
    sign_in(client, "lin")
    fields = {**form_of(client, "/training/training-basics/1"), "choice": "1"}
    for _ in range(2):
        response = client.post(
            "/training/training-basics/1/answer", data=fields, follow_redirects=False
        )
        assert response.status_code == 303
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(AttemptRow)) == 1
    assert "Attempts: 1" in client.get("/training/training-basics/1").text


def test_bad_answers_are_clear_errors(client):
    sign_in(client, "lin")
    assert answer(client, "training-basics", 1, 1, 7).status_code == 400
    fields = {**form_of(client, "/training/training-basics/1"), "question": "9", "choice": "1"}
    assert client.post("/training/training-basics/1/answer", data=fields).status_code == 404
    assert client.get("/training/training-basics/9").status_code == 404
    assert client.get("/training/no-such-module").status_code == 404


def test_locked_module_refuses_answers_and_names_the_prerequisite(client):
    sign_in(client, "lin")
    page = client.get("/training/training-advanced/1").text
    assert "This module is locked." in page and "Check answer" not in page
    token = csrf(client, "/training")
    refused = client.post(
        "/training/training-advanced/1/answer",
        data={"csrf_token": token, "question": "1", "choice": "2"},
    )
    assert refused.status_code == 403 and "Basics of the process" in refused.text


def test_resume_where_i_left_off(client):
    sign_in(client, "lin")
    client.get("/training/training-basics/1")
    client.get("/training/training-basics/2")
    response = client.get("/training/training-basics/resume", follow_redirects=False)
    assert response.headers["location"] == "/training/training-basics/2"
    assert "Resume where I left off" in client.get("/training/training-basics").text


def test_completion_certificate_and_public_verification(client, settings):
    sign_in(client, "lin")
    assert client.get("/training/training-basics/certificate").status_code == 404
    complete_basics(client)
    module = client.get("/training/training-basics").text
    assert 'data-status="completed"' in module and "View your certificate" in module
    assert (
        'data-status="not_started"'
        in client.get("/training").text.split('data-module="training-advanced"', 1)[1]
    )
    cert = client.get("/training/training-basics/certificate")
    assert cert.status_code == 200 and "Lin" in cert.text and "100%" in cert.text
    code = re.search(r'class="cert-code">([A-Z0-9-]+)<', cert.text).group(1)
    with TestClient(create_app(settings)) as stranger:
        verified = stranger.get(f"/certificates/{code.lower()}")
        assert verified.status_code == 200 and "This certificate is valid." in verified.text
        assert "Basics of the process" in verified.text
        assert stranger.get("/certificates/ZZZZ-ZZZZ-ZZZZ").status_code == 404
        api = stranger.get(f"/api/certificates/{code}").json()
        assert api["learner"] == "Lin" and api["score"] == 100


def test_team_view_is_for_curators_only(client):
    anonymous = client.get("/training/team", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")
    sign_in(client, "lin")
    assert client.get("/training/team").status_code == 403
    answer(client, "training-basics", 2, 1, 3)  # a wrong answer to "What is a WBS"
    complete_basics(client)
    sign_in(client, "zoe")
    page = client.get("/training/team")
    assert page.status_code == 200 and "<svg" in page.text and "<script" not in page.text
    chart = page.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "What is a WBS" in chart and 'data-wrong="1"' in chart and "1 wrong of 2" in chart
    wbs = chart.split("What is a WBS", 1)[1].split("</g>", 1)[0]
    track = int(re.search(r'class="bar-track"[^>]* width="(\d+)"', wbs).group(1))
    wrong = int(re.search(r'class="bar-value"[^>]* width="(\d+)"', wbs).group(1))
    assert abs(track - 2 * wrong) <= 1  # one wrong of two answers: half the track
    row = page.text.split('data-module="training-basics"', 1)[1].split("</tr>", 1)[0]
    assert 'class="completed">1<' in row and "100%" in row
    learner = page.text.split('data-learner="lin"', 1)[1].split("</tr>", 1)[0]
    assert 'class="completed">1<' in learner


def test_training_api_modules_and_progress(client):
    modules = client.get("/api/training/modules").json()
    assert [m["id"] for m in modules] == ["training-basics", "training-advanced"]
    assert modules[0]["steps"][0]["questions"] == 2 and "answer" not in str(modules[0]["steps"])
    assert client.get("/api/training/modules/training-advanced").json()["prerequisites"] == [
        "training-basics"
    ]
    assert client.get("/api/training/modules?lang=zh").json() == []
    assert client.get("/api/training/progress").status_code == 401
    sign_in(client, "lin")
    answer(client, "training-basics", 1, 1, 2)
    mine = client.get("/api/training/progress/training-basics").json()
    assert mine["status"] == "in_progress" and mine["correct"] == 1 and mine["questions"] == 3
    assert mine["score"] == 33 and mine["pass_mark"] == 60 and mine["steps_done"] == []
    complete_basics(client)
    every = {p["module_id"]: p for p in client.get("/api/training/progress").json()}
    assert every["training-basics"]["status"] == "completed"
    assert every["training-basics"]["certificate_url"].startswith("/certificates/")
    assert every["training-advanced"]["status"] == "not_started"
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/training/modules" in paths and "/api/training/progress" in paths


def test_training_pages_in_chinese(client):
    client.cookies.set("ui_lang", "zh")
    assert "培训模块" in client.get("/training").text
    assert "登录后作答" in client.get("/training/training-basics/1").text


def progress_line(client, path, lang="en"):
    html = client.get(path, headers={"accept-language": lang}).text
    return re.search(r'class="muted progress-text">([^<]*)<', html).group(1)


def test_progress_says_answers_right_so_far_against_the_pass_mark(client):
    sign_in(client, "lin")
    client.get("/training/training-basics/1")
    assert progress_line(client, "/training/training-basics") == (
        "0 of 3 steps done · no quiz answers yet (pass mark 60% of 3 questions)"
    )
    answer(client, "training-basics", 1, 1, 2)  # right
    answer(client, "training-basics", 1, 2, 1)  # wrong
    assert progress_line(client, "/training/training-basics/1") == (
        "1 of 3 steps done · 1 of 2 answered correctly so far (pass mark 60% of 3 questions)"
    )
    assert progress_line(client, "/training/training-basics/1", "zh") == (
        "已完成 1/3 个步骤 · 已答 2 题，答对 1 题（及格线：全部 3 题答对 60%）"
    )
    answer(client, "training-basics", 2, 1, 1)
    assert progress_line(client, "/training") == (
        "2 of 3 steps done · 2 of 3 questions answered correctly (pass mark 60%)"
    )
    progress = client.get("/api/training/progress/training-basics").json()
    assert (progress["answered"], progress["correct"], progress["questions"]) == (3, 2, 3)


def test_the_api_never_gives_the_answer_away_before_the_rule_allows(client):
    step_doc = client.get("/api/documents/training-basics/01-intro").json()
    quiz = step_doc["meta"]["quiz"]
    assert quiz[0] == {
        "question": "Who signs the charter",
        "choices": [
            "Who signs the charter A",
            "Who signs the charter B",
            "Who signs the charter C",
        ],
    }
    assert "Because the step says so." not in str(step_doc)
    url = "/api/training/modules/training-basics/steps/1/questions/1/answer"
    assert client.post(url, json={"choice": 1}).status_code == 401
    sign_in(client, "lin")
    first = client.post(url, json={"choice": 1, "nonce": "a1"}).json()
    assert (first["correct"], first["attempts"], first["revealed"]) == (False, 1, False)
    assert first["chosen"] == "Who signs the charter A"
    assert first["hint"] == "Think of who pays for the project." and first["explanation"] == ""
    again = client.post(url, json={"choice": 1, "nonce": "a1"}).json()  # the same answer resent
    assert again["attempts"] == 1
    quiz = client.get("/api/training/modules/training-basics/steps/1/quiz").json()
    assert quiz[0]["feedback"]["explanation"] == "" and quiz[1]["feedback"] is None
    assert "answer" not in quiz[0]
    right = client.post(url, json={"choice": 2}).json()
    assert right["correct"] and right["revealed"] and right["hint"] == ""
    assert right["explanation"] == "Because the step says so."
    other = "/api/training/modules/training-basics/steps/1/questions/2/answer"
    client.post(other, json={"choice": 1})
    second_wrong = client.post(other, json={"choice": 2}).json()
    assert (
        not second_wrong["correct"] and second_wrong["explanation"] == "Because the step says so."
    )


def test_the_answer_api_refuses_bad_input_with_clear_errors(client):
    sign_in(client, "lin")
    base = "/api/training/modules/training-basics/steps"
    assert client.post(f"{base}/1/questions/1/answer", json={"choice": 7}).status_code == 400
    assert client.post(f"{base}/1/questions/9/answer", json={"choice": 1}).status_code == 404
    assert client.post(f"{base}/9/quiz").status_code == 405
    assert client.get(f"{base}/9/quiz").status_code == 404
    form = client.post(f"{base}/1/questions/1/answer", data={"choice": "1"})
    assert form.status_code == 422  # JSON only: a cross-site form cannot answer for the learner
    locked = "/api/training/modules/training-advanced/steps/1/questions/1/answer"
    refused = client.post(locked, json={"choice": 2})
    assert refused.status_code == 403 and "Basics of the process" in refused.json()["detail"]


def test_a_completed_module_offers_review_instead_of_resume(client):
    sign_in(client, "lin")
    client.get("/training/training-basics/1")
    assert 'id="resume"' in client.get("/training/training-basics").text
    complete_basics(client)
    module = client.get("/training/training-basics").text
    assert "Resume where I left off" not in module
    assert (
        'id="review" href="/training/training-basics/1"' in module and "Review the module" in module
    )


def test_team_bars_are_drawn_as_a_share_of_the_answers():
    from web.core.charts import bar_chart

    chart = bar_chart([("q1", 1, "1 wrong of 1"), ("q2", 1, "1 wrong of 2")], totals=[1, 2])
    all_wrong, half_wrong = chart.bars
    assert all_wrong.width == all_wrong.track  # every answer wrong: the track is all red
    assert abs(half_wrong.track - 2 * half_wrong.width) <= 1
    assert half_wrong.track > all_wrong.track
