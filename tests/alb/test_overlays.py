"""`python main.py overlays`: values only an applied stack knows come from its outputs, or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from citygate.errors import CitygateError
from citygate.k8s.overlays import generate


def test_outputs_add_the_file_system_of_the_storage_class(synth_out: dict[str, Path], tmp_path: Path) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"efs_file_system_id": {"value": "fs-0123456789abcdef0", "type": "string"}}))
    spec = yaml.safe_load(generate("dev", synth_out["dev"], outputs))
    (patch,) = [p for p in spec["patches"] if p["target"]["kind"] == "StorageClass"]
    assert yaml.safe_load(patch["patch"]) == [
        {"op": "add", "path": "/parameters/fileSystemId", "value": "fs-0123456789abcdef0"}
    ]
    without = yaml.safe_load(generate("dev", synth_out["dev"]))
    assert not [p for p in without["patches"] if p["target"]["kind"] == "StorageClass"]


def test_outputs_without_the_file_system_fail_closed(synth_out: dict[str, Path], tmp_path: Path) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"vpc_id": {"value": "vpc-1"}}))
    with pytest.raises(CitygateError, match="efs_file_system_id"):
        generate("dev", synth_out["dev"], outputs)


def test_a_binding_without_its_target_group_in_the_stack_fails_closed(
    synth_out: dict[str, Path], tmp_path: Path
) -> None:
    stack = json.loads(synth_out["dev"].read_text(encoding="utf-8"))
    del stack["resource"]["aws_lb_target_group"]["app_api"]
    broken = tmp_path / "cdk.tf.json"
    broken.write_text(json.dumps(stack), encoding="utf-8")
    with pytest.raises(CitygateError, match="no target group citygate-dev-api"):
        generate("dev", broken)
