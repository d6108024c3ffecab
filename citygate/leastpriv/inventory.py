"""A plan's roles and a record of AWS calls as one inventory, and their comparison as judged roles.

This is what the CG-IAM-9 scenario reads (`features/least_privilege.feature`): its Given selects the
recorded calls, its When compares them with the IRSA policies the plan grants (`compare.judge`, the
gate engine's own semantics), and its Thens read each role's denied calls and unused grants.
"""

from __future__ import annotations

import json
from pathlib import Path

from citygate.inputs.plan import load_plan
from citygate.leastpriv.calls import Call, call_of, read_calls
from citygate.leastpriv.compare import DENIED, judge, role_name
from citygate.leastpriv.roles import plan_roles
from citygate.model import Inventory, Resource

CALL_TYPE = "aws_call"  # one recorded call; its values are the `Call`'s fields
JUDGED_KEY = "recorded_calls"  # a judged role's values: {"denied": [...], "unused": [...]}


def distinct_calls(calls: list[Call]) -> list[tuple[Call, int]]:
    """Each distinct request (who, which action, on what, with which condition keys) once, with how often it was
    made, in order of first appearance: IAM judges a repeated request the same way every time, and a reviewer
    reads hundreds of rows, not thousands."""
    counts: dict[str, int] = {}
    first: dict[str, Call] = {}
    for call in calls:
        shape = json.dumps([call.principal, call.action, call.resources, call.context], sort_keys=True)
        counts[shape] = counts.get(shape, 0) + 1
        first.setdefault(shape, call)
    return [(first[shape], count) for shape, count in counts.items()]


def recorded_inventory(plan: Path, calls: Path) -> Inventory:
    """The plan's resources and one `aws_call` resource per distinct recorded request, in record order."""
    planned = load_plan(plan)
    recorded = [
        Resource(
            address=f"{CALL_TYPE}.recorded[{n}]",
            type=CALL_TYPE,
            name="recorded",
            values={**call.to_dict(), "count": count},
            index=n,
        )
        for n, (call, count) in enumerate(distinct_calls(read_calls(calls)))
    ]
    return Inventory("terraform", "recorded", [*planned.resources, *recorded], str(calls), planned.environment)


def judged_roles(inventory: Inventory, calls: list[Resource]) -> list[Resource]:
    """Each plan role that made one of `calls`, its values the calls its policies deny and the grants no call used."""
    roles = plan_roles(inventory)
    findings = judge([call_of(r.values, r.address) for r in calls], roles).findings
    made = {role_name(str(r.values.get("principal") or "")) for r in calls}
    judged = []
    for name in sorted(made & set(roles)):
        role = roles[name]
        mine = [f for f in findings if f.resource == role.address]
        values = {
            "name": name,
            JUDGED_KEY: {
                "denied": [f.message for f in mine if f.id == DENIED],
                "unused": [f.message for f in mine if f.id != DENIED],
            },
        }
        judged.append(Resource(address=role.address, type="aws_iam_role", name=name, values=values))
    return judged
