"""Every control's catalogue cases, planned and applied once, and judged by every engine implementing the control.

The cases of all controls become one Terraform configuration: each case's resources are renamed
`<case key>__<name>` (the references between them follow) and join a small shared `BASE` any case may
reference.  One `terraform plan` + `show -json` feeds Rego, our Checkov checks and the Gherkin
scenarios; one `terraform apply` into the embedded AWS (of a plan made at the same time, without the
cases marked `live: false`) feeds the live rules and the `@live` scenarios.
Each engine's verdict is then read per case, on the case's own resources only: a base resource, or
another case's, never decides a case.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from citygate.bdd.features import ConcreteScenario, expand, load_features
from citygate.bdd.live import state_inventory
from citygate.bdd.runner import run_scenario
from citygate.controls import Case, Catalogue, Control
from citygate.deployment import STACK_FILE, Deployment
from citygate.engines.base import GateInput
from citygate.engines.checkov import CheckovEngine
from citygate.engines.rego import RegoEngine
from citygate.findings import Finding
from citygate.inputs import load_plan, load_synth
from citygate.live.checks import RULES
from citygate.live.clients import AwsClients
from citygate.live.deployed import DeployedResources
from citygate.live.rules import LiveContext, LiveRule, Outcome
from citygate.model import Inventory
from citygate.paths import FEATURES

# Not the platform's region: the account-wide settings of the cases (a trail, a detector, a recorder,
# the EBS default) stay out of the platform deployments that share the embedded AWS.
REGION = "eu-central-1"
ENVIRONMENT = "prod"  # the strictest: rules relaxed outside production judge as they do for prod
TIMEOUT = 300.0
ENGINES = ("rego", "checkov", "live", "bdd")
FAMILIES_ELSEWHERE = ("workloads", "workflows")  # scenarios about other inputs than Terraform

ASSUME_BY_SERVICES = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["ec2.amazonaws.com", "eks.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}
# What every case may reference, documented in policies/controls/schema.json (`cases`).
BASE: dict[str, dict[str, dict[str, Any]]] = {
    "aws_kms_key": {
        "base": {"description": "citygate cases: data key", "enable_key_rotation": True, "deletion_window_in_days": 7}
    },
    "aws_vpc": {"base": {"cidr_block": "10.0.0.0/16", "enable_dns_hostnames": True}},
    "aws_subnet": {
        "base_a": {"vpc_id": "${aws_vpc.base.id}", "cidr_block": "10.0.1.0/24", "availability_zone": f"{REGION}a"},
        "base_b": {"vpc_id": "${aws_vpc.base.id}", "cidr_block": "10.0.2.0/24", "availability_zone": f"{REGION}b"},
    },
    "aws_iam_role": {"base": {"name": "citygate-cases-base", "assume_role_policy": json.dumps(ASSUME_BY_SERVICES)}},
    "aws_acm_certificate": {"base": {"domain_name": "cases.citygate.example", "validation_method": "DNS"}},
    "aws_lb_target_group": {
        "base": {"name": "citygate-cases-base", "port": 8080, "protocol": "HTTP", "vpc_id": "${aws_vpc.base.id}"}
    },
}
REFERENCE = re.compile(r"(?<![\w.])(aws_[a-z0-9_]+\.[A-Za-z_][\w-]*)")
FEATURE_SCENARIOS = [scenario for feature in load_features(FEATURES) for scenario in expand(feature)]


@dataclass(frozen=True)
class PlacedCase:
    """A control's case inside the merged configuration: its resources renamed under `key`."""

    control: Control
    case: Case
    key: str
    resources: dict[str, dict[str, dict[str, Any]]]

    @property
    def id(self) -> str:
        return f"{self.control.id}/{self.case.name}"

    def owns(self, address: str) -> bool:
        """Whether a plan, state or finding address is one of this case's resources (any instance)."""
        return any(address == own or address.startswith(f"{own}[") for own in self.addresses)

    @cached_property
    def addresses(self) -> frozenset[str]:
        return frozenset(f"{kind}.{name}" for kind, named in self.resources.items() for name in named)


def case_key(control: Control, case: Case) -> str:
    """A Terraform-name-safe, unique key: `cg_tls_3__objects_only`."""
    return f"{control.id}__{case.name}".lower().replace("-", "_")


def place(control: Control, case: Case) -> PlacedCase:
    """Rename the case's resources under its key and point its references at the renamed ones."""
    key = case_key(control, case)
    renamed = {f"{kind}.{name}": f"{kind}.{key}__{name}" for kind, named in case.terraform.items() for name in named}
    resources = {
        kind: {f"{key}__{name}": _rewritten(arguments, renamed) for name, arguments in named.items()}
        for kind, named in case.terraform.items()
    }
    return PlacedCase(control, case, key, resources)


