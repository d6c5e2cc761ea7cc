"""The probes and the metrics endpoint: /healthz (alive), /readyz (can serve), /metrics
(Prometheus). Open to anyone like a load balancer, outside analytics and rate limits."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from web.core.deps import DatabaseDep, SearcherDep
from web.core.metrics import AppMetrics
from web.operations.readiness import Liveness, Readiness, readiness
from web.operations.service_state import ServiceState

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Liveness)
def healthz() -> Liveness:
    """Say the process is alive (cheap: no database or index work; for liveness probes)."""
    return Liveness(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready: see which check failed."}},
)
def readyz(database: DatabaseDep, searcher: SearcherDep) -> JSONResponse:
    """Say whether this process can serve: database reachable, schema at head, an index
    generation loaded (200, else 503); and whether semantic search is ready yet."""
    found = readiness(database, searcher)
    return JSONResponse(found.model_dump(), status_code=200 if found.ready else 503)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, database: DatabaseDep, searcher: SearcherDep) -> Response:
    """Answer Prometheus's scrape: request, search and service metrics in its text format."""
    app_metrics: AppMetrics = request.app.state.metrics
    state = ServiceState(searcher, database, request.state.database_health)
    return Response(app_metrics.scrape(state), media_type=CONTENT_TYPE_LATEST)
