"""The engine contract the gate runs concurrently: Rego (embedded), OPA server, Checkov, Trivy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from citygate.findings import Finding
from citygate.model import Inventory


@dataclass(frozen=True)
class GateInput:
    """What an engine may look at: the normalized inventory and the on-disk input it came from.

    `path` is the plan JSON file, the synth folder (cdk.tf.json files), the manifests path or the
    workflows folder: external scanners (Checkov, Trivy) read that; in-process engines read
    `inventory`.
    """

    inventory: Inventory
    path: Path


class NothingToJudge(Exception):
    """A valid input holds no object this engine has checks for (a manifest of one Namespace, say).

    The gate records the run as `skipped` with this detail: the engine judged nothing, which is
    neither a pass nor a failure to read the input (that stays a CitygateError, exit 2).
    """


class Engine(Protocol):
    name: str

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        """Return findings; raise CitygateError (never return []) when the engine cannot judge, or
        NothingToJudge when the input holds nothing it has checks for."""
        ...
