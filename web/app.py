"""The FastAPI application factory: shared objects live in lifespan state, routes come from routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles

from ingest.pipeline import ProblemsCache
from kb.bootstrap import open_database
from kb.following.visits import VisitLog
from kb.settings import Settings
from kb.store.health import DatabaseHealth
from kb.store.locks import SERVER_LOCK, shared
from search.embedders import EmbedderPool
from search.lessons.beside import LessonsBeside
from search.service import (
    catch_up_indexes,
    finish_interrupted_publishes,
    open_follower,
    open_preparation,
    open_searcher,
)
from web.accounts import routes as auth
from web.accounts import users_routes as users
from web.actions import api as actions_api
from web.actions import routes as curate_actions
from web.core.auth import reader_access
from web.core.body_limit import BodyLimit, body_limits, curate_form_limits
from web.core.body_timeout import BodyTimeout
from web.core.cookies import BrowserCookieMiddleware
from web.core.curator_gate import CuratorGate
from web.core.errors import install_error_handlers
from web.core.metrics import AppMetrics, RequestMetrics
from web.core.rate_limit import RateLimiter, similar_limiter
from web.core.render import make_templates
from web.core.request_id import RequestId
from web.core.secret import session_secret
from web.core.security import SecurityHeaders
from web.core.text_guard import CleanQueryStrings, refuse_control_characters
from web.curate import routes as curate
from web.following import routes as following
from web.operations import routes as operations
from web.reading import api
from web.reading import document_routes as documents
from web.reading import routes as pages
from web.reading import search_routes as search
from web.similar import api as similar
from web.template_helpers import HELPERS, NAMES
from web.training import api as training_api
from web.training import routes as training

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings) -> FastAPI:
    """Build the web application for these settings (models and indexes open at startup)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict]:
        database = open_database(settings.db_url)
        database_health = DatabaseHealth(logging.getLogger("uvicorn.error"))
        database_health.watch(database.engine)
        pool = EmbedderPool(settings.embedders, settings.threads)
        for outcome in finish_interrupted_publishes(settings, database, pool):
            logging.getLogger("uvicorn.error").warning("%s", outcome)
        report = catch_up_indexes(settings, database, pool)
        if report is not None and (report.added or report.removed):
            logging.getLogger("uvicorn.error").info(
                "keyword index caught up with the catalog in %.1f s: %s (semantic search follows "
                "in the background)", report.seconds, report.generation,
            )  # fmt: skip
        # Serve at once with keyword search; the models load and the vector legs build behind.
        searcher = open_searcher(settings, database, pool, load_models=False)
        searcher.warm_up()
        follower = open_follower(settings, database, lambda: searcher.embedders)
        server_log = logging.getLogger("uvicorn.error")
        preparation = open_preparation(settings, database, pool, searcher, server_log.info)
        if settings.semantic_at_start == "wait":
            preparation.run()
        follower.start()
        preparation.start()
        visit_log = VisitLog(database)
        with shared(settings.data / SERVER_LOCK):  # `kb restore` refuses while this is held
            yield {
                "settings": settings,
                "database": database,
                "database_health": database_health,
                "searcher": searcher,
                "lessons_beside": LessonsBeside(searcher),
                "visit_log": visit_log,
            }
        preparation.stop()
        follower.stop()
        visit_log.close()
        searcher.close()
        database.close()

    app = FastAPI(
        title="PMO Knowledge Base API",
        description="Search and read the PMO knowledge base (zh/en).",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(refuse_control_characters)],  # kb.text_rules on every route
    )
    app.state.templates = make_templates(HELPERS, NAMES)
    app.state.problems_cache = ProblemsCache()
    app.state.secret_key = session_secret(settings)
    app.state.feedback_limiter = RateLimiter()
    app.state.similar_limiter = similar_limiter()
    app.add_middleware(CuratorGate)
    app.add_middleware(CleanQueryStrings)
    app.add_middleware(BodyLimit, limit_for=body_limits(settings))
    app.add_middleware(BodyTimeout, seconds=settings.body_timeout_seconds)
    app.add_middleware(SecurityHeaders, hsts=settings.https)
    app.add_middleware(BrowserCookieMiddleware, secure=settings.https)
    app.state.metrics = AppMetrics()
    app.add_middleware(RequestMetrics, metrics=app.state.metrics)
    app.add_middleware(RequestId, log_requests=settings.log_format == "json")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs():
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="PMO Knowledge Base API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    app.include_router(operations.router)
    app.include_router(auth.router)
    app.include_router(curate.router, form_limits=curate_form_limits(settings))
    app.include_router(curate_actions.router)
    app.include_router(similar.router)
    app.include_router(users.router)
    readers = [Depends(reader_access)]
    for router in (pages.router, search.router, documents.router, api.router, following.router):
        app.include_router(router, dependencies=readers)
    app.include_router(training.router, dependencies=readers)
    app.include_router(training_api.router, dependencies=readers)
    app.include_router(actions_api.router)
    app.include_router(training.public_router)
    app.include_router(training_api.public_router)
    install_error_handlers(app)
    return app


def create_app_from_environment() -> FastAPI:
    """Build the app from KB_* environment variables (the factory each spawned worker calls)."""
    return create_app(Settings())