def _rewritten(value: Any, renamed: dict[str, str]) -> Any:
    if isinstance(value, str):
        return REFERENCE.sub(lambda match: renamed.get(match.group(1), match.group(1)), value)
    if isinstance(value, dict):
        return {k: _rewritten(v, renamed) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewritten(v, renamed) for v in value]
    return value


def configuration(placed: Iterable[PlacedCase]) -> dict[str, Any]:
    """One Terraform JSON configuration: the base and every placed case's resources."""
    resources: dict[str, dict[str, Any]] = {kind: dict(named) for kind, named in BASE.items()}
    for case in placed:
        for kind, named in case.resources.items():
            resources.setdefault(kind, {}).update(named)
    return {"provider": {"aws": {"region": REGION}}, "resource": resources}


BASE_ADDRESSES = frozenset(f"{kind}.{name}" for kind, named in BASE.items() for name in named)


def all_cases(catalogue: Catalogue) -> list[PlacedCase]:
    """Every Terraform case (Kubernetes and CI/CD cases are judged as written: `tests.cases.objects`)."""
    return [place(control, case) for control in catalogue for case in control.cases if case.kind == "terraform"]


def live_rules(control: Control, rules: Iterable[str] = ()) -> list[LiveRule]:
    """The live rules reading back the control (or those of its own `rules` when named)."""
    mirrored = set(rules) if rules else {*control.own_rules(), control.id}
    return [rule for rule in RULES.values() if mirrored & set(rule.mirrors)]


def scenarios(control: Control) -> list[ConcreteScenario]:
    """The Gherkin scenarios about Terraform tagged with the control."""
    return [
        s for s in FEATURE_SCENARIOS if control.id in s.tags and not any(tag in s.tags for tag in FAMILIES_ELSEWHERE)
    ]


def target(scenario: ConcreteScenario) -> str:
    """What a Terraform scenario reads: the plan, the configuration (`@config`) or the account (`@live`)."""
    return next((tag for tag in ("config", "live") if tag in scenario.tags), "plan")


def checkov_rules(control: Control, rules: Iterable[str] = ()) -> tuple[str, ...]:
    """Our Checkov custom checks mapped to the control (or twinned with one of its own `rules`)."""
    about = set(rules or control.own_rules())
    return tuple(rule for rule in control.rules if rule.startswith("CKV_CG_") and control.twin(rule) in about)


def implementing(control: Control, rules: Iterable[str] = ()) -> list[str]:
    """The engines implementing the control, or those of its own `rules` when named."""
    rules = tuple(rules)
    implemented = {
        "rego": bool(rules or control.own_rules()),
        "checkov": bool(checkov_rules(control, rules)),
        "live": bool(live_rules(control, rules)),
        "bdd": bool(scenarios(control)),
    }
    return [engine for engine in ENGINES if implemented[engine]]


def engines(control: Control, case: Case) -> list[str]:
    """The engines implementing what the case is about that can judge it (one not applied has no live side)."""
    found = implementing(control, case.rules)
    if case.live:
        return found
    on_plan = any("live" not in s.tags for s in scenarios(control))
    return [e for e in found if e != "live" and (e != "bdd" or on_plan)]


@dataclass(frozen=True)
class Verdict:
    """One engine on one case: what it flagged on the case's resources, and whether it looked at them."""

    failures: tuple[str, ...]
    judged: bool = True


@dataclass
class CaseRun:
    """Every placed case, planned once and applied once, with each engine's findings."""

    placed: list[PlacedCase]
    plan: Inventory
    configuration: Inventory  # the same configuration, unplanned: what `@config` scenarios read
    state: dict[str, Any] | None
    rego: list[Finding]
    checkov: list[Finding] | None  # None: Checkov is not installed
    live: dict[str, list[Outcome]]  # live rule id -> its outcomes on the whole account
    seconds: dict[str, float] = field(default_factory=dict)

    def verdict(self, placed: PlacedCase, engine: str) -> Verdict:
        if engine == "rego":
            return _flagged(self.rego, placed, set(placed.case.rules or placed.control.own_rules()))
        if engine == "checkov":
            if self.checkov is None:
                raise LookupError("Checkov is not installed")
            return _flagged(self.checkov, placed, set(checkov_rules(placed.control, placed.case.rules)))
        if engine == "live":
            return self._live(placed)
        return self._scenarios(placed)

    def _live(self, placed: PlacedCase) -> Verdict:
        outcomes = [
            (rule.id, outcome)
            for rule in live_rules(placed.control, placed.case.rules)
            for outcome in self.live[rule.id]
            if placed.owns(outcome.resource)
        ]
        failures = tuple(f"{rule} {o.resource}: {'; '.join(o.problems)}" for rule, o in outcomes if not o.ok)
        return Verdict(failures, judged=bool(outcomes))

    def _scenarios(self, placed: PlacedCase) -> Verdict:
        read = ((scenario, self.inventory(placed, target(scenario))) for scenario in scenarios(placed.control))
        return judge_scenarios(((s, inventory) for s, inventory in read if inventory is not None), placed)

    def base_of(self, placed: PlacedCase) -> set[str]:
        """The base resources the case refers to: the only ones a scenario judging the case should see."""
        referenced = {
            address
            for resource in self.plan.resources
            if placed.owns(resource.address)
            for targets in resource.references.values()
            for address in targets
        }
        return referenced & BASE_ADDRESSES

    def inventory(self, placed: PlacedCase, target: str) -> Inventory | None:
        """The case's resources and the base ones it refers to, as the scenario's target sees them:
        planned, configured (`@config`) or applied (`@live`; None when the case was not applied)."""
        if target == "live":
            if self.state is None or not placed.case.live:
                return None
            whole = state_inventory(self.state, ENVIRONMENT, "cases")
        else:
            whole = self.configuration if target == "config" else self.plan
        base = self.base_of(placed)
        kept = [r for r in whole.resources if placed.owns(r.address) or r.address in base]
        return Inventory(whole.kind, whole.source, kept, origin=placed.id, environment=ENVIRONMENT)


