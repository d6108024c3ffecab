"""The evidence files a run of `up` leaves in `reports/`, read back per environment for the report.

Every file is optional: a missing one is evidence "not run", never "passed".  An unreadable one fails
closed (exit 2): a report must not quietly leave out what a stage recorded.

- `<env>-gate.json`: the gate's verdict on that environment's plan (`infrastructure-gate.json` is the
  one `up` applied, and counts for the environment its target names);
- `live.json`: the live verification of the applied account; the environment and the endpoint are in
  its target, `"local (http://127.0.0.1:PORT)"` on the embedded AWS;
- `workloads-gate.json`: the gate on one environment's workload manifests;
- `loadtest.json`: the load test's SLO verdict, its `profile` naming the environment;
- `platform.json`: the platform run (pipeline, then the city's services), its `env` naming the environment.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from citygate.environments import ENVIRONMENTS
from citygate.errors import CitygateError
from citygate.livingdoc.platform import StepRow, step_rows

GATE_FILE = "{env}-gate.json"
APPLIED_GATE_FILE = "infrastructure-gate.json"
LIVE_FILE = "live.json"
WORKLOADS_FILE = "workloads-gate.json"
LOADTEST_FILE = "loadtest.json"
PLATFORM_FILE = "platform.json"
_TARGET = re.compile(r"^(?P<env>[\w-]+) \((?P<endpoint>[^)]*)\)$")


@dataclass(frozen=True)
class FindingView:
    rule: str
    title: str
    severity: str
    status: str  # fail | warn | pass | skipped
    resolution: str  # "" | dismissed | excepted | not_applicable
    resource: str
    message: str
    reason: str
    controls: tuple[str, ...]
    engine: str
    exception: str = ""

    @property
    def outcome(self) -> str:
        """What the finding means for the verdict: failing, warn, passed, skipped or its resolution."""
        if self.resolution:
            return self.resolution
        return {"fail": "failing", "pass": "passed"}.get(self.status, self.status)

    def key(self, env: str) -> str:
        return f"{self.rule}|{self.resource}|{env}"


@dataclass(frozen=True)
class GateEvidence:
    """One gate report (plan, workloads or live) as the report shows it."""

    file: Path
    result: str  # pass | fail
    target: str
    findings: list[FindingView]
    engines: list[dict[str, Any]]
    account: str = ""  # the live check's AWS account and region, when its report records them
    region: str = ""

    def by_outcome(self, outcome: str) -> list[FindingView]:
        return [f for f in self.findings if f.outcome == outcome]

    def for_control(self, control: str) -> list[FindingView]:
        return [f for f in self.findings if control in f.controls]


@dataclass(frozen=True)
class LoadEvidence:
    file: Path
    profile: str
    passed: bool
    results: list[dict[str, Any]]
    measured: dict[str, Any]


@dataclass(frozen=True)
class PlatformEvidence:
    """The platform run: passed only when both stages recorded a clean run."""

    file: Path
    env: str
    passed: bool
    failed: str  # the step that ended the run, "" when none did
    rows: list[StepRow]


@dataclass
class EnvironmentEvidence:
    """What was recorded about one environment; None = not run."""

    env: str
    gate: GateEvidence | None = None
    plan_file: Path | None = None
    plan_digest: str = ""
    live: GateEvidence | None = None
    where: str = ""  # where the live checks ran: the embedded AWS, or the AWS account and region
    workloads: GateEvidence | None = None
    loadtest: LoadEvidence | None = None
    platform: PlatformEvidence | None = None

    @property
    def anchor(self) -> str:
        return f"env-{self.env}"


@dataclass
class Evidence:
    folder: Path | None
    environments: dict[str, EnvironmentEvidence] = field(default_factory=dict)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CitygateError(f"unreadable evidence ({type(exc).__name__}: {exc})", str(path)) from None


def _finding(raw: dict[str, Any]) -> FindingView:
    return FindingView(
        rule=str(raw["id"]),
        title=str(raw.get("title", "")),
        severity=str(raw.get("severity", "")),
        status=str(raw.get("status", "")),
        resolution=str(raw.get("resolution") or ""),
        resource=str(raw.get("resource", "")),
        message=str(raw.get("message", "")),
        reason=str(raw.get("reason") or ""),
        controls=tuple(raw.get("controls") or ()),
        engine=str(raw.get("engine", "")),
        exception=str(raw.get("exception") or ""),
    )


def read_gate(path: Path) -> GateEvidence:
    """A gate report in the JSON form of `check --format json`."""
    data = _read_json(path)
    try:
        summary = data["summary"]
        return GateEvidence(
            file=path,
            result=str(summary["result"]),
            target=str(summary.get("target", "")),
            findings=[_finding(f) for f in data["findings"]],
            engines=list(summary.get("engines", [])),
            account=str(summary.get("account") or ""),
            region=str(summary.get("region") or ""),
        )
    except (KeyError, TypeError) as exc:
        raise CitygateError(f"not a gate report (missing {exc})", str(path)) from None


def read_loadtest(path: Path) -> LoadEvidence:
    data = _read_json(path)
    try:
        return LoadEvidence(path, str(data["profile"]), bool(data["passed"]), list(data["results"]), data["measured"])
    except (KeyError, TypeError) as exc:
        raise CitygateError(f"not a load-test verdict (missing {exc})", str(path)) from None


def read_platform(path: Path) -> PlatformEvidence:
    data = _read_json(path)
    try:
        stages = [data["pipeline"], data["city"]]
        ran = [stage for stage in stages if stage is not None]
        failed = next((str(stage["failed"]) for stage in ran if stage["failed"]), "")
        passed = len(ran) == len(stages) and all(stage["ok"] is True for stage in ran)
        return PlatformEvidence(path, str(data["env"]), passed, failed, step_rows(data))
    except (KeyError, TypeError, AttributeError) as exc:
        raise CitygateError(f"not a platform run record (missing or malformed {exc})", str(path)) from None


def is_loopback(endpoint: str) -> bool:
    host = urlparse(endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def where_live_ran(target: str, account: str = "", region: str = "") -> tuple[str, str]:
    """(environment, where) from a live report's target `"ENV (ENDPOINT)"`: a loopback endpoint is the
    embedded AWS; anything else is a real account, named by what the report recorded."""
    match = _TARGET.match(target)
    env, endpoint = (match["env"], match["endpoint"]) if match else (target, "")
    if endpoint and is_loopback(endpoint):
        return env, f"embedded AWS (moto) at {endpoint} - simulated, not an AWS account"
    if not account:
        return env, "real AWS (the live check recorded no account or region)"
    return env, f"AWS account {account}" + (f" region {region}" if region else "")


def plan_digest(plan: Path) -> str:
    """sha256 of the plan JSON the gate judged, so a reviewer can tie the verdict to one plan."""
    try:
        return hashlib.sha256(plan.read_bytes()).hexdigest()
    except OSError:
        return ""


def _env_of_gate(gate: GateEvidence) -> str:
    """The environment of an applied-gate report: its plan lives in `.work/<env>/`."""
    parent = Path(gate.target).parent.name
    return parent if parent in ENVIRONMENTS else ""


def load_evidence(folder: Path | None, environments: tuple[str, ...] = ENVIRONMENTS) -> Evidence:
    """Everything recorded in `folder` for `environments`; an absent folder or file is "not run"."""
    evidence = Evidence(folder, {env: EnvironmentEvidence(env) for env in environments})
    if folder is None or not folder.is_dir():
        return evidence
    for env, view in evidence.environments.items():
        path = folder / GATE_FILE.format(env=env)
        if path.is_file():
            view.gate = read_gate(path)
    applied = folder / APPLIED_GATE_FILE
    if applied.is_file():
        gate = read_gate(applied)
        env = _env_of_gate(gate)
        if env in evidence.environments and evidence.environments[env].gate is None:
            evidence.environments[env].gate = gate
    for view in evidence.environments.values():
        if view.gate is not None and view.gate.target:
            view.plan_file = Path(view.gate.target)
            view.plan_digest = plan_digest(view.plan_file)
    if (folder / LIVE_FILE).is_file():
        live = read_gate(folder / LIVE_FILE)
        env, where = where_live_ran(live.target, live.account, live.region)
        if env in evidence.environments:
            evidence.environments[env].live, evidence.environments[env].where = live, where
    if (folder / WORKLOADS_FILE).is_file():
        workloads = read_gate(folder / WORKLOADS_FILE)
        env = Path(workloads.target).name
        if env in evidence.environments:
            evidence.environments[env].workloads = workloads
    if (folder / LOADTEST_FILE).is_file():
        load = read_loadtest(folder / LOADTEST_FILE)
        if load.profile in evidence.environments:
            evidence.environments[load.profile].loadtest = load
    if (folder / PLATFORM_FILE).is_file():
        platform = read_platform(folder / PLATFORM_FILE)
        if platform.env in evidence.environments:
            evidence.environments[platform.env].platform = platform
    return evidence
