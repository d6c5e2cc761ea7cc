"""Helpers to build a small knowledge base with the fake embedder for search tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy

from kb.settings import Settings
from kb.store.database import WRITERS_LOCK, Database
from search.embedders import EmbedderPool
from search.query.searcher import Searcher
from search.service import ingest_and_index, open_searcher

DOCS = {
    "guides/risk.md": """---
id: guide-risk
title: 风险管理指南
kind: guide
lang: zh
phase: [planning, monitoring]
area: [risk]
tags: [风险, 登记册]
---
## 风险登记册

项目风险管理计划需要定期更新，每周评审风险登记册（risk register）。
""",
    "guides/risk-en.md": """---
id: guide-risk-en
title: Risk management guide
kind: guide
lang: en
phase: [planning]
area: [risk]
translation_of: guide-risk
---
## The risk register

Review the risk register every week with each risk owner and stakeholder.
""",
    "lessons/vendor.md": """---
id: lesson-vendor
title: Switching vendors mid-project
kind: lesson
lang: en
phase: [executing]
area: [procurement]
project: CRM
date: 2025-01-10
impact: negative
priority: high
action_status: done
---
## Driving event
The integration vendor was replaced in month four.
## Root cause
No exit clause in the contract.
## Effect
Six weeks lost during the stakeholder handover.
## Recommendation
Add a knowledge transfer clause.
## Early-warning signs
- Late deliveries from the vendor
""",
    "guides/change.md": """---
id: guide-change
title: 变更管理
kind: guide
lang: zh
summary: 变更请求如何提交和评审。
phase: [executing]
area: [change]
---
## 变更评审流程

变更请求提交后由变更控制委员会评审。
""",
    "guides/draft.md": """---
id: guide-draft
title: Unfinished draft about risk
kind: guide
lang: en
status: draft
---
A draft risk note that readers must not see.
""",
}


def build_kb(settings: Settings, database: Database, docs: dict[str, str] = DOCS) -> Searcher:
    """Write the docs into the content folder, ingest and index them, return a searcher."""
    for rel, text in docs.items():
        path = settings.content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    pool = EmbedderPool(settings.embedders, settings.threads)
    ingest_and_index(settings, database, pool)
    return open_searcher(settings, database, pool)


@contextmanager
def holding_the_writers_lock(settings: Settings) -> Iterator[None]:
    """Be another process's writer in the middle of a long transaction (an ingest, a publish):
    SQLite's write lock, or PostgreSQL's writers' advisory lock, held until the block ends."""
    url = settings.db_url
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(settings.sqlite_path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text(f"SELECT pg_advisory_xact_lock({WRITERS_LOCK})"))
            yield
            connection.rollback()
    finally:
        engine.dispose()
