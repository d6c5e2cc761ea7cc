"""The searcher: fusion, filters, facets, snippets, did-you-mean, related documents, the log."""

import pytest
from sqlalchemy import select

from kb.insights.querylog import SearchLogRow
from search.fusion import reciprocal_rank_fusion
from search.searcher import SearchRequest
from tests.search_fixtures import build_kb


@pytest.fixture
def searcher(settings, database):
    return build_kb(settings, database)


def ids(response):
    return [hit.id for hit in response.results]


def test_rrf_rewards_agreement_between_legs():
    fused = reciprocal_rank_fusion({"a": [1, 2, 3], "b": [3, 2]}, {"a": 1.0, "b": 1.0})
    assert [item for item, _, _ in fused] == [3, 2, 1]  # found by both legs beats a lone first
    assert fused[0][2] == frozenset({"a", "b"}) and fused[2][2] == frozenset({"a"})


def test_rrf_weights_shift_the_order():
    fused = reciprocal_rank_fusion({"a": [1], "b": [2]}, {"a": 1.0, "b": 2.0})
    assert fused[0][0] == 2


def test_chinese_query_finds_section_and_deep_links(searcher):
    response = searcher.search(SearchRequest("风险管理"))
    hit = response.results[0]
    assert hit.id == "guide-risk" and hit.anchor == "风险登记册"
    assert hit.url == "/docs/guide-risk#风险登记册" and hit.path == "guides/risk.md"
    assert "<mark>" in hit.snippet and "keyword" in hit.legs


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_each_mode_finds_the_vendor_lesson(searcher, mode):
    response = searcher.search(SearchRequest("vendor replaced contract", mode=mode))
    assert ids(response)[0] == "lesson-vendor"
    assert response.mode == mode


def test_semantic_only_hit_gets_a_sentence_snippet(searcher):
    response = searcher.search(SearchRequest("vendor month", mode="semantic"))
    assert response.results[0].legs == ["fake"] and response.results[0].snippet


def test_filters_apply_inside_the_search(searcher):
    response = searcher.search(SearchRequest("risk register", filters={"lang": ["zh"]}))
    assert ids(response) and all(hit.lang == "zh" for hit in response.results)
    only_lessons = searcher.search(SearchRequest("risk", filters={"kind": ["lesson"]}))
    assert all(hit.kind == "lesson" for hit in only_lessons.results)


def test_facets_count_documents_and_ignore_their_own_filter(searcher):
    response = searcher.search(SearchRequest("risk register", filters={"lang": ["en"]}))
    assert response.facets["lang"].get("zh", 0) >= 1  # the other language stays selectable
    assert response.facets["area"]["risk"] == 1  # counted within lang=en


def test_drafts_are_hidden_from_readers(searcher):
    assert "guide-draft" not in ids(searcher.search(SearchRequest("draft risk note")))
    curator = searcher.search(SearchRequest("draft risk note", include_unpublished=True))
    assert "guide-draft" in ids(curator)


def test_did_you_mean_corrects_misspelling(searcher):
    assert searcher.search(SearchRequest("stakholder")).did_you_mean == "stakeholder"
    assert searcher.search(SearchRequest("stakeholder")).did_you_mean is None


def test_related_excludes_itself_and_its_translation(searcher):
    related = [hit.id for hit in searcher.related("guide-risk")]
    assert related and "guide-risk" not in related and "guide-risk-en" not in related


def test_every_search_is_logged(searcher, database):
    searcher.search(SearchRequest("变更评审流程", filters={"kind": ["guide"]}))
    with database.session() as session:
        row = session.scalars(select(SearchLogRow)).one()
    assert (row.query, row.mode, row.lang) == ("变更评审流程", "hybrid", "zh")
    assert row.filters == {"kind": ["guide"]} and row.result_count >= 1 and row.latency_ms > 0


def test_pagination(searcher):
    first = searcher.search(SearchRequest("risk", limit=1))
    second = searcher.search(SearchRequest("risk", limit=1, offset=1))
    assert first.total >= 2 and ids(first) != ids(second)


def test_empty_query_returns_nothing(searcher):
    assert searcher.search(SearchRequest("   ")).results == []


def test_nonsense_gets_no_results_in_any_mode(searcher):
    for mode in ("keyword", "semantic", "hybrid"):
        assert searcher.search(SearchRequest("zzqx plorf", mode=mode)).results == []


def test_tag_filter_ignores_case(settings, database):
    docs = {"a.md": "---\ntitle: Alpha\nkind: guide\nlang: en\ntags: [Vendor]\n---\nvendor text\n"}
    searcher = build_kb(settings, database, docs)
    assert searcher.search(SearchRequest("vendor", filters={"tag": ["Vendor"]})).results
