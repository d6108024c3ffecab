"""The `leastpriv` gate engine: a plan's roles judged against a record of the calls their workloads made."""

from __future__ import annotations

from citygate.engines.base import GateInput, NothingToJudge
from citygate.errors import CitygateError
from citygate.findings import Finding
from citygate.leastpriv.calls import read_calls
from citygate.leastpriv.compare import ENGINE, judge
from citygate.leastpriv.roles import plan_roles
from citygate.model import Inventory

UNUSED_STATUSES = ("warn", "fail")


class LeastPrivilegeEngine:
    """Ours: its findings state the catalogue's CG-IAM-9.  Judges Terraform plans given `--calls`."""

    name = ENGINE
    ours = True

    def supports(self, inventory: Inventory) -> bool:
        return inventory.kind == "terraform"

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        options = gate_input.options
        if options.calls is None:
            raise NothingToJudge("no record of AWS calls given (--calls)")
        if options.unused not in UNUSED_STATUSES:
            raise CitygateError(
                f"unused permissions are {' or '.join(UNUSED_STATUSES)}, not {options.unused!r}", ENGINE
            )
        calls = read_calls(options.calls)
        judged = judge(calls, plan_roles(gate_input.inventory), options.unused)
        if not judged.roles:
            raise NothingToJudge(f"none of the {len(calls)} recorded calls was made by a role of the plan")
        return judged.findings
