"""Typed dependencies: the objects opened in the lifespan, handed to routes (never module globals)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from pydantic import AfterValidator, WithJsonSchema

from ingest.publish import Publisher
from kb.content.ids import ID_PATTERN, MAX_ID_CHARS, require_id
from kb.settings import Settings
from kb.store.database import Database
from search.lessons.beside import LessonsBeside
from search.query.searcher import Searcher
from search.service import open_publisher
from web.core.i18n import choose_lang


def get_settings(request: Request) -> Settings:
    """Return the app's settings."""
    return request.state.settings


def get_database(request: Request) -> Database:
    """Return the app's database."""
    return request.state.database


def get_searcher(request: Request) -> Searcher:
    """Return the app's searcher."""
    return request.state.searcher


def get_lessons_beside(request: Request) -> LessonsBeside:
    """Return the app's finder of lessons to show beside training steps and guides."""
    return request.state.lessons_beside


def get_publisher(
    settings: Annotated[Settings, Depends(get_settings)],
    database: Annotated[Database, Depends(get_database)],
    searcher: Annotated[Searcher, Depends(get_searcher)],
) -> Publisher:
    """Return a publisher that updates the serving indexes with the already-loaded models."""
    return open_publisher(settings, database, lambda: searcher.embedders)  # at re-index time


def get_lang(request: Request) -> str:
    """Return the UI language of this request."""
    return choose_lang(request)


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
PublisherDep = Annotated[Publisher, Depends(get_publisher)]
LessonsBesideDep = Annotated[LessonsBeside, Depends(get_lessons_beside)]
LangDep = Annotated[str, Depends(get_lang)]
# a document id in a path or a body: 422 when invalid, and the OpenAPI document says the rule
DocId = Annotated[
    str,
    AfterValidator(require_id),
    WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS, "pattern": ID_PATTERN}
    ),
]
