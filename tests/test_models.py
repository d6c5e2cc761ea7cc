"""The real embedding models, loaded once: offline loading, and everyday questions on shipped content."""

import shutil

import numpy as np
import pytest

from kb.bootstrap import open_database
from kb.settings import Settings
from search.embedders import EmbedderPool
from search.measure.evaluation import load_beir, query_groups
from search.measure.metrics import evaluate_rankings
from search.query.searcher import SearchRequest
from search.service import ingest_and_index, open_searcher
from tests.conftest import REPO

pytestmark = pytest.mark.models

# question → the documents that answer it (the right one must be in the top 3, hybrid mode)
EVERYDAY_QUESTIONS = {
    "how do I raise a change request": {"template-change-request", "guide-change-management"},
    "what went wrong when we changed vendors mid-project": {"lesson-en-vendor-switch-midproject"},
    "how often should we send status reports": {"template-weekly-status-report",
                                                "training-monitoring/03-rag-status-weekly-report"},
    "what goes into a project charter": {"template-project-charter",
                                         "training-initiating/03-writing-the-project-charter"},
    "how to fill in the risk register": {"template-risk-register", "guide-risk-management"},
    "how do we calculate SPI and CPI": {"training-monitoring/02-earned-value-spi-cpi",
                                        "guide-monitoring-reporting"},
    "what should a closure report contain": {"template-closure-report",
                                             "training-closing/04-closure-report-and-archiving"},
    "how to run a lessons learned workshop": {"training-closing/03-lessons-learned-workshop",
                                              "guide-knowledge-management"},
    "two projects need the same architect": {"lesson-zh-shared-architect-conflict-en",
                                             "guide-resource-management"},
    "what are the exit criteria of the planning phase": {"guide-planning"},
    "how to plan communication with stakeholders": {"guide-communication-management",
                                                    "template-communication-plan"},
    "who approves a change that moves a milestone": {"guide-change-management",
                                                     "training-executing/05-issues-and-change-requests",
                                                     "training-monitoring/04-change-control-ccb"},
    "风险登记册怎么填写": {"template-risk-register-zh", "guide-risk-management-zh"},
    "变更评审流程": {"guide-change-management-zh", "lesson-zh-ccb-review-delay"},
    "项目章程包含哪些内容": {"template-project-charter-zh",
                           "training-initiating-zh/03-writing-the-project-charter"},
    "周报什么时候提交": {"guide-monitoring-reporting-zh", "template-weekly-status-report-zh",
                         "training-monitoring-zh/03-rag-status-weekly-report"},
    "如何计算挣值和进度绩效指数": {"training-monitoring-zh/02-earned-value-spi-cpi",
                                   "guide-monitoring-reporting-zh"},
    "项目收尾需要做哪些工作": {"guide-closing-zh", "training-closing-zh"},
    "资源冲突如何协调": {"guide-resource-management-zh", "lesson-zh-shared-architect-conflict"},
    "如何组织经验教训总结会": {"guide-knowledge-management-zh",
                               "training-closing-zh/03-lessons-learned-workshop"},
    "启动阶段的关口评审": {"guide-initiating-zh", "guide-standard-process-zh",
                           "training-initiating-zh/05-gate-1-charter-approval"},
    "干系人登记册模板": {"template-stakeholder-register-zh"},
    "绩效评估的关键指标有哪些": {"guide-performance-evaluation-zh",
                                 "training-pmo-areas-zh/05-performance-evaluation"},
    "沟通管理计划怎么写": {"guide-communication-management-zh", "template-communication-plan-zh"},
}  # fmt: skip


@pytest.fixture(scope="session")
def pool():
    return EmbedderPool(["minilm", "use-multilingual"], threads=2)


@pytest.fixture(scope="session")
def shipped_searcher(tmp_path_factory, pool):
    root = tmp_path_factory.mktemp("shipped")
    shutil.copytree(REPO / "content", root / "content")
    settings = Settings(content=root / "content", data=root / "data")
    database = open_database(settings.db_url)
    report, index = ingest_and_index(settings, database, pool)
    assert report.errors == [] and index.embedded_texts > 0
    return open_searcher(settings, database, pool)


def test_models_load_offline_from_their_wheels(pool):
    for name, dim in (("minilm", 384), ("use-multilingual", 512)):
        embedder = pool.get(name)
        vectors = embedder.encode_passages(["项目风险管理", "project risk management"])
        assert vectors.shape == (2, dim) and embedder.dim == dim
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_multilingual_model_relates_chinese_and_english(pool):
    use = pool.get("use-multilingual")
    zh, en, other = use.encode_passages(
        ["更换供应商", "changing the vendor", "bake a chocolate cake"]
    )
    assert float(zh @ en) > float(zh @ other)


@pytest.mark.parametrize("question", list(EVERYDAY_QUESTIONS))
def test_everyday_question_finds_the_right_document_in_top_3(shipped_searcher, question):
    response = shipped_searcher.search(SearchRequest(question, log=False))
    top3 = [hit.id for hit in response.results[:3]]
    assert EVERYDAY_QUESTIONS[question] & set(top3), top3


