"""The platform run of `up` (`platform.json`: the pipeline's steps, then the city's) as one row per step.

Each row is a status and one line of result, the same in `up`'s output and the report's table.  A step
the run never reached is "not run"; a step that recorded an error is "failed", with the error as its line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PIPELINE_STEPS = ("simulate", "dag", "training", "promote", "inference")
CITY_STEPS = ("services", "forecast_via_api", "browser", "smoke", "teardown")
NOT_RUN = "not-run"


@dataclass(frozen=True)
class StepRow:
    stage: str  # pipeline | city
    step: str
    status: str  # passed | failed | skipped | not-run
    result: str


def _simulate(r: dict[str, Any]) -> str:
    return (
        f"{r.get('streamed_records')} streamed + {r.get('legacy_readings')} legacy readings, "
        f"{r.get('weather_observations')} weather observations, {r.get('reports')} citizen reports "
        f"for {r.get('interval_start')} .. {r.get('interval_end')}"
    )


def _dag(r: dict[str, Any]) -> str:
    tasks = r.get("tasks") or {}
    done = sum(state == "success" for state in tasks.values())
    return f"{r.get('dag_id')} {r.get('state')}: {done}/{len(tasks)} tasks succeeded in {r.get('seconds')}s"


def _training(r: dict[str, Any]) -> str:
    metrics = r.get("metrics") or {}
    mae = metrics.get("mae_kmh") or {}
    baseline = min((mae[k] for k in ("persistence", "historical_mean") if k in mae), default=None)
    scored = f"MAE {mae.get('model')} km/h against {baseline} for the best baseline"
    if "production" in mae:
        scored += f" and {mae['production']} for production {metrics.get('production_version')}"
    if r.get("registered") is None:
        return f"no new version registered ({scored})"
    return f"registered version {r['registered']} (model {metrics.get('version')}): {scored}"


def _promote(r: dict[str, Any]) -> str:
    if "version" not in r:
        return f"no new version: production stays at version {r.get('production')}"
    return f"version {r['version']} in production (sha256 {str(r.get('sha256', ''))[:12]}...)"


def _inference(r: dict[str, Any]) -> str:
    body = r.get("body") or {}
    p = body.get("prediction") or {}
    return (
        f"{p.get('segment_id')}: {p.get('speed_kmh')} km/h ({p.get('congestion')}) from model "
        f"{body.get('model_version')}; an unknown segment answers {r.get('unknown_segment_status')}"
    )


def _services(r: dict[str, Any]) -> str:
    return (
        f"PostgreSQL {r.get('postgres_version')}, migrations at {r.get('migrations_head')}; API and dashboard "
        f"{r.get('api_url')}; inference {r.get('inference_url')} serves model {r.get('model_version')} "
        f"(registry production version {r.get('registry_production')})"
    )


def _forecast_via_api(r: dict[str, Any]) -> str:
    body = r.get("body")
    if not isinstance(body, dict) or "speed_kmh" not in body:
        return f"HTTP {r.get('http_status')}: {body}"
    return f"HTTP {r.get('http_status')}: {body.get('segment_id')} {body['speed_kmh']} km/h (model {body.get('model_version')})"


def _smoke(r: dict[str, Any]) -> str:
    return ", ".join(f"{c.get('name')} {c.get('status')}" for c in r.get("checks") or []) or "no checks"


LINES: dict[str, Callable[[dict[str, Any]], str]] = {
    "simulate": _simulate,
    "dag": _dag,
    "training": _training,
    "promote": _promote,
    "inference": _inference,
    "services": _services,
    "forecast_via_api": _forecast_via_api,
    "browser": lambda r: str(r.get("detail")),
    "smoke": _smoke,
}


def _row(stage: str, step: str, result: Any) -> StepRow | None:
    if not isinstance(result, dict):
        return None if step == "teardown" else StepRow(stage, step, NOT_RUN, "the run did not reach this step")
    if "error" in result:
        return StepRow(stage, step, "failed", str(result["error"]))
    status = str(result.get("status", "passed")) if stage == "city" else "passed"
    return StepRow(stage, step, status, LINES[step](result))


def step_rows(record: dict[str, Any]) -> list[StepRow]:
    """Every step of both stages in order; a stage absent from the record (never reached) is all "not run"."""
    rows = []
    for stage, names in (("pipeline", PIPELINE_STEPS), ("city", CITY_STEPS)):
        steps = (record.get(stage) or {}).get("steps") or {}
        rows += [row for name in names if (row := _row(stage, name, steps.get(name))) is not None]
    return rows
