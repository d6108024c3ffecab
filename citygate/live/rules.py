"""The live rule registry: each rule reads the account and yields one outcome per thing it judged."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from citygate.findings import Severity
from citygate.live.clients import AwsClients
from citygate.live.deployed import Deployed, DeployedResources

# Error codes meaning "the thing (or its configuration) does not exist", per service.
NOT_FOUND_CODES = frozenset(
    {
        "404",
        "NotFound",
        "NoSuchBucket",
        "NoSuchBucketPolicy",
        "NoSuchPublicAccessBlockConfiguration",
        "ServerSideEncryptionConfigurationNotFoundError",
        "NotFoundException",
        "NoSuchEntity",
        "ResourceNotFoundException",
        "RepositoryNotFoundException",
        "LifecyclePolicyNotFoundException",
        "DBClusterNotFoundFault",
        "WAFNonexistentItemException",
        "TrailNotFoundException",
    }
)


@dataclass(frozen=True)
class Outcome:
    """The verdict on one resource: `problems` empty means it complies."""

    resource: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class LiveContext:
    aws: AwsClients
    deployed: DeployedResources


Check = Callable[[LiveContext], Iterable[Outcome]]


@dataclass(frozen=True)
class LiveRule:
    id: str
    title: str
    severity: Severity
    fix: str
    check: Check


RULES: dict[str, LiveRule] = {}


def live_rule(rule_id: str, title: str, severity: Severity, fix: str) -> Callable[[Check], Check]:
    """Register a check function under a rule id (ids are unique: a clash is a programming error)."""

    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"live rule {rule_id} registered twice")
        RULES[rule_id] = LiveRule(rule_id, title, severity, fix, check)
        return check

    return register


def judge(resource: str, problems: Iterable[str | None]) -> Outcome:
    """An outcome from a list of problem messages where None means "that aspect is fine"."""
    return Outcome(resource, tuple(p for p in problems if p))


def fetch(call: Callable[..., Any], **kwargs: Any) -> Any:
    """An API response, or None when the resource or configuration does not exist."""
    try:
        return call(**kwargs)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in NOT_FOUND_CODES:
            return None
        raise


def missing(resource: str) -> Outcome:
    """The outcome for a deployed resource the account no longer has."""
    return Outcome(resource, ("in the Terraform state but not in the account",))


Describe = Callable[[Deployed], Any]  # the live description of a deployed resource, None when absent
Problems = Callable[[Any], Iterable[str | None]]


def judge_each(ctx: LiveContext, resource_type: str, describe: Describe, problems: Problems) -> Iterator[Outcome]:
    """One outcome per deployed resource of a type: missing, or judged on its live description."""
    for resource in ctx.deployed.of_type(resource_type):
        live = describe(resource)
        yield missing(resource.address) if live is None else judge(resource.address, problems(live))
