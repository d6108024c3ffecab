"""Whether a role's identity policies grant one recorded call (the semantics in `citygate.leastpriv`).

A deliberately small model of IAM's identity-policy evaluation: explicit Deny wins, then any Allow,
else the implicit deny.  Action and resource patterns use IAM's `*` and `?` wildcards (actions
case-insensitively); `NotAction`/`NotResource` invert the match.  Conditions are judged only on keys
the request carries; a condition on any other key makes an Allow not count and a Deny count.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from citygate.leastpriv.calls import Call
from citygate.policy_json import as_list

# Condition operators judged on the call's context; anything else is unknown.
STRING_OPERATORS = {
    "StringEquals": (fnmatch.fnmatchcase, False, False),
    "StringLike": (fnmatch.fnmatchcase, True, False),
    "StringNotEquals": (fnmatch.fnmatchcase, False, True),
    "StringNotLike": (fnmatch.fnmatchcase, True, True),
}


@dataclass(frozen=True, eq=False)  # identity: two equal statements of two policies are two grants
class Statement:
    """One statement of an identity policy, normalized; `policy` names the document it came from."""

    policy: str
    sid: str
    effect: str
    actions: tuple[str, ...]
    not_actions: bool
    resources: tuple[str, ...]
    not_resources: bool
    conditions: Mapping[str, Mapping[str, Any]]

    def matches_action(self, action: str) -> bool:
        hit = any(fnmatch.fnmatch(action.lower(), pattern.lower()) for pattern in self.actions)
        return hit != self.not_actions

    def matches_resources(self, resources: Iterable[str]) -> bool:
        """Every resource the call names matches (a call that names none matches any statement)."""
        return all(
            any(fnmatch.fnmatchcase(resource, pattern) for pattern in self.resources) != self.not_resources
            for resource in resources
        )

    @property
    def label(self) -> str:
        return f"{self.policy}/{self.sid}" if self.sid else self.policy


def statements(document: str | Mapping[str, Any], policy: str) -> list[Statement]:
    """The statements of a policy document (JSON text or parsed); malformed raises ValueError."""
    parsed = json.loads(document) if isinstance(document, str) else document
    if not isinstance(parsed, Mapping):
        raise ValueError("a policy document is a JSON object")
    return [_statement(s, policy, n) for n, s in enumerate(as_list(parsed.get("Statement", [])))]


def _statement(raw: Any, policy: str, number: int) -> Statement:
    if not isinstance(raw, Mapping) or raw.get("Effect") not in ("Allow", "Deny"):
        raise ValueError(f"statement {number} has no Effect Allow or Deny")
    conditions = raw.get("Condition") or {}
    if not isinstance(conditions, Mapping):
        raise ValueError(f"statement {number}: Condition is not an object")
    return Statement(
        policy=policy,
        sid=str(raw.get("Sid", "")),
        effect=str(raw["Effect"]),
        actions=tuple(str(a) for a in as_list(raw.get("Action", raw.get("NotAction", [])))),
        not_actions="NotAction" in raw,
        resources=tuple(str(r) for r in as_list(raw.get("Resource", raw.get("NotResource", "*")))),
        not_resources="NotResource" in raw,
        conditions=conditions,
    )


def condition_holds(statement: Statement, context: Mapping[str, str]) -> bool | None:
    """True/False where every condition key is in the call's context; None where one is not (unknown)."""
    verdict = True
    for operator, tests in statement.conditions.items():
        base = operator.removesuffix("IfExists")
        judged = STRING_OPERATORS.get(base)
        if judged is None or not isinstance(tests, Mapping):
            return None
        match, glob, negated = judged
        for key, expected in tests.items():
            if key not in context:
                if operator.endswith("IfExists"):
                    continue
                return None
            value = context[key]
            hit = any(match(value, str(e)) if glob else value == str(e) for e in as_list(expected))
            verdict = verdict and (hit != negated)
    return verdict


@dataclass(frozen=True)
class Decision:
    """The verdict on one call: `granted`, the statements that granted it, and why not otherwise."""

    granted: bool
    by: tuple[Statement, ...] = ()
    reason: str = ""


def evaluate(call: Call, policy: list[Statement], unreadable: tuple[str, ...] = ()) -> Decision:
    """Whether `policy` (all the role's statements) grants `call`; `unreadable` are attached policies
    whose documents are not known, which may grant what the others do not."""
    relevant = [s for s in policy if s.matches_action(call.action) and s.matches_resources(call.resources)]
    for deny in (s for s in relevant if s.effect == "Deny"):
        if condition_holds(deny, call.context) is not False:
            return Decision(False, (deny,), f"denied by {deny.label}")
    allows = [s for s in relevant if s.effect == "Allow"]
    granting = tuple(s for s in allows if condition_holds(s, call.context) is True)
    if granting:
        return Decision(True, granting)
    unknown = [s for s in allows if condition_holds(s, call.context) is None]
    if unknown:
        keys = sorted({k for s in unknown for tests in s.conditions.values() for k in tests})
        reason = f"granted only under conditions the request does not show ({', '.join(keys)}), judged not granted"
    elif unreadable:
        reason = f"not granted by the policies in the plan; cannot be verified: {', '.join(unreadable)} not in the plan"
    else:
        reason = "no statement allows it"
    return Decision(False, (), reason)