def test_semantic_mode_finds_a_paraphrase_without_shared_words(shipped_searcher):
    response = shipped_searcher.search(
        SearchRequest("our supplier was replaced halfway through", mode="semantic", log=False)
    )
    assert "lesson-en-vendor-switch-midproject" in [hit.id for hit in response.results[:5]]


def test_related_documents_with_real_models(shipped_searcher):
    related = [hit.id for hit in shipped_searcher.related("guide-risk-management")]
    assert related and "guide-risk-management-zh" not in related
    assert any("risk" in doc_id for doc_id in related)


@pytest.mark.parametrize(
    "question", ["how to bake sourdough bread at home", "世界杯决赛结果", "三月去东京的便宜机票"]
)
def test_off_topic_questions_find_nothing_in_either_language(shipped_searcher, question):
    # the lower cross-language similarity floor must not let noise from the other language in
    response = shipped_searcher.search(SearchRequest(question, mode="semantic", log=False))
    assert response.results == [], [(hit.id, hit.lang) for hit in response.results[:5]]


# The judged set of tests/judged/shipped (see its README): nDCG@10 floors per direction and
# query type, set below what was measured (cross zh→en / en→zh, same, intent, typo) so a real
# regression fails while the model's run-to-run noise does not.
JUDGED_FLOORS = {"zh→en": 0.70, "en→zh": 0.65, "type same": 0.70, "type intent": 0.70,
                 "type typo": 0.85}  # fmt: skip


@pytest.fixture(scope="session")
def judged_hybrid(shipped_searcher):
    data = load_beir(REPO / "tests" / "judged" / "shipped", "test", require_corpus=False)
    judged = [qid for qid in data.qrels if qid in data.queries]
    rankings = {
        qid: [
            hit.id
            for hit in shipped_searcher.search(
                SearchRequest(data.queries[qid], limit=100, log=False, snippets=False)
            ).results
        ]
        for qid in judged
    }
    groups = query_groups(data, judged, dict(shipped_searcher.indexes().lang_of))
    return {
        name: evaluate_rankings({q: rankings[q] for q in members}, data.qrels)["ndcg@10"]
        for name, members in groups.items()
    }


@pytest.mark.parametrize("group", list(JUDGED_FLOORS))
def test_judged_set_stays_above_its_floor(judged_hybrid, group):
    assert judged_hybrid[group] >= JUDGED_FLOORS[group], judged_hybrid


@pytest.mark.parametrize(
    ("question", "answer", "within"),
    [
        ("办公室搬迁时怎样通知到所有员工？", "lesson-en-office-move-comms-missed-staff", 3),
        ("外包服务水平协议无法衡量", "lesson-en-outsourcing-sla-unmeasurable", 3),
        ("key users were busy with year-end closing during UAT", "lesson-zh-key-users-year-end", 3),
        ("the lowest bid supplier could not deliver", "lesson-zh-lowest-bid-vendor", 3),
        ("stakholder register", "template-stakeholder-register", 1),
    ],
)
def test_answers_in_the_other_language_or_behind_a_typo_rank_high(
    shipped_searcher, question, answer, within
):
    top = [hit.id for hit in shipped_searcher.search(SearchRequest(question, log=False)).results]
    assert answer in top[:within], top[:10]


def test_a_delay_lesson_leads_for_lessons_about_delays(shipped_searcher):
    data = load_beir(REPO / "tests" / "judged" / "shipped", "test", require_corpus=False)
    delay_lessons = {doc for doc, grade in data.qrels["int-01"].items() if grade == 2}
    response = shipped_searcher.search(SearchRequest("项目延期的教训", log=False))
    assert response.intent == "lesson" and data.queries["int-01"] == "项目延期的教训"
    top3 = [hit.id for hit in response.results[:3]]
    assert top3[0] in delay_lessons and all(h.kind == "lesson" for h in response.results[:3])


# Guard rail (issue 25): in every direction the default mode is never clearly worse than one leg
# alone — the fusion may not bury what the keyword or the semantic search finds by itself.
GUARD_MARGIN = 0.02
DIRECTIONS = ("zh→en", "en→zh", "zh→zh", "en→en")


@pytest.fixture(scope="session")
def judged_by_mode(shipped_searcher):
    data = load_beir(REPO / "tests" / "judged" / "shipped", "test", require_corpus=False)
    judged = [qid for qid in data.qrels if qid in data.queries]
    groups = query_groups(data, judged, dict(shipped_searcher.indexes().lang_of))
    by_mode = {}
    for mode in ("keyword", "semantic", "hybrid"):
        rankings = {
            qid: [
                hit.id
                for hit in shipped_searcher.search(
                    SearchRequest(
                        data.queries[qid], mode=mode, limit=100, log=False, snippets=False
                    )
                ).results
            ]
            for qid in judged
        }
        by_mode[mode] = {
            name: evaluate_rankings({q: rankings[q] for q in groups[name]}, data.qrels)["ndcg@10"]
            for name in DIRECTIONS
        }
    return by_mode


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_hybrid_is_not_below_its_best_single_leg(judged_by_mode, direction):
    best_leg = max(judged_by_mode["keyword"][direction], judged_by_mode["semantic"][direction])
    assert judged_by_mode["hybrid"][direction] >= best_leg - GUARD_MARGIN, judged_by_mode
