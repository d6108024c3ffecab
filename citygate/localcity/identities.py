"""The IRSA role each platform step runs as on the embedded AWS, as its pod does in the cluster.

Which service account runs what follows the manifests (workloads/base): the ETL steps the DAG runs
(extract, transform, data-quality, load, feature-engineering) are the `data-pipeline/pipeline` CronJobs;
training and promotion publish models, which only `data-pipeline/airflow` may (PublishModels); the
inference service and the API are `production/inference` and `production/api`.  The simulation is the
sensors' side, no workload: it keeps the embedded AWS's test keys.  The role ARNs are the applied
state's `irsa_role_arns` output; the service account token is any JWT-shaped string (the embedded AWS
does not verify it), in a file under the run's work folder, as the kubelet projects it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError

ROLE_OUTPUT = "irsa_role_arns"
STEP_SERVICE_ACCOUNTS = {
    "dag": "data-pipeline/pipeline",
    "training": "data-pipeline/airflow",
    "promote": "data-pipeline/airflow",
    "inference": "production/inference",
    "api": "production/api",
}
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJl"


def role_arns(state: Mapping[str, Any]) -> dict[str, str]:
    """`namespace/name` -> role ARN, from the applied state's outputs; fails closed when absent."""
    value = state.get("outputs", {}).get(ROLE_OUTPUT, {}).get("value")
    if not isinstance(value, dict):
        raise CitygateError(f"the applied state has no {ROLE_OUTPUT} output", "platform identities")
    return {str(k): str(v) for k, v in value.items()}


def step_identities(state: Mapping[str, Any], work: Path) -> dict[str, dict[str, str]]:
    """step -> the variables of its IRSA identity (role ARN, token file, session name); no static keys."""
    arns = role_arns(state)
    missing = sorted(set(STEP_SERVICE_ACCOUNTS.values()) - set(arns))
    if missing:
        raise CitygateError(f"no IRSA role for {', '.join(missing)}", "platform identities")
    folder = work / "identity"
    folder.mkdir(parents=True, exist_ok=True)
    identities = {}
    for step, account in STEP_SERVICE_ACCOUNTS.items():
        token = folder / f"{account.replace('/', '-')}.token"
        token.write_text(TOKEN, encoding="utf-8")
        identities[step] = {
            "AWS_ROLE_ARN": arns[account],
            "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
            "AWS_ROLE_SESSION_NAME": step,
        }
    return identities
