"""Cross-language arbitration: the multilingual leg decides between languages, not within one."""

from search.query.crosslingual import arbitrate, merge_languages

LANG = {"zh-a": "zh", "zh-b": "zh", "zh-c": "zh", "en-a": "en", "en-b": "en"}


def test_each_language_keeps_its_order_and_the_better_language_leads():
    # the keyword legs ordered zh-b before zh-a; the English page the multilingual leg rates far
    # above any Chinese one comes first, and the Chinese pages keep their order
    order = ["zh-b", "zh-a", "en-a"]
    similarity = {"zh-a": 0.40, "zh-b": 0.30, "en-a": 0.60}
    assert merge_languages(order, "zh", similarity, LANG, offset=0.0) == ["en-a", "zh-b", "zh-a"]


def test_the_offset_credits_the_other_language_for_the_models_same_language_bias():
    order = ["zh-a", "en-a"]
    similarity = {"zh-a": 0.45, "en-a": 0.40}
    assert merge_languages(order, "zh", similarity, LANG, offset=0.0)[0] == "zh-a"
    assert merge_languages(order, "zh", similarity, LANG, offset=0.1)[0] == "en-a"


def test_a_ranking_in_one_language_is_left_as_it_is():
    order = ["zh-c", "zh-a", "zh-b"]
    similarity = {"zh-a": 0.9, "zh-b": 0.8, "zh-c": 0.1}
    assert merge_languages(order, "zh", similarity, LANG) == order


def test_arbitration_is_one_vote_against_the_fused_order():
    # fused: the Chinese pages first; merge: the English page first → it rises, but not above the
    # page both orders put high
    order = ["zh-a", "zh-b", "zh-c", "en-a"]
    similarity = {"zh-a": 0.5, "zh-b": 0.3, "zh-c": 0.2, "en-a": 0.6}
    ranked = [doc for doc, _ in arbitrate(order, "zh", similarity, LANG, offset=0.0)]
    assert ranked.index("en-a") < order.index("en-a")
    assert ranked[0] in ("zh-a", "en-a") and ranked[1] in ("zh-a", "en-a")


def test_a_language_keeps_its_order_for_documents_the_multilingual_leg_did_not_score():
    order = ["en-b", "zh-a", "en-a"]
    similarity = {"zh-a": 0.3, "en-a": 0.5}
    merged = merge_languages(order, "en", similarity, LANG, offset=0.0)
    assert merged.index("en-b") < merged.index("en-a") and set(merged) == set(order)
