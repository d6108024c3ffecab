"""The HTTP service: `uvicorn citysense_inference.app:create_app --factory`.

The body is validated straight from bytes by pydantic-core (no intermediate dict), which keeps
the per-request cost close to the framework's own floor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import ValidationError

from citysense_inference.metrics import MetricsMiddleware, ServiceMetrics
from citysense_inference.model import SpeedModel, load_model
from citysense_inference.predictor import predict
from citysense_inference.schemas import BatchRequest, BatchResponse, SingleResponse, predict_request
from citysense_inference.settings import Settings

router = APIRouter()


def _invalid(exc: ValidationError) -> JSONResponse:
    """400 for malformed JSON, 422 for well-formed JSON that breaks the schema; never echo the input."""
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    status = 400 if any(e["type"] == "json_invalid" for e in errors) else 422
    detail = [{"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors]
    return JSONResponse({"detail": detail}, status_code=status)


@router.post("/v1/predict")
async def predict_speed(request: Request) -> Response:
    model: SpeedModel | None = request.app.state.model
    if model is None:
        return JSONResponse({"detail": "model not loaded"}, status_code=503)
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return JSONResponse({"detail": "content-type must be application/json"}, status_code=415)
    try:
        body = predict_request.validate_json(await request.body())
    except ValidationError as exc:
        return _invalid(exc)
    readings = body.instances if isinstance(body, BatchRequest) else [body]
    predictions = predict(model, readings)
    request.app.state.metrics.predictions.inc(len(predictions))
    answer: BatchResponse | SingleResponse = (
        BatchResponse(model_version=model.version, predictions=predictions)
        if isinstance(body, BatchRequest)
        else SingleResponse(model_version=model.version, prediction=predictions[0])
    )
    return Response(answer.model_dump_json(), media_type="application/json")


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process serves HTTP."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Readiness: the model is loaded, so traffic may be routed here."""
    model: SpeedModel | None = request.app.state.model
    if model is None:
        return JSONResponse({"status": "loading"}, status_code=503)
    return JSONResponse({"status": "ready", "model_version": model.version})


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the model loads at start-up and a load failure stops the process (fail closed)."""
    settings = settings or Settings.from_env()
    service_metrics = ServiceMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        model = load_model(settings.model_uri, settings.model_sha256)
        service_metrics.model.info({"name": model.artifact.name, "version": model.version})
        app.state.model = model
        yield
        app.state.model = None

    app = FastAPI(
        title="citysense inference",
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,  # 413 before an oversized body is buffered
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.model = None
    app.state.metrics = service_metrics
    app.include_router(router)
    app.add_middleware(MetricsMiddleware, metrics=service_metrics)
    return app
