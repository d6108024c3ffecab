"""Which inventories a scenario judges, decided by its tags.

Untagged scenarios judge the platform as synthesized and as planned, for every environment;
`@config` ones only what the synthesized configuration declares (for attributes a plan reports as
computed by the provider, such as a security group's inline rules); `@live` ones the account after
apply on the embedded AWS; `@workloads` ones the Kubernetes manifests; `@workflows` the CI/CD
workflows; `@recorded` ones a record of the AWS calls the workloads made, with the plan of the account
they ran in (CITYGATE_BDD_CALLS=calls.jsonl CITYGATE_BDD_CALLS_PLAN=plan.json; without both, nothing
to check).  Environment variables narrow a run (the `report --env` option sets them):
CITYGATE_BDD_ENVS=prod,staging   CITYGATE_BDD_SOURCES=plan   CITYGATE_BDD_LIVE_ENVS=local
CITYGATE_BDD_LIVE_STATE=path/terraform.tfstate judges an account applied already instead of applying.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from citygate.environments import ENVIRONMENTS
from citygate.errors import CitygateError

TargetKind = Literal["synth", "plan", "live", "workloads", "workflows", "recorded"]

SOURCES: tuple[TargetKind, ...] = ("synth", "plan")
SINGLE_TARGETS: tuple[TargetKind, ...] = ("workloads", "workflows", "recorded")  # judged once, not per environment
LIVE_STATE_VARIABLE = "CITYGATE_BDD_LIVE_STATE"
CALLS_VARIABLE, CALLS_PLAN_VARIABLE = "CITYGATE_BDD_CALLS", "CITYGATE_BDD_CALLS_PLAN"
LIVE_ENVIRONMENTS = ("local",)  # applying every environment into the embedded AWS costs minutes each


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    environment: str = ""

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.environment}" if self.environment else self.kind


def _chosen(variable: str, default: Iterable[str], allowed: Iterable[str]) -> list[str]:
    raw = os.environ.get(variable, "")
    chosen = [v.strip() for v in raw.split(",") if v.strip()] if raw.strip() else list(default)
    unknown = sorted(set(chosen) - set(allowed))
    if unknown:
        raise CitygateError(f"unknown value(s) {', '.join(unknown)} (allowed: {', '.join(allowed)})", variable)
    return chosen


def targets_for(tags: Iterable[str]) -> list[Target]:
    tags = set(tags)
    for single in SINGLE_TARGETS:
        if single in tags:
            return [Target(single)]
    environments = _chosen("CITYGATE_BDD_ENVS", ENVIRONMENTS, ENVIRONMENTS)
    if "live" in tags:
        live = _chosen("CITYGATE_BDD_LIVE_ENVS", LIVE_ENVIRONMENTS, ENVIRONMENTS)
        return [Target("live", env) for env in environments if env in live]
    sources = _chosen("CITYGATE_BDD_SOURCES", SOURCES, SOURCES)
    if "config" in tags:
        sources = [s for s in sources if s == "synth"]
    return [Target(source, env) for env in environments for source in SOURCES if source in sources]
