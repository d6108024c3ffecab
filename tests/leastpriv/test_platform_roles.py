"""The platform's own IRSA role of the inference service, judged on what the inference service really does.

The local environment is applied (the session's shared apply); its state holds every role's policy
with the ARNs resolved.  The inference service then loads its model from the models bucket, as it
does at start-up in the cluster, under the role the state names, on the recording embedded AWS.
CG-IAM-9's scenario then judges that same record as the test does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from citygate.bdd.runner import run_scenario
from citygate.inputs import load_plan
from citygate.leastpriv.applied import write_applied_plan
from citygate.leastpriv.calls import read_calls
from citygate.leastpriv.compare import judge
from citygate.leastpriv.inventory import recorded_inventory
from citygate.leastpriv.roles import plan_roles
from citygate.paths import WORKLOADS
from tests.leastpriv.conftest import REGION, Recording, cg_iam_9

if TYPE_CHECKING:
    from conftest import AppliedAccount  # the root conftest's session fixture

pytestmark = pytest.mark.e2e
MODEL = WORKLOADS / "inference" / "model" / "citysense-speed-1.0.0.json"


def test_the_inference_role_grants_its_model_read_and_more_than_it_uses(
    applied_for: Callable[[str], AppliedAccount],
    recording: Recording,
    admin: Callable[[str], Any],
    workload: Callable[[str], boto3.Session],
    tmp_path: Path,
) -> None:
    state = applied_for("local").state
    outputs = state["outputs"]
    bucket = outputs["data_lake_buckets"]["value"]["models"]
    role = outputs["irsa_role_arns"]["value"]["production/inference"].rsplit("/", 1)[-1]
    admin("s3").create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    admin("s3").put_object(Bucket=bucket, Key="models/citysense-speed-1.0.0.json", Body=MODEL.read_bytes())

    workload(role)  # the pod's environment: role ARN, token file, endpoint
    sys.path.insert(0, str(WORKLOADS / "inference"))
    from citysense_inference.model import load_model

    load_model(f"s3://{bucket}/models/citysense-speed-1.0.0.json")

    plan = write_applied_plan(state, tmp_path / "applied-plan.json")
    judged = judge(read_calls(recording.record), plan_roles(load_plan(plan)))
    assert judged.roles == 1
    assert not [f.message for f in judged.findings if f.status == "fail"]
    unused = {f.message.split(" grants ")[1].split(" on ")[0] for f in judged.findings}
    # The service reads its model and nothing else today: the rest of the role is granted ahead of use.
    assert unused == {
        "s3:ListBucket",
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
    }
    # CG-IAM-9's scenario reads the same record and passes, the same six grants listed as warnings.
    outcome = run_scenario(cg_iam_9().scenario, recorded_inventory(plan, recording.record))
    assert outcome.status == "passed", outcome.message
    warnings = [o["seen"] for o in outcome.evidence[-1]["observations"]]
    assert {w.split(" grants ")[1].split(" on ")[0] for w in warnings} == unused
