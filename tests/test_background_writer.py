"""The background writer keeps every good row: an item the database refuses costs only itself,
and what is dropped is logged with the reason."""

import logging

from sqlalchemy import select

from kb.insights.querylog import QueryLog, SearchLogEntry, SearchLogRow


def entry(query, **filters):
    return SearchLogEntry(query, "hybrid", "en", filters, 3, 12.5)


def test_one_refused_item_costs_only_itself(database, caplog):
    log = QueryLog(database, interval=5.0)  # the five entries go in one batch
    for query in ("risk register", "变更评审", "stakeholder map"):
        log.record(entry(query))
    log.record(entry("unserialisable filter", tag=object()))  # JSON cannot hold it
    log.record(entry("lessons learned"))
    with caplog.at_level(logging.WARNING, logger="kb.store"):
        log.close()
    with database.reading() as session:
        stored = set(session.scalars(select(SearchLogRow.query)))
    assert stored == {"risk register", "变更评审", "stakeholder map", "lessons learned"}
    assert log.dropped == 1
    [dropped] = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert "unserialisable filter" in dropped and "query-log" in dropped


def test_a_nul_in_a_query_costs_only_itself(database, caplog):
    # PostgreSQL refuses NUL in text; the web edge cleans it, and the writer must not lose the
    # rest of a batch to one that slips through
    log = QueryLog(database, interval=5.0)
    log.record(entry("before"))
    log.record(entry("bad\x00query"))
    log.record(entry("after"))
    with caplog.at_level(logging.WARNING, logger="kb.store"):
        log.close()
    with database.reading() as session:
        stored = set(session.scalars(select(SearchLogRow.query)))
    assert {"before", "after"} <= stored
    assert log.dropped == (0 if database.dialect == "sqlite" else 1)
