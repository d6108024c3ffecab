"""The whole pipeline once, end to end, on the embedded AWS: what `make up` shows of the data platform.

    simulate -> ETL DAG (dag.test in the Airflow venv) -> training pipeline (kfp local runner)
    -> promote the registered version -> a forecast from the inference service reading the feature store

`run_all(endpoint_url, env)` returns each step's result; the first failing step ends the run and is
named in `failed` with one line in its result's `error`.  `identities` (step -> variables) runs a step as
its workload does in the cluster, e.g. under its IRSA role (`AWS_ROLE_ARN`, `AWS_WEB_IDENTITY_TOKEN_FILE`)
instead of the embedded AWS's test keys; a step without one keeps the test keys.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from citysense_pipeline import registry
from citysense_pipeline.aws import REGION, ensure_resources
from citysense_pipeline.config import Resources
from citysense_pipeline.simulate import Simulation, segment_ids, simulate

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = (ROOT / "workloads" / "pipeline", ROOT / "workloads" / "inference")
SEGMENTS, DAYS = 8, 14  # two weeks: the smallest history on which the model reliably beats the baselines
STEP_TIMEOUT_S = 900
STATIC_KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
Identities = Mapping[str, Mapping[str, str]]  # step -> the variables of the identity it runs as


class StepFailed(Exception):
    """One step of the run failed; the message is the one line the report shows."""


def airflow_python() -> Path:
    """The Airflow venv's interpreter (it also holds kfp): CITYSENSE_AIRFLOW_PYTHON or the repository's .venv-airflow."""
    return Path(os.environ.get("CITYSENSE_AIRFLOW_PYTHON") or ROOT / ".venv-airflow" / "bin" / "python")


def aws_environment(resources: Resources) -> dict[str, str]:
    """What a child process (or the service) needs to reach the same resources."""
    values = {"CITYSENSE_ENV": resources.env, "AWS_DEFAULT_REGION": REGION}
    if resources.endpoint_url:
        values |= {
            "AWS_ENDPOINT_URL": resources.endpoint_url,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
        }
    return values


def step_environment(resources: Resources, identity: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """`aws_environment`, with `identity`'s variables in place of the test keys when given (None unsets:
    static keys would win over a role in the SDKs' credential chain)."""
    values: dict[str, str | None] = dict(aws_environment(resources))
    if identity:
        values |= dict.fromkeys(STATIC_KEYS) | dict(identity)
    return values


