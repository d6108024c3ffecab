"""The HTTP service: `uvicorn citysense_api.app:create_app --factory`.

| endpoint | answers |
| --- | --- |
| `GET /api/v1/segments` (`limit`, `offset`) | the segment catalogue (PostgreSQL) |
| `GET /api/v1/segments/{id}` | one segment; 404 unknown |
| `GET /api/v1/segments/{id}/features` | its latest features (DynamoDB); 404 when the store holds none |
| `GET /api/v1/segments/{id}/forecast` | the inference service's 15-minute forecast from those features; 404 unknown segment or missing features; **503** when the inference service fails or times out |
| `GET /api/v1/incidents` (`segment_id`, `status`, `limit`, `offset`) | incidents, newest first |
| `POST /api/v1/incidents` | 201 with the stored incident; 404 unknown segment |
| `POST /api/v1/reports` | 202: the report is a JSON object in the raw bucket and a record on the sensor stream |
| `GET /healthz`, `/readyz`, `/metrics` | liveness; readiness (the database answers); Prometheus |

Bad input is 422 naming the field (`body.severity`), never echoing the value; a store or database
that fails is 503 naming it.
"""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

import boto3
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from citysense_api import __version__
from citysense_api.db import create_db_engine, reachable
from citysense_api.forecast import InferenceClient, InferenceUnavailable, MissingFeatures
from citysense_api.headers import SecurityHeaders
from citysense_api.metrics import ApiMetrics, RouteMetrics
from citysense_api.models import Incident, Segment
from citysense_api.schemas import (
    Features,
    Forecast,
    IncidentIn,
    IncidentList,
    IncidentOut,
    Limit,
    Offset,
    ReportAccepted,
    ReportIn,
    SegmentId,
    SegmentIdPath,
    SegmentList,
    SegmentOut,
)
from citysense_api.settings import Settings
from citysense_api.stores import FeatureStore, ReportSink, StoreUnavailable

PREFIX = "/api/v1"


class Service:
    """The app's collaborators, built once per process (no globals, so tests can build several apps)."""

    def __init__(self, settings: Settings, engine: Engine | None, aws: boto3.session.Session | None) -> None:
        self.settings = settings
        self.engine = engine or create_db_engine(settings, aws)
        self.features = FeatureStore(settings, aws)
        self.reports = ReportSink(settings, aws)
        self.inference = InferenceClient(settings.inference_url, settings.inference_timeout_s)
        self.metrics = ApiMetrics()

    def session(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            yield session

    def close(self) -> None:
        self.inference.close()
        self.engine.dispose()


def _segment(session: Session, segment_id: str) -> Segment:
    segment = session.get(Segment, segment_id)
    if segment is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no segment {segment_id}")
    return segment


def _router(service: Service) -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    DbSession = Annotated[Session, Depends(service.session)]

    @router.get("/segments")
    def list_segments(session: DbSession, limit: Limit = 100, offset: Offset = 0) -> SegmentList:
        rows = session.scalars(select(Segment).order_by(Segment.id).limit(limit).offset(offset))
        return SegmentList(segments=[SegmentOut.model_validate(r) for r in rows], limit=limit, offset=offset)

    @router.get("/segments/{segment_id}")
    def get_segment(session: DbSession, segment_id: SegmentIdPath) -> SegmentOut:
        return SegmentOut.model_validate(_segment(session, segment_id))

    @router.get("/segments/{segment_id}/features")
    def get_features(session: DbSession, segment_id: SegmentIdPath) -> Features:
        _segment(session, segment_id)
        features = service.features.latest(segment_id)
        if features is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no features for segment {segment_id}")
        return features

    @router.get(
        "/segments/{segment_id}/forecast",
        responses={503: {"description": "the inference service failed, timed out or answered nonsense"}},
    )
    def get_forecast(session: DbSession, segment_id: SegmentIdPath) -> Forecast:
        segment = _segment(session, segment_id)
        features = service.features.latest(segment_id)
        if features is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no features for segment {segment_id}")
        try:
            return service.inference.forecast(segment, features)
        except MissingFeatures as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
        except InferenceUnavailable as exc:
            service.metrics.upstream_failures.labels("inference").inc()
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc), {"Retry-After": "5"}) from None

    @router.get("/incidents")
    def list_incidents(
        session: DbSession,
        segment_id: SegmentId | None = None,
        status_: Annotated[Literal["open", "resolved"] | None, Query(alias="status")] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> IncidentList:
        query = select(Incident).order_by(Incident.started_at.desc(), Incident.id.desc()).limit(limit).offset(offset)
        if segment_id is not None:
            query = query.where(Incident.segment_id == segment_id)
        if status_ is not None:
            query = query.where(Incident.status == status_)
        return IncidentList(incidents=[IncidentOut.model_validate(r) for r in session.scalars(query)])

    @router.post("/incidents", status_code=status.HTTP_201_CREATED)
    def create_incident(session: DbSession, incident: IncidentIn) -> IncidentOut:
        _segment(session, incident.segment_id)
        row = Incident(**incident.model_dump())
        session.add(row)
        session.commit()
        session.refresh(row)
        return IncidentOut.model_validate(row)

    @router.post("/reports", status_code=status.HTTP_202_ACCEPTED)
    def create_report(session: DbSession, report: ReportIn) -> ReportAccepted:
        _segment(session, report.segment_id)
        return service.reports.submit(report)

    return router


def _invalid(request: Request, exc: Exception) -> JSONResponse:
    """422 naming each field (`body.severity`, `query.limit`); the rejected value is never echoed."""
    assert isinstance(exc, RequestValidationError)
    detail = [{"loc": ".".join(map(str, e["loc"])), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


def _unavailable(service: Service, upstream: str, message: str) -> JSONResponse:
    service.metrics.upstream_failures.labels(upstream).inc()
    return JSONResponse({"detail": message}, status_code=503, headers={"Retry-After": "5"})


def create_app(
    settings: Settings | None = None, engine: Engine | None = None, aws: boto3.session.Session | None = None
) -> FastAPI:
    """Build the app; settings come from the environment unless given (bad settings stop the process).

    `engine` and `aws` (a boto3 session) replace the ones the settings would make: tests pass their own.
    """
    service = Service(settings or Settings.from_env(), engine, aws)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        service.close()

    app = FastAPI(title="citysense API", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.include_router(_router(service))
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StoreUnavailable, lambda r, e: _unavailable(service, getattr(e, "store", "aws"), str(e)))
    app.add_exception_handler(DBAPIError, lambda r, e: _unavailable(service, "database", "database unavailable"))

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness: the process serves HTTP (the database is readiness' business)."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        if not reachable(service.engine):
            return JSONResponse({"status": "database unreachable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(service.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    if service.settings.web_root is not None:  # local runs: the dashboard from the same origin
        app.mount("/", StaticFiles(directory=service.settings.web_root, html=True), name="web")
    app.add_middleware(RouteMetrics, metrics=service.metrics)
    app.add_middleware(SecurityHeaders)
    return app
