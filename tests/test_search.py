"""The searcher: fusion, filters, facets, snippets, did-you-mean, related documents, the log."""

import pytest
from sqlalchemy import select

from kb.insights.querylog import SearchLogRow
from search.query.fusion import LegRanking, doubt_from_coverage, ranked_list, reciprocal_rank_fusion
from search.query.searcher import SearchRequest
from tests.search_fixtures import build_kb


@pytest.fixture
def searcher(settings, database):
    searcher = build_kb(settings, database)
    yield searcher
    searcher.close()


def ids(response):
    return [hit.id for hit in response.results]


def test_rrf_rewards_agreement_between_legs():
    fused = reciprocal_rank_fusion(
        [ranked_list("a", 1.0, [1, 2, 3]), ranked_list("b", 1.0, [3, 2])]
    )
    assert [e.item for e in fused] == [3, 2, 1]  # found by both legs beats a lone first
    assert fused[0].legs == frozenset({"a", "b"}) and fused[2].legs == frozenset({"a"})


def test_rrf_weights_shift_the_order():
    fused = reciprocal_rank_fusion([ranked_list("a", 1.0, [1]), ranked_list("b", 2.0, [2])])
    assert fused[0].item == 2


def test_a_leg_blind_to_a_language_does_not_bury_its_documents():
    # keyword sees only Chinese documents; the multilingual leg sees both
    lang = {"zh1": "zh", "zh2": "zh", "en1": "en"}.__getitem__
    keyword = ranked_list("keyword", 1.0, ["zh1", "zh2"], frozenset({"zh"}))
    vectors = ranked_list("multi", 0.5, ["en1", "zh2", "zh1"])
    plain = reciprocal_rank_fusion([keyword, vectors])
    assert [e.item for e in plain][-1] == "en1"  # classic RRF: the English answer is last
    aware = reciprocal_rank_fusion([keyword, vectors], lang)
    assert aware[0].item == "en1"  # ranked first by the only leg that can read it


def test_a_keyword_leg_sure_of_its_language_ranks_it_above_the_other_languages_best_match():
    # a Chinese question whose words a Chinese page holds: the multilingual leg still likes an
    # English page best, but the keyword leg keeps its weight against what it cannot read
    lang = {"zh1": "zh", "zh2": "zh", "en1": "en"}.__getitem__
    vectors = ranked_list("multi", 0.5, ["en1", "zh2", "zh1"])
    unsure = LegRanking("keyword", 1.0, [("zh2", 1), ("zh1", 2)], frozenset({"zh"}), doubt=0.0)
    sure = LegRanking("keyword", 1.0, [("zh2", 1), ("zh1", 2)], frozenset({"zh"}), doubt=1.0)
    assert reciprocal_rank_fusion([unsure, vectors], lang)[0].item == "en1"
    fused = [e.item for e in reciprocal_rank_fusion([sure, vectors], lang)]
    assert fused[0] == "zh2" and "en1" in fused  # ranked lower, never dropped


def test_the_keyword_leg_doubts_the_other_language_only_when_it_holds_most_of_the_question():
    assert doubt_from_coverage(0.3) == doubt_from_coverage(0.6) == 0.0
    assert doubt_from_coverage(0.8) == pytest.approx(0.5) and doubt_from_coverage(1.0) == 1.0


def test_keyword_coverage_is_the_share_of_the_question_a_section_holds(searcher):
    loaded = searcher.indexes()
    sid = next(s for s, r in loaded.records.items() if r.doc_id == "guide-risk-en")
    keyword = loaded.keyword
    assert keyword.coverage("risk register owner", [sid]) == pytest.approx(1.0)
    partial = keyword.coverage("risk register reactor meltdown", [sid])
    assert 0.0 < partial < 0.75  # the two words it lacks are rarer than those it holds
    assert keyword.coverage("reactor meltdown", [sid]) == 0.0
    assert keyword.coverage("risk register", []) == 0.0


def test_a_keyword_hit_across_languages_still_counts():
    lang = {"zh1": "zh", "zh2": "zh"}.__getitem__
    vectors = ranked_list("multi", 0.5, ["zh1", "zh2"], frozenset({"zh"}))
    keyword = ranked_list("keyword", 1.0, ["zh2"], frozenset({"en"}))  # an acronym match
    without = {e.item: e.score for e in reciprocal_rank_fusion([vectors], lang)}
    fused = {e.item: e for e in reciprocal_rank_fusion([keyword, vectors], lang)}
    assert fused["zh2"].score > without["zh2"] and fused["zh2"].legs == {"keyword", "multi"}
    assert fused["zh1"].score == without["zh1"]  # a blind leg costs nothing to the others


