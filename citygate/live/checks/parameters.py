"""SSM parameters, as deployed: SecureStrings under a customer-managed key, plain values only for configuration.

The namespace and the secret markers are the catalogue parameters of CG-ENC-11, which the static
rule CG_SSM_001 reads too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from citygate.controls import load_catalogue
from citygate.errors import CitygateError
from citygate.live.checks.keys import customer_managed_problem
from citygate.live.deployed import Deployed
from citygate.live.rules import LiveContext, Outcome, judge_each, live_rule

CONTROL = "CG-ENC-11"


def pattern(name: str) -> re.Pattern[str]:
    control = load_catalogue().get(CONTROL)
    if control is None or name not in control.parameters:
        raise CitygateError(f"the catalogue gives {CONTROL} no {name!r} parameter", "verify CG_LIVE_SSM_001")
    return re.compile(str(control.parameters[name]))


@live_rule("CG_LIVE_SSM_001", mirrors=("CG_SSM_001",))
def parameters_secure(ctx: LiveContext) -> Iterator[Outcome]:
    ssm = ctx.aws("ssm")
    secret_marker, plain_path = pattern("secret_marker"), pattern("plain_path")

    def describe(parameter: Deployed) -> dict[str, Any] | None:
        name = {"Key": "Name", "Values": [parameter.get("name")]}
        found = ssm.describe_parameters(ParameterFilters=[name])["Parameters"]
        return found[0] if found else None

    def problems(parameter: dict[str, Any]) -> list[str | None]:
        if parameter.get("Type") == "SecureString":
            return [customer_managed_problem(ctx, parameter.get("KeyId"), "the SecureString")]
        marked = any(secret_marker.search(parameter.get(k, "").lower()) for k in ("Name", "Description"))
        if marked:
            return [f"a {parameter.get('Type')} parameter whose name or description marks a secret"]
        if not plain_path.search(parameter.get("Name", "")):
            return [f"a {parameter.get('Type')} parameter outside the plain configuration namespace (a /config/ path)"]
        return []

    return judge_each(ctx, "aws_ssm_parameter", describe, problems)
