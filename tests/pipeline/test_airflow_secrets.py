"""Airflow's metadata DB connection comes from Secrets Manager, configured only by the manifests.

The real `airflow` CLI of the pipeline's pins (.venv-airflow, with the amazon provider) resolves
`sql_alchemy_conn` through `sql_alchemy_conn_secret` and the Secrets Manager backend on the embedded AWS,
with exactly the variables the pods get: nothing here retypes the manifests' configuration.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml
from citysense_pipeline.aws import client
from citysense_pipeline.config import Resources
from citysense_pipeline.demo import aws_environment

from citygate.paths import WORKLOADS

AIRFLOW_MANIFESTS = WORKLOADS / "base" / "data-pipeline" / "airflow.yaml"
COMPONENTS = {"airflow-scheduler", "airflow-dag-processor", "airflow-api-server", "airflow-triggerer"}


def _environments() -> dict[str, dict[str, str]]:
    """Deployment name -> its container's environment, as the manifests declare it."""
    documents = yaml.safe_load_all(AIRFLOW_MANIFESTS.read_text(encoding="utf-8"))
    deployments = [d for d in documents if d and d["kind"] == "Deployment"]
    return {
        d["metadata"]["name"]: {e["name"]: e["value"] for e in d["spec"]["template"]["spec"]["containers"][0]["env"]}
        for d in deployments
    }


def test_every_airflow_component_has_the_same_environment() -> None:
    environments = _environments()
    assert set(environments) == COMPONENTS
    assert len({json.dumps(env, sort_keys=True) for env in environments.values()}) == 1


def test_metadata_connection_resolves_from_secrets_manager(
    airflow_venv: Path, moto_endpoint: str, tmp_path: Path
) -> None:
    config = _environments()["airflow-scheduler"]
    prefix = json.loads(config["AIRFLOW__SECRETS__BACKEND_KWARGS"])["config_prefix"]
    uri = f"sqlite:///{tmp_path / 'from-secrets-manager.db'}"  # not Airflow's default (AIRFLOW_HOME/airflow.db)
    resources = Resources.for_env("ptest-airflow-secrets", moto_endpoint)
    client(resources, "secretsmanager").create_secret(
        Name=f"{prefix}/{config['AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_SECRET']}", SecretString=uri
    )
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "AWS_"))}
    env = inherited | aws_environment(resources) | config | {"AIRFLOW_HOME": str(tmp_path)}
    airflow = airflow_venv.parent / "airflow"
    done = subprocess.run(
        [str(airflow), "config", "get-value", "database", "sql_alchemy_conn"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == uri