class Owner(Protocol):
    """A case as the judges see it: its resources' addresses, and whether an address is one of them."""

    @property
    def addresses(self) -> frozenset[str]: ...

    def owns(self, address: str) -> bool: ...


def judge_scenarios(read: Iterable[tuple[ConcreteScenario, Inventory]], case: Owner) -> Verdict:
    """The scenarios' verdict on a case, each run on what it reads: a failure counts when it names one
    of the case's resources, and a scenario judged the case when it observed one of them."""
    failures: list[str] = []
    judged = False
    for scenario, inventory in read:
        outcome = run_scenario(scenario.scenario, inventory)
        if outcome.status == "error":
            failures.append(f"{scenario.key}: error at {outcome.step}: {outcome.message}")
        seen = {o["address"] for step in outcome.evidence for o in step["observations"]}
        if not any(case.owns(address) for address in seen):
            continue  # the scenario is about other resources than this case's
        judged = True
        if outcome.status == "failed" and any(f"{address}:" in outcome.message for address in case.addresses):
            failures.append(f"{scenario.key}: {outcome.step}: {outcome.message}")
    return Verdict(tuple(failures), judged)


def _flagged(findings: list[Finding], placed: PlacedCase, rules: set[str]) -> Verdict:
    return Verdict(
        tuple(
            f"{f.id} {f.resource}: {f.message}"
            for f in findings
            if f.status == "fail" and f.id in rules and placed.owns(f.resource)
        )
    )


def run_cases(placed: list[PlacedCase], workdir: Path, endpoint: str, with_checkov: bool) -> CaseRun:
    """Plan every case once; apply the cases the embedded AWS can hold; run each engine once."""
    seconds: dict[str, float] = {}
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="cases") as pool:
        applied = pool.submit(_applied, placed, workdir, endpoint, seconds)
        with _timed(seconds, "plan"):
            plan_path = _deployment(placed, workdir / "plan", endpoint).plan()
            inventory = load_plan(plan_path, environment=ENVIRONMENT)
        gate_input = GateInput(inventory=inventory, path=plan_path)
        with _timed(seconds, "rego"):
            rego = RegoEngine().run(gate_input, TIMEOUT)
        checkov = None
        if with_checkov:
            with _timed(seconds, "checkov"):
                checkov = CheckovEngine().run(gate_input, TIMEOUT)
        state = applied.result()
    with _timed(seconds, "live"):
        ctx = LiveContext(AwsClients(REGION, endpoint), DeployedResources(state))
        rules = {rule.id: rule for case in placed for rule in live_rules(case.control)}
        live = {rule_id: list(rule.check(ctx)) for rule_id, rule in rules.items()}
    configuration = load_synth(plan_path.parent / STACK_FILE, environment=ENVIRONMENT)
    return CaseRun(placed, inventory, configuration, state, rego, checkov, live, seconds)


def _deployment(placed: Iterable[PlacedCase], workdir: Path, endpoint: str) -> Deployment:
    workdir.mkdir(parents=True, exist_ok=True)
    stack = workdir / STACK_FILE  # planned in place, not copied
    stack.write_text(json.dumps(configuration(placed), indent=1) + "\n")
    return Deployment("local", stack, workdir, endpoint)


def _applied(placed: list[PlacedCase], workdir: Path, endpoint: str, seconds: dict[str, float]) -> dict[str, Any]:
    """The state once the cases the embedded AWS can hold (all but `live: false`) are applied.

    Planned apart from the judged plan, at the same time, since that one may hold cases no apply can.
    """
    with _timed(seconds, "apply"):
        deployment = _deployment([case for case in placed if case.case.live], workdir / "apply", endpoint)
        deployment.plan()
        deployment.apply()
        return deployment.state()


@contextmanager
def _timed(seconds: dict[str, float], name: str) -> Iterator[None]:
    """Record the wall time of a block under `name`."""
    started = time.monotonic()
    yield
    seconds[name] = time.monotonic() - started
