"""The FastAPI application factory: shared objects live in lifespan state, routes come from routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from kb import catalog
from kb.db import Database
from kb.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    """Build the web application for these settings (nothing is opened until startup)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict]:
        database = Database.connect(settings.db_url)
        yield {"settings": settings, "database": database}
        database.close()

    app = FastAPI(title="PMO Knowledge Base", lifespan=lifespan, docs_url="/api/docs")

    @app.get("/", response_class=HTMLResponse)
    def home(request) -> str:  # replaced by the real UI in web/routers
        with request.state.database.session() as session:
            documents, sections = catalog.counts(session)
        return f"<h1>PMO Knowledge Base</h1><p>{documents} documents, {sections} sections</p>"

    return app
