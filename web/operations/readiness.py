"""Whether this process can serve: the database answers with its schema at head, an index
generation is loaded, and how far semantic search is."""

from __future__ import annotations

import logging

from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError

from kb.bootstrap import store_tables
from kb.store.database import Database
from kb.store.schema import SchemaTooNew, status
from search.query.searcher import Searcher

log = logging.getLogger("kb.readiness")


class SemanticReadiness(BaseModel):
    """Semantic (vector) search: ready, or where its preparation stands."""

    ready: bool = Field(description="Hybrid search is on (else results come from keyword search).")
    state: str = Field(description="ready, loading, embedding, indexing or failed.")


class Readiness(BaseModel):
    """Whether the server can answer searches and pages now (200) or not yet (503)."""

    ready: bool = Field(description="Database reachable, schema at head, an index loaded.")
    database: bool = Field(description="The database answered a query just now.")
    schema_at_head: bool = Field(description="The database's schema is this release's head.")
    index_generation: str | None = Field(description="The serving index generation, if any.")
    semantic: SemanticReadiness


class Liveness(BaseModel):
    """The process is alive and answering (no database work is done to say so)."""

    status: str = Field(description="Always `ok`.")


def schema_state(database: Database) -> tuple[bool, bool]:
    """Return (database reachable, schema at head), asking the database once."""
    try:
        found = status(database, store_tables())
    except (SQLAlchemyError, OSError, SchemaTooNew) as error:
        log.warning("readiness: the database check failed: %s", str(error).splitlines()[0])
        return (not isinstance(error, (SQLAlchemyError, OSError)), False)
    return True, not found.pending and not found.empty


def readiness(database: Database, searcher: Searcher) -> Readiness:
    """Check the database, its schema, the loaded index generation and semantic search."""
    reachable, at_head = schema_state(database)
    generation = searcher.store.current_name()
    semantic = searcher.semantic_status()
    return Readiness(
        ready=reachable and at_head and generation is not None,
        database=reachable,
        schema_at_head=at_head,
        index_generation=generation,
        semantic=SemanticReadiness(
            ready=semantic is None, state="ready" if semantic is None else semantic.state
        ),
    )