def run_module(
    module: str,
    args: list[str],
    resources: Resources,
    extra: Mapping[str, str] | None = None,
    identity: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """`python -m module args` in the Airflow venv; its last stdout line is the JSON outcome."""
    python = airflow_python()
    if not python.exists():
        raise StepFailed(f"{python} not found: run `make deps` (it builds .venv-airflow)")
    merged = {**os.environ, **step_environment(resources, identity), **(extra or {})}
    env = {name: value for name, value in merged.items() if value is not None}
    env["PYTHONPATH"] = os.pathsep.join(map(str, PACKAGES))
    try:
        done = subprocess.run(
            [str(python), "-m", module, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise StepFailed(f"{module} did not finish within {STEP_TIMEOUT_S}s") from None
    lines = done.stdout.strip().splitlines()
    try:
        outcome = dict(json.loads(lines[-1]))
    except (IndexError, ValueError):
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise StepFailed(f"{module} exited {done.returncode}: {tail}") from None
    outcome["exit_code"] = done.returncode
    return outcome


def run_dag(
    resources: Resources,
    sim: Simulation,
    airflow_home: Path,
    warehouse: str | None = None,
    identity: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    args = ["--start", sim.start.isoformat(), "--end", sim.end.isoformat(), "--airflow-home", str(airflow_home)]
    extra = {"CITYSENSE_WAREHOUSE": warehouse} if warehouse else None
    return run_module("citysense_pipeline.dags.run", args, resources, extra, identity)


def run_training(resources: Resources, root: Path, identity: Mapping[str, str] | None = None) -> dict[str, Any]:
    args = ["--env", resources.env, "--endpoint-url", resources.endpoint_url or "", "--root", str(root)]
    return run_module("citysense_pipeline.training.run", args, resources, identity=identity)


@contextmanager
def environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (None: unset) variables for in-process clients, then restore them.  boto3's default session
    keeps the credentials it resolved first, so it starts afresh inside and out: each side signs as its own."""
    import boto3

    with mock.patch.dict(os.environ):
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        boto3.DEFAULT_SESSION = None
        try:
            yield
        finally:
            boto3.DEFAULT_SESSION = None


def one_line(exc: BaseException) -> str:
    """`Type: message`, first line only: what a step's result shows of the error that ended it."""
    return (f"{type(exc).__name__}: {exc}".splitlines() or [type(exc).__name__])[0]


def forecast(resources: Resources, segment_id: str, identity: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The inference service (in process) loads production from the registry and answers from the store."""
    for package in PACKAGES:
        if str(package) not in sys.path:
            sys.path.append(str(package))
    from citysense_inference.app import create_app
    from citysense_inference.settings import Settings
    from fastapi.testclient import TestClient

    settings = Settings(model_registry=f"s3://{resources.models_bucket}", feature_table=resources.feature_table)
    with environment(step_environment(resources, identity)), TestClient(create_app(settings)) as service:
        known = service.get(f"/v1/segments/{segment_id}/prediction")
        unknown = service.get("/v1/segments/seg-unknown/prediction")
    return {"status": known.status_code, "body": known.json(), "unknown_segment_status": unknown.status_code}


def run_all(
    endpoint_url: str | None, env: str = "local", work: Path | None = None, identities: Identities | None = None
) -> dict[str, Any]:
    """Every step in order; stops at the first failure. `work` keeps Airflow's home and kfp's outputs;
    `identities` names the variables of the identity each step runs as (see the module docstring)."""
    resources = Resources.for_env(env, endpoint_url)
    identities = identities or {}
    work = work or Path(tempfile.mkdtemp(prefix="citysense-pipeline-"))
    results: dict[str, Any] = {}
    state: dict[str, Any] = {}

    def simulate_step() -> dict[str, Any]:
        if resources.endpoint_url:
            ensure_resources(resources)
        state["sim"] = simulate(resources, segments=SEGMENTS, days=DAYS)
        return state["sim"].as_dict()

    def dag_step() -> dict[str, Any]:
        warehouse = f"sqlite:///{work / 'warehouse.db'}"
        outcome = run_dag(resources, state["sim"], work / "airflow", warehouse, identities.get("dag"))
        if outcome.get("state") != "success":
            raise StepFailed(f"DAG run {outcome.get('state')}: tasks {outcome.get('tasks')}")
        return outcome

    def training_step() -> dict[str, Any]:
        outcome = run_training(resources, work / "kfp", identities.get("training"))
        if outcome.get("state") != "success":
            raise StepFailed(f"training pipeline {outcome.get('state')}")
        return outcome

    def promote_step() -> dict[str, Any]:
        version = results["training"].get("registered")
        with environment(step_environment(resources, identities.get("promote"))):
            if version is None:
                production = registry.production_version(resources)
                return {"promoted": None, "production": production, "reason": "no new version"}
            return registry.promote(resources, int(version))

    def inference_step() -> dict[str, Any]:
        answer = forecast(resources, segment_ids(SEGMENTS)[0], identities.get("inference"))
        if answer["status"] != 200:
            raise StepFailed(f"forecast answered {answer['status']}: {answer['body']}")
        return answer

    steps: tuple[tuple[str, Callable[[], dict[str, Any]]], ...] = (
        ("simulate", simulate_step),
        ("dag", dag_step),
        ("training", training_step),
        ("promote", promote_step),
        ("inference", inference_step),
    )
    for name, step in steps:
        try:
            results[name] = step()
        except Exception as exc:
            results[name] = {"error": one_line(exc)}
            return {"ok": False, "failed": name, "steps": results}
    return {"ok": True, "failed": None, "steps": results}
