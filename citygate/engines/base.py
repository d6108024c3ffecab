"""The engine contract the gate runs concurrently: our policies (Rego embedded or on an OPA server,
the workload schema, reachability and IRSA checks) and the external scanners (Checkov, Trivy)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from citygate.findings import Finding
from citygate.model import Inventory


@dataclass(frozen=True)
class EngineOptions:
    """Settings an engine may need beyond its input; engines ignore those that are not theirs.

    `opa_url`: the OPA server the `opa` engine asks.  `synth_files` ({env: cdk.tf.json}): the
    synthesized stacks the `irsa` engine cross-checks workloads against (None: synthesize the
    environment's stacks on demand; {}: no stacks to compare with).  `calls`: the record of AWS
    calls the `leastpriv` engine compares with the plan's roles; `unused`: the status it gives a
    granted action no call used (warn or fail).
    """

    opa_url: str | None = None
    synth_files: Mapping[str, Path] | None = None
    calls: Path | None = None
    unused: str = "warn"


@dataclass(frozen=True)
class GateInput:
    """What an engine may look at: the normalized inventory and the on-disk input it came from.

    `path` is the plan JSON file, the synth folder (cdk.tf.json files), the manifests path or the
    workflows folder: external scanners (Checkov, Trivy) read that; in-process engines read
    `inventory`.
    """

    inventory: Inventory
    path: Path
    options: EngineOptions = field(default_factory=EngineOptions)


class NothingToJudge(Exception):
    """A valid input holds no object this engine has checks for (a manifest of one Namespace, say).

    The gate records the run as `skipped` with this detail: the engine judged nothing, which is
    neither a pass nor a failure to read the input (that stays a CitygateError, exit 2).
    """


class Engine(Protocol):
    """One engine of the registry (`citygate.gate.ENGINES`), built without arguments.

    `ours`: its findings state the catalogue's own policy (and only ours may prove a control
    compliant, see `citygate.gate.merge`); an external scanner's findings are weighed against them.
    `supports`: whether it judges this kind of input at all; the gate records the others `skipped`.
    """

    name: str
    ours: bool

    def supports(self, inventory: Inventory) -> bool: ...

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        """Return findings; raise CitygateError (never return []) when the engine cannot judge, or
        NothingToJudge when the input holds nothing it has checks for."""
        ...
