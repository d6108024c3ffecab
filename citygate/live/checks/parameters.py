"""SSM parameters, as deployed: SecureStrings under a customer-managed key, plain values only for configuration.

The namespace and the secret markers are those of the static rule CG_SSM_001
(policies/rego/terraform/ssm/parameters.rego); the two must change together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from citygate.live.checks.keys import customer_managed_problem
from citygate.live.deployed import Deployed
from citygate.live.rules import LiveContext, Outcome, judge_each, live_rule

SECRET_MARKER = re.compile(
    r"password|passwd|passphrase|secret|token|credential|private[-_]?key|api[-_]?key|access[-_]?key|signing[-_]?key"
)
PLAIN_PATH = re.compile(r"(^|/)config/")


@live_rule("CG_LIVE_SSM_001", mirrors=("CG_SSM_001",))
def parameters_secure(ctx: LiveContext) -> Iterator[Outcome]:
    ssm = ctx.aws("ssm")

    def describe(parameter: Deployed) -> dict[str, Any] | None:
        name = {"Key": "Name", "Values": [parameter.get("name")]}
        found = ssm.describe_parameters(ParameterFilters=[name])["Parameters"]
        return found[0] if found else None

    def problems(parameter: dict[str, Any]) -> list[str | None]:
        if parameter.get("Type") == "SecureString":
            return [customer_managed_problem(ctx, parameter.get("KeyId"), "the SecureString")]
        marked = any(SECRET_MARKER.search(parameter.get(k, "").lower()) for k in ("Name", "Description"))
        if marked:
            return [f"a {parameter.get('Type')} parameter whose name or description marks a secret"]
        if not PLAIN_PATH.search(parameter.get("Name", "")):
            return [f"a {parameter.get('Type')} parameter outside the plain configuration namespace (a /config/ path)"]
        return []

    return judge_each(ctx, "aws_ssm_parameter", describe, problems)
