"""Run every live rule against the account and turn the outcomes into a GateReport."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from citygate.controls import Catalogue
from citygate.deployment import Deployment
from citygate.engines.policyset import RuleMeta
from citygate.errors import CitygateError
from citygate.exceptions import apply_exceptions, project_exceptions
from citygate.findings import EngineRun, Finding, GateReport, Severity
from citygate.live.checks import RULES
from citygate.live.clients import AwsClients
from citygate.live.deployed import DeployedResources
from citygate.live.rules import LiveContext, LiveRule, Outcome

ENGINE = "live"


def _finding(rule: RuleMeta, outcome: Outcome) -> Finding:
    return Finding(
        id=rule.id,
        title=rule.title,
        severity=rule.severity,
        status="pass" if outcome.ok else "fail",
        resource=outcome.resource,
        message="; ".join(outcome.problems) or "complies",
        engine=ENGINE,
        controls=list(rule.controls),
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
    exceptions: Path | None = None,
) -> GateReport:
    """Judge the deployed resources in `ctx` with `rules` (every live rule by default).

    Each rule's title, severity, fix and controls are those of the static rules it mirrors
    (`LiveRule.facts`; `catalogue` is the project's unless given), resolved before the account is read.

    The project's exceptions apply as they do in the static gate: an accepted exception (such as the
    access-log bucket's SSE-S3, which S3 server access logging requires) is reported, not failed.
    """
    started = time.monotonic()
    chosen = list(RULES.values() if rules is None else rules)
    facts = {rule.id: rule.facts(catalogue=catalogue) for rule in chosen}
    judged = [_finding(facts[rule.id], outcome) for rule in chosen for outcome in _outcomes(rule, ctx)]
    addresses = [item.address for item in ctx.deployed.items]
    findings = apply_exceptions(judged, exceptions, dt.date.today(), resources=addresses)
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
    return verify_account(ctx, target=target, catalogue=catalogue, fail_on=fail_on, exceptions=project_exceptions())