def test_a_blind_legs_late_hit_never_lowers_a_document():
    # an English query: the Chinese lesson is first for the multilingual leg; the keyword leg,
    # which reads English, happens to match an acronym in it at rank 30
    lang = {f"en{i}": "en" for i in range(30)} | {"zh1": "zh"}
    english = [f"en{i}" for i in range(29)]
    vectors = ranked_list("multi", 0.5, ["zh1"], frozenset({"zh"}))
    keyword = ranked_list("keyword", 1.0, [*english, "zh1"], frozenset({"en"}))
    fused = reciprocal_rank_fusion([keyword, vectors], lang.__getitem__)
    alone = reciprocal_rank_fusion([vectors], lang.__getitem__)
    assert fused[0].item == "zh1" and fused[0].score == alone[0].score


def test_a_tie_goes_to_the_document_more_legs_agree_on():
    # an English page first for the keyword leg alone, a Chinese lesson first for the two legs
    # that read Chinese: both normalise to 1/61; the agreement of two legs decides
    lang = {"en1": "en", "zh1": "zh"}.__getitem__
    keyword = ranked_list("keyword", 1.0, ["en1"], frozenset({"en"}))
    glossary = ranked_list("glossary", 0.25, ["zh1"], frozenset({"zh"}))
    multi = ranked_list("multi", 1.0, ["zh1"], frozenset({"zh"}))
    fused = reciprocal_rank_fusion([keyword, glossary, multi], lang)
    assert fused[0].score == fused[1].score
    assert [e.item for e in fused] == ["zh1", "en1"]


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


def test_a_clear_misspelling_is_corrected_and_the_original_offered(searcher):
    response = searcher.search(SearchRequest("stakholder"))
    assert response.corrected_from == "stakholder" and response.query == "stakeholder"
    assert ids(response) == ids(searcher.search(SearchRequest("stakeholder")))
    exact = searcher.search(SearchRequest("stakholder", autocorrect=False))
    assert exact.did_you_mean == "stakeholder" and exact.corrected_from is None
    assert searcher.search(SearchRequest("stakeholder")).did_you_mean is None


def test_related_excludes_itself_and_its_translation(searcher):
    related = [hit.id for hit in searcher.related("guide-risk")]
    assert related and "guide-risk" not in related and "guide-risk-en" not in related


def test_every_search_is_logged(searcher, database):
    searcher.search(SearchRequest("变更评审流程", filters={"kind": ["guide"]}))
    searcher.query_log.flush()  # written in batches off the request path
    with database.session() as session:
        row = session.scalars(select(SearchLogRow)).one()
    assert (row.query, row.mode, row.lang) == ("变更评审流程", "hybrid", "zh")
    assert row.filters == {"kind": ["guide"]} and row.result_count >= 1 and row.latency_ms > 0


def test_pagination(searcher):
    first = searcher.search(SearchRequest("stakeholder", limit=1))
    second = searcher.search(SearchRequest("stakeholder", limit=1, offset=1))
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


def test_a_translated_pair_is_one_result_in_the_readers_language(searcher):
    english = searcher.search(SearchRequest("risk register"))
    assert "guide-risk-en" in ids(english) and "guide-risk" not in ids(english)
    chinese = searcher.search(SearchRequest("风险登记册"))
    assert "guide-risk" in ids(chinese) and "guide-risk-en" not in ids(chinese)
    only_zh = searcher.search(SearchRequest("risk register", filters={"lang": ["zh"]}))
    assert ids(only_zh) == ["guide-risk"]  # a language filter is obeyed


def test_a_match_only_in_the_translation_opens_the_readers_version(searcher):
    # a Chinese query whose one English word only the English version contains
    response = searcher.search(SearchRequest("stakeholder 的"))
    assert "guide-risk" in ids(response) and "guide-risk-en" not in ids(response)
    english = searcher.search(SearchRequest("stakeholder 的", filters={"lang": ["en"]}))
    assert "guide-risk-en" in ids(english)
