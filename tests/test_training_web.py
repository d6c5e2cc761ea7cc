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


def test_quiz_gives_feedback_with_explanation_and_allows_retry(client):
    sign_in(client, "lin")
    wrong = answer(client, "training-basics", 1, 1, 1)
    assert wrong.headers["location"] == "/training/training-basics/1?answered=1#question-1"
    page = client.get(wrong.headers["location"]).text
    block = page.split('id="question-1"', 1)[1].split('id="question-2"', 1)[0]
    assert 'data-correct="no"' in block and "Because the step says so." in block
    assert answer(client, "training-basics", 1, 1, 2).status_code == 303
    block = client.get("/training/training-basics/1").text.split('id="question-1"', 1)[1]
    assert 'data-correct="yes"' in block.split('id="question-2"', 1)[0]
    assert "Attempts: 2" in block


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
