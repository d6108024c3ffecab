"""The applied account as a plan the judge reads: every managed resource of the Terraform state, its
attributes as planned values.  A plan made before apply leaves role policies with ARNs unknown; after
apply the state holds them resolved, which is what the recorded calls are judged against."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from citygate.live.deployed import DeployedResources
from citygate.outputs import write_report


def applied_plan(state: dict[str, Any]) -> dict[str, Any]:
    """A plan document (`terraform show -json` form) whose planned values are the state's managed resources."""
    resources = [
        {
            "address": item.address,
            "mode": "managed",
            "type": item.type,
            "name": item.address.split("[")[0].rsplit(".", 1)[-1],
            "values": item.attributes,
        }
        for item in DeployedResources(state).items
    ]
    return {"format_version": "1.2", "planned_values": {"root_module": {"resources": resources}}}


def write_applied_plan(state: dict[str, Any], path: Path) -> Path:
    """`applied_plan(state)` written to `path` (its folder made); returns `path`."""
    write_report(path, json.dumps(applied_plan(state)) + "\n")
    return path
