"""The query path under load: batched query encoding, cached term scores that rank exactly as
whoosh does, and questions that end with a question mark."""

import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from search.embedders import FakeEmbedder
from search.index.keyword import KeywordIndex
from search.index.records import SectionRecord
from search.lru import LRUCache
from search.query.batching import BatchingQueryEncoder
from search.text.analyzer import configure_jieba

TEXTS = [
    "The project sponsor approves the charter and the budget.",
    "Two sponsors disagreed, so the steering committee decided.",
    "Risk register: review every risk with its owner each week.",
    "变更评审流程：提交变更请求，评估影响，变更控制委员会审批。",
    "项目风险管理计划需要定期更新，风险登记册每周评审。",
    "Sponsor engagement fell after the kick-off; the sponsor skipped reviews.",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    configure_jieba(tmp_path_factory.mktemp("jieba"))
    records = [
        SectionRecord(
            i, f"d{i}", f"t{i}", "", (), text, str(i), "guide", "en", "published", (), (), ()
        )  # fmt: skip
        for i, text in enumerate(TEXTS)
    ]
    index = KeywordIndex.create(tmp_path_factory.mktemp("kw"), records)
    yield index
    index.close()


@pytest.mark.parametrize(
    "query", ["project sponsor", "sponsor budget approves", "风险登记册", "变更评审流程", "risk"]
)
def test_cached_term_scores_rank_as_whoosh_does(index, query):
    whoosh = index._searcher.search(index.plain_query(query), limit=10)
    expected = [(round(score, 9), docnum) for score, docnum in whoosh.top_n]
    got = [(round(hit.score, 9), hit.sid) for hit in index.search(query)]
    assert got == expected and got


def test_a_question_ranks_the_same_with_or_without_its_question_mark(index):
    # the mark once sent the query down the syntax path, which drops the phrase clauses
    assert index.search("risk register?") == index.search("risk register")
    assert index.search("project sponsor?") == index.search("project sponsor")


def test_filters_apply_to_cached_term_scores(index):
    assert index.search("sponsor", {"status": ["draft"]}) == []
    assert index.search("sponsor", {"status": ["published"]}) == index.search("sponsor")


def test_concurrent_queries_are_batched_and_each_gets_its_own_vector():
    embedder = FakeEmbedder()
    calls: list[int] = []
    original = embedder.encode_queries
    embedder.encode_queries = lambda texts: calls.append(len(texts)) or original(texts)
    encoder = BatchingQueryEncoder(embedder, cache_size=0)
    queries = [f"query number {i} 风险" for i in range(64)]
    with ThreadPoolExecutor(32) as pool:
        vectors = list(pool.map(encoder.encode, queries))
    encoder.close()
    for query, vector in zip(queries, vectors, strict=True):
        assert np.allclose(vector, original([query])[0])
    assert sum(calls) == 64


def test_a_model_error_reaches_the_caller_and_the_encoder_keeps_working():
    embedder = FakeEmbedder()
    original = embedder.encode_queries
    embedder.encode_queries = lambda texts: (
        (_ for _ in ()).throw(RuntimeError("model broke")) if "bad" in texts else original(texts)
    )
    encoder = BatchingQueryEncoder(embedder, cache_size=0)
    with pytest.raises(RuntimeError, match="model broke"):
        encoder.encode("bad")
    assert encoder.encode("good").shape == (embedder.dim,)
    encoder.close()


def test_lru_cache_keeps_the_most_recently_used():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    nothing = LRUCache(0)
    nothing.put("a", 1)
    assert nothing.get("a") is None


def test_concurrent_searches_over_fresh_terms_read_whoosh_safely(tmp_path):
    # long, compressed posting lists read for the first time by many threads at once
    words = [f"w{i:03d}" for i in range(400)]
    records = [
        SectionRecord(i, f"d{i}", f"t{i}", "", (), " ".join(words[(i * 7 + k * 13) % 400]
                      for k in range(120)), str(i), "guide", "en", "published", (), (), ())
        for i in range(1500)
    ]  # fmt: skip
    KeywordIndex.create(tmp_path / "kw", records).close()
    queries = [" ".join(words[(q * 11 + k * 5) % 400] for k in range(2)) for q in range(400)]
    index = KeywordIndex.open(tmp_path / "kw")
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch all the time, as under heavy load
    try:
        with ThreadPoolExecutor(16) as pool:
            got = list(pool.map(lambda q: _search_or_error(index, q), queries))
    finally:
        sys.setswitchinterval(switching)
    index.close()
    fresh = KeywordIndex.open(tmp_path / "kw")
    expected = [fresh.search(query) for query in queries]
    fresh.close()
    assert got == expected


def _search_or_error(index, query):
    try:
        return index.search(query)
    except Exception as error:  # a race shows as corrupt reads (zlib, pickle, struct errors)
        return repr(error)
