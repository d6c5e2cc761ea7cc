# ruff: noqa: F401, F811 (the imported fixtures are used by name)
"""A search's words marked in the document page it leads to (search.query.page_marks, /docs/…?q=)."""

from search.query.page_marks import mark_query
from tests.test_web import client

PAGE = (
    '<h2 id="risk-owner">Risk owner</h2>'
    '<p>Each <a href="/docs/risk" title="risk guide">risk</a> has one owner &amp; a date.</p>'
    "<pre><code>risk &lt;owner&gt;</code></pre>"
)


def test_words_are_marked_in_text_only_never_in_tags_or_attributes():
    marked, count = mark_query(PAGE, "who is the risk owner")
    assert '<h2 id="risk-owner"><mark class="query-mark">Risk owner</mark></h2>' in marked
    assert (
        '<a href="/docs/risk" title="risk guide"><mark class="query-mark">risk</mark></a>' in marked
    )
    assert "&amp; a date" in marked  # text stays escaped
    assert (
        '<mark class="query-mark">risk</mark> &lt;<mark class="query-mark">owner</mark>&gt;'
        in marked
    )
    assert count == 5


def test_no_query_or_only_stop_words_leave_the_page_as_it_was():
    assert mark_query(PAGE, "") == (PAGE, 0)
    assert mark_query(PAGE, "what is the") == (PAGE, 0)


def test_the_document_page_marks_the_search_that_led_to_it(client):
    page = client.get("/docs/lesson-vendor?q=vendor+handover", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert '<mark class="query-mark">vendor' in page.text.lower()
    assert 'id="query-note"' in page.text and "vendor handover" in page.text
    plain = client.get("/docs/lesson-vendor")
    assert "query-mark" not in plain.text and 'id="query-note"' not in plain.text
    hostile = client.get("/docs/lesson-vendor?q=<script>vendor</script>")
    assert "<script>vendor" not in hostile.text
