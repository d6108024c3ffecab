"""Run every live rule against the account and turn the outcomes into a GateReport."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from citygate.controls import Catalogue, load_catalogue
from citygate.deployment import Deployment
from citygate.errors import CitygateError
from citygate.findings import EngineRun, Finding, GateReport, Severity
from citygate.live.checks import RULES
from citygate.live.clients import AwsClients
from citygate.live.deployed import DeployedResources
from citygate.live.rules import LiveContext, LiveRule, Outcome
from citygate.paths import WAIVERS_FILE
from citygate.waivers import apply_waivers

ENGINE = "live"
LIVE_PREFIX = "CG-LIVE-"


def controls_of(rule_id: str, catalogue: Catalogue) -> list[str]:
    """The catalogue's controls for a live rule; by convention CG-LIVE-X enforces what static CG-X does."""
    return catalogue.controls_for_rule(rule_id) or catalogue.controls_for_rule(rule_id.replace(LIVE_PREFIX, "CG-", 1))


def _finding(rule: LiveRule, outcome: Outcome, controls: list[str]) -> Finding:
    return Finding(
        id=rule.id,
        title=rule.title,
        severity=rule.severity,
        status="pass" if outcome.ok else "fail",
        resource=outcome.resource,
        message="; ".join(outcome.problems) or "complies",
        engine=ENGINE,
        controls=controls,
        fix="" if outcome.ok else rule.fix,
    )


def _outcomes(rule: LiveRule, ctx: LiveContext) -> list[Outcome]:
    """A rule's outcomes; an API failure means the rule cannot judge, which fails closed."""
    try:
        return list(rule.check(ctx))
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise CitygateError(f"{error.get('Code')}: {error.get('Message')}", where=f"verify {rule.id}") from exc
    except BotoCoreError as exc:
        raise CitygateError(str(exc), where=f"verify {rule.id}") from exc


def verify_account(
    ctx: LiveContext,
    target: str,
    catalogue: Catalogue | None = None,
    rules: Iterable[LiveRule] | None = None,
    fail_on: Severity = Severity.LOW,
    waivers: Path | None = None,
) -> GateReport:
    """Judge the deployed resources in `ctx`; `catalogue` maps rule ids to control ids.

    The project's waivers apply as they do in the static gate: an accepted exception (such as the
    access-log bucket's SSE-S3, which S3 server access logging requires) is reported, not failed.
    """
    started = time.monotonic()
    judged = [
        _finding(rule, outcome, controls_of(rule.id, catalogue) if catalogue else [])
        for rule in (RULES.values() if rules is None else rules)
        for outcome in _outcomes(rule, ctx)
    ]
    addresses = [item.address for item in ctx.deployed.items]
    findings = apply_waivers(judged, waivers, dt.date.today(), resources=addresses)
    seconds = time.monotonic() - started
    failed = sum(1 for f in findings if f.status == "fail")
    return GateReport(
        target=target,
        kind="live",
        findings=findings,
        engines=[EngineRun(ENGINE, seconds, failed)],
        resources=len(ctx.deployed),
        fail_on=fail_on,
        seconds=seconds,
    )


def verify_deployment(
    deployment: Deployment, catalogue: Catalogue | None = None, fail_on: Severity = Severity.LOW
) -> GateReport:
    """Verify what `deployment` deployed, in the account it deployed to, against the project's catalogue."""
    ctx = LiveContext(AwsClients(deployment.region, deployment.endpoint), DeployedResources(deployment.state()))
    target = f"{deployment.env} ({deployment.endpoint or 'AWS'})"
    waivers = WAIVERS_FILE if WAIVERS_FILE.is_file() else None
    catalogue = load_catalogue() if catalogue is None else catalogue
    return verify_account(ctx, target=target, catalogue=catalogue, fail_on=fail_on, waivers=waivers)
