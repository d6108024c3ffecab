"""The live rule registry: each rule reads the account and yields one outcome per thing it judged."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import ClientError

from citygate.controls import Catalogue, load_catalogue
from citygate.engines.policyset import RuleMeta, load_policy_set
from citygate.errors import CitygateError
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
    """A check of the live account and the static rules (or the control) whose requirement it reads back."""

    id: str
    mirrors: tuple[str, ...]
    check: Check

    def facts(self, metadata: Mapping[str, RuleMeta] | None = None, catalogue: Catalogue | None = None) -> RuleMeta:
        """Title, severity, fix and controls as the mirrored rules (or control) state them; see `live_rule`."""
        metadata = load_policy_set().metadata if metadata is None else metadata
        catalogue = load_catalogue() if catalogue is None else catalogue
        rules = [metadata[m] for m in self.mirrors if m in metadata]
        if len(rules) == len(self.mirrors) == 1:
            return replace(rules[0], id=self.id)
        if len(rules) == len(self.mirrors):
            return self._one_control(rules, catalogue)
        control = catalogue.get(self.mirrors[0]) if len(self.mirrors) == 1 else None
        if control is None:
            raise CitygateError(
                f"mirrors {', '.join(self.mirrors)}: name static rules (Rego METADATA ids) or one control id",
                where=f"live rule {self.id}",
            )
        return RuleMeta(self.id, control.title, control.severity, (control.id,), control.description)

    def _one_control(self, rules: list[RuleMeta], catalogue: Catalogue) -> RuleMeta:
        """Several static rules judged together: titled by their one control, as severe as the worst."""
        controls = {c for rule in rules for c in rule.controls}
        control = catalogue.get(next(iter(controls))) if len(controls) == 1 else None
        if control is None:
            raise CitygateError(
                f"mirrors {', '.join(self.mirrors)}, which do not enforce one catalogued control",
                where=f"live rule {self.id}",
            )
        fix = " ".join(dict.fromkeys(rule.fix for rule in rules if rule.fix))
        return RuleMeta(self.id, control.title, max(rule.severity for rule in rules), (control.id,), fix)


RULES: dict[str, LiveRule] = {}


def live_rule(rule_id: str, mirrors: tuple[str, ...]) -> Callable[[Check], Check]:
    """Register a check function as live rule `rule_id`, the read-back of the static rules it mirrors.

    A live rule states no fact of its own: `mirrors` names what it verifies on the account and
    `LiveRule.facts` takes its title, severity, fix and controls from there, so the live and the
    static findings of one requirement always agree.  Name, in this order of preference:

    - the static rule (Rego METADATA id) the check reads back: `mirrors=("CG_S3_002",)`;
    - the static rules of one control the check judges together: `("CG_CT_001", "CG_CT_002")`;
    - a catalogue control id, only for a requirement no static rule can judge before apply (the
      account state, not the plan, decides it): `("CG-AUD-2",)`.

    Ids are unique: a clash is a programming error.  `tests/gate/core/test_rule_facts.py` checks
    that every mirror exists.
    """

    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"live rule {rule_id} registered twice")
        if not mirrors:
            raise ValueError(f"live rule {rule_id} mirrors nothing")
        RULES[rule_id] = LiveRule(rule_id, tuple(mirrors), check)
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
