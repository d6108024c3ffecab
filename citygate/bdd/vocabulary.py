"""The step vocabulary: a few Given/When/Then sentences that compose into reviewer-readable requirements.

    Given resources of type "aws_s3_bucket"                 (at least one must exist: fail closed)
    Given resources of type "aws_lb" where present          (none is fine: nothing to check)
    When their "internal" is "false"                        (narrow the scope; also: is set,
    When their "path" includes "x"                           address matches "glob", reference a "type"
    When the environment is "prod, staging"                  through "path", environment is ...)
    Then there must be at least one such resource           (after a When: no vacuous pass)
    Then "versioning_configuration.status" must be "Enabled"
    Then "path" must not be "x" / must include "x" / must be one of "a, b" [where set]
    Then "path" must be between "7" and "35"                (both bounds: a value can be too weak either way)
    Then "path" must equal its "other path"                 (a port range that is one port)
    Then "path" must match "regex" / must not match "regex" / must include one matching "regex"
    Then "path" must be set / must not be set / must be empty
    Then "kms_key_id" must reference a "aws_kms_key"        (before apply: references; after: ids)
    Then each must have a "aws_s3_bucket_versioning" attached through "bucket"   (scope moves to those)
    Then each must have a "NetworkPolicy" attached through "metadata.namespace" whose "spec.podSelector" is empty
    Then each must use a "aws_rds_cluster_parameter_group" through "db_cluster_parameter_group_name"
    Given the AWS calls recorded from the workloads on the embedded AWS   (a record: see citygate.leastpriv)
    When they are compared with the IRSA policies           (scope: the roles that made them, judged)
    Then "grants no recorded call used" are listed as warnings   (recorded in the evidence, never fails)

An attribute is named the way a reviewer says it ("trusted audience"): `citygate.bdd.glossary` says
which path that name reads on each resource type, and the evidence records the path read.
Every value found at a path is judged (lists are spread, see `attributes.lookup`): "must be" wants
all of them equal, "must include" at least one, "must not be" none.  Quoted arguments are literals:
true/false/numbers parse as JSON, anything else is a string.  A value known only after apply
satisfies "must be set" and "must reference" (the reference is in the plan); every other check fails
closed on it, because it cannot be proven before apply.  A `Then` with nothing in scope is skipped with
the reason (or fails under `@noskip`), and so is a scenario outside its `When the environment is`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Literal

from citygate.bdd.attributes import Lookup, identities, lookup, reference_type, references_at, refers_to
from citygate.bdd.glossary import path_for
from citygate.bdd.spec import AFTER_APPLY, NOT_SET, Observation, Spec, SpecFailure, Verdict, shown
from citygate.leastpriv.inventory import CALL_TYPE, judged_roles
from citygate.model import Resource

StepKind = Literal["given", "when", "then"]


@dataclass(frozen=True)
class StepDefinition:
    kind: StepKind
    pattern: str  # a `parse` pattern; pytest-bdd and the direct runner match it the same way
    func: Callable[..., None]


VOCABULARY: list[StepDefinition] = []


def step(kind: StepKind, pattern: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def register(func: Callable[..., None]) -> Callable[..., None]:
        VOCABULARY.append(StepDefinition(kind, pattern, func))
        return func

    return register


# --- literals and comparisons -------------------------------------------------------------------


def literal(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _canonical(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return value


def same(value: Any, expected: Any) -> bool:
    return bool(_canonical(value) == _canonical(expected))


def _listed(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _missing(found: Lookup) -> str:
    return f"{AFTER_APPLY}: cannot be proven before apply" if found.unknown else NOT_SET


def _seen(found: Lookup) -> str:
    values = found.values
    return shown(values[0] if len(values) == 1 else list(values))


def _path(spec: Spec, resource: Resource, name: str) -> str:
    """The path an attribute name reads on this resource, recorded in the step's evidence."""
    path = path_for(name, resource.type)
    spec.current.attributes.setdefault(resource.type, path)
    return path


def _read(spec: Spec, resource: Resource, name: str) -> Lookup:
    return lookup(resource, _path(spec, resource, name))


def _every(spec: Spec, path: str, test: Callable[[Any], bool]) -> Callable[[Resource], Verdict]:
    """Needs the attribute present, and every value found there to pass `test`."""

    def judge(resource: Resource) -> Verdict:
        found = _read(spec, resource, path)
        if not found.found:
            return False, _missing(found)
        return all(test(v) for v in found.values), _seen(found)

    return judge


# --- Given: what the scenario is about ------------------------------------------------------------


def _of_types(spec: Spec, types: str) -> list[Resource]:
    wanted = _listed(types)
    return [r for r in spec.inventory.resources if r.type in wanted]


@step("given", 'resources of type "{types}"')
def given_resources(spec: Spec, types: str) -> None:
    found = _of_types(spec, types)
    if not found:
        raise SpecFailure(f"no {types} resources in {spec.inventory.origin or spec.inventory.source}")
    spec.select(found, types)


@step("given", 'resources of type "{types}" where present')
def given_resources_if_any(spec: Spec, types: str) -> None:
    spec.select(_of_types(spec, types), types)


@step("given", "the AWS calls recorded from the workloads on the embedded AWS")
def given_recorded_calls(spec: Spec) -> None:
    """The calls of a record (`citygate.leastpriv.inventory`); none recorded: nothing to check."""
    spec.select(spec.inventory.by_type(CALL_TYPE), "recorded AWS calls")
    if not spec.selection:
        spec.nothing_to_check()


# --- When: narrowing the scope --------------------------------------------------------------------


def _narrow(spec: Spec, keep: Callable[[Resource], bool], how: str) -> None:
    kept = [r for r in spec.selection if keep(r)]
    spec.select(kept, spec.subject, f"{len(kept)} of {len(spec.selection)} {spec.subject} {how}")


@step("when", 'their "{path}" is "{value}"')
def when_equal(spec: Spec, path: str, value: str) -> None:
    expected = literal(value)
    _narrow(spec, lambda r: any(same(v, expected) for v in _read(spec, r, path).values), f"with {path} = {value}")


@step("when", 'their "{path}" includes "{value}"')
def when_includes(spec: Spec, path: str, value: str) -> None:
    expected = literal(value)
    _narrow(spec, lambda r: any(same(v, expected) for v in _read(spec, r, path).values), f"whose {path} has {value}")


@step("when", 'their "{path}" is set')
def when_set(spec: Spec, path: str) -> None:
    def present(resource: Resource) -> bool:
        found = _read(spec, resource, path)
        return found.unknown or any(not _is_empty(v) for v in found.values)

    _narrow(spec, present, f"with {path} set")


@step("when", 'their address matches "{pattern}"')
def when_address(spec: Spec, pattern: str) -> None:
    _narrow(spec, lambda r: fnmatchcase(r.address, pattern), f"matching {pattern}")


@step("when", 'they reference a "{target_type}" through "{path}"')
def when_referencing(spec: Spec, target_type: str, path: str) -> None:
    _narrow(spec, lambda r: _references(spec, r, path, target_type)[0], f"referencing a {target_type}")


@step("when", 'the environment is "{environments}"')
def when_environment(spec: Spec, environments: str) -> None:
    """Outside those environments the scenario does not apply: skipped, even under `@noskip`."""
    here = spec.inventory.environment or "unnamed"
    if here not in _listed(environments):
        spec.skip(f"applies to {environments} only; this is {here}")
    spec.current.note = f"environment {here}"


@step("when", "they are compared with the IRSA policies")
def when_compared(spec: Spec) -> None:
    """The plan's roles that made a call in scope become the scope, each judged as the `leastpriv` engine judges it."""
    calls = spec.selection
    judged = judged_roles(spec.inventory, calls)
    spec.select(judged, "IRSA roles", f"{len(judged)} IRSA roles of the plan made calls of the {len(calls)} recorded")


# --- Then: the requirement on every resource in scope ---------------------------------------------


@step("then", "there must be at least one such resource")
def must_exist(spec: Spec) -> None:
    """Guards a narrowed scope: without it, a scenario whose `When` matched nothing would pass."""
    if not spec.selection:
        raise SpecFailure(f"no {spec.subject} in {spec.inventory.origin or spec.inventory.source} matched")
    spec.require(lambda r: (True, "in scope"), f"at least one {spec.subject}")


@step("then", '"{path}" must be "{value}"')
def must_be(spec: Spec, path: str, value: str) -> None:
    expected = literal(value)
    spec.require(_every(spec, path, lambda v: same(v, expected)), f"{path} = {value}")


@step("then", '"{path}" must be one of "{values}"')
def must_be_one_of(spec: Spec, path: str, values: str) -> None:
    allowed = [literal(v) for v in _listed(values)]
    spec.require(_every(spec, path, lambda v: any(same(v, a) for a in allowed)), f"{path} in [{values}]")


@step("then", '"{path}" must be one of "{values}" where set')
def must_be_one_of_where_set(spec: Spec, path: str, values: str) -> None:
    allowed = [literal(v) for v in _listed(values)]
    spec.require(_no(spec, path, lambda v: not any(same(v, a) for a in allowed)), f"{path}, where set, in [{values}]")


@step("then", '"{path}" must be between "{low}" and "{high}"')
def must_be_between(spec: Spec, path: str, low: str, high: str) -> None:
    """Both bounds, inclusive: a limit can be meaningless by being too high as well as too low."""
    lowest, highest = float(low), float(high)
    spec.require(
        _every(spec, path, lambda v: (n := _number(v)) is not None and lowest <= n <= highest),
        f"{path} between {low} and {high}",
    )


@step("then", '"{path}" must equal its "{other}"')
def must_equal(spec: Spec, path: str, other: str) -> None:
    """The values at both paths, in order, are the same (e.g. a port range that is a single port)."""

    def judge(resource: Resource) -> Verdict:
        found, reference = _read(spec, resource, path), _read(spec, resource, other)
        if found.unknown or reference.unknown:
            return False, f"{AFTER_APPLY}: cannot be proven before apply"
        ok = [_canonical(v) for v in found.values] == [_canonical(v) for v in reference.values]
        seen, compared = (_seen(f) if f.found else NOT_SET for f in (found, reference))
        return ok, f"{path} {seen}, {other} {compared}"

    spec.require(judge, f"{path} equal to its {other}")


@step("then", '"{path}" must match "{pattern}"')
def must_match(spec: Spec, path: str, pattern: str) -> None:
    spec.require(_every(spec, path, _matches(pattern)), f"{path} matching /{pattern}/")


def _some(spec: Spec, path: str, test: Callable[[Any], bool]) -> Callable[[Resource], Verdict]:
    """Needs the attribute present, and at least one value found there to pass `test`."""

    def judge(resource: Resource) -> Verdict:
        found = _read(spec, resource, path)
        if not found.found:
            return False, _missing(found)
        return any(test(v) for v in found.values), _seen(found)

    return judge


def _no(spec: Spec, path: str, test: Callable[[Any], bool]) -> Callable[[Resource], Verdict]:
    """Passes when no value at the path passes `test`; an absent attribute passes, an unknown one cannot."""

    def judge(resource: Resource) -> Verdict:
        found = _read(spec, resource, path)
        if not found.found:
            return (False, _missing(found)) if found.unknown else (True, NOT_SET)
        return not any(test(v) for v in found.values), _seen(found)

    return judge


def _matches(pattern: str) -> Callable[[Any], bool]:
    regex = re.compile(pattern)
    return lambda v: isinstance(v, str | int | float) and bool(regex.fullmatch(str(_canonical(v))))


@step("then", '"{path}" must include "{value}"')
def must_include(spec: Spec, path: str, value: str) -> None:
    expected = literal(value)
    spec.require(_some(spec, path, lambda v: same(v, expected)), f"{path} to include {value}")


@step("then", '"{path}" must include one matching "{pattern}"')
def must_include_match(spec: Spec, path: str, pattern: str) -> None:
    spec.require(_some(spec, path, _matches(pattern)), f"{path} to include one matching /{pattern}/")


@step("then", '"{path}" must not be "{value}"')
def must_not_be(spec: Spec, path: str, value: str) -> None:
    expected = literal(value)
    spec.require(_no(spec, path, lambda v: same(v, expected)), f"{path} never {value}")


@step("then", '"{path}" must not match "{pattern}"')
def must_not_match(spec: Spec, path: str, pattern: str) -> None:
    spec.require(_no(spec, path, _matches(pattern)), f"{path} never matching /{pattern}/")


@step("then", '"{path}" must not be set')
def must_not_be_set(spec: Spec, path: str) -> None:
    def judge(resource: Resource) -> Verdict:
        found = _read(spec, resource, path)
        if found.unknown:
            return False, _missing(found)
        return not found.found, _seen(found) if found.found else NOT_SET

    spec.require(judge, f"{path} not to be set")


@step("then", '"{path}" must be empty')
def must_be_empty(spec: Spec, path: str) -> None:
    def judge(resource: Resource) -> Verdict:
        found = _read(spec, resource, path)
        if found.unknown:
            return False, _missing(found)
        return all(_is_empty(v) for v in found.leaves), shown(list(found.leaves)) if found.leaves else NOT_SET

    spec.require(judge, f"{path} to be empty")


@step("then", '"{path}" must be set')
def must_be_set(spec: Spec, path: str) -> None:
    def judge(resource: Resource) -> Verdict:
        found = _read(spec, resource, path)
        if found.unknown and not found.found:
            return True, AFTER_APPLY
        if not found.found:
            return False, NOT_SET
        return not any(_is_empty(v) for v in found.values), _seen(found)

    spec.require(judge, f"{path} to be set")


def _referenced(spec: Spec, resource: Resource, path: str, target_type: str) -> list[Resource]:
    """The resources of `target_type` the attribute points at: by reference before apply, by id after."""
    targets = spec.inventory.by_type(target_type)
    path = _path(spec, resource, path)
    refs = references_at(resource, path)
    by_reference = [t for t in targets if any(refers_to(ref, resource, t) for ref in refs)]
    values = {str(v) for v in lookup(resource, path).values}
    return by_reference or [t for t in targets if identities(t) & values]


def _references(spec: Spec, resource: Resource, path: str, target_type: str) -> Verdict:
    path = _path(spec, resource, path)
    refs = [ref for ref in references_at(resource, path) if reference_type(ref) == target_type]
    if refs:
        return True, ", ".join(refs)
    found = lookup(resource, path)
    if not found.found:
        return False, _missing(found)
    known = set().union(set(), *(identities(t) for t in spec.inventory.by_type(target_type)))
    return all(str(v) in known for v in found.values), _seen(found)


@step("then", '"{path}" must reference a "{target_type}"')
def must_reference(spec: Spec, path: str, target_type: str) -> None:
    spec.require(lambda r: _references(spec, r, path, target_type), f"{path} to reference a {target_type}")


def _attached(candidate: Resource, path: str, parent: Resource) -> bool:
    if any(refers_to(ref, candidate, parent) for ref in references_at(candidate, path)):
        return True
    names = identities(parent)
    return any(str(v) in names for v in lookup(candidate, path).values)


def _closest(parent: Resource, found: list[Resource]) -> list[Resource]:
    """Companions from the parent's own module/bundle, and with its count/for_each key, when any are."""
    same_module = [c for c in found if c.module == parent.module] or found
    return [c for c in same_module if parent.index is not None and c.index == parent.index] or same_module


def _require_companions(
    spec: Spec, attached_type: str, path: str, wanted: str, keep: Callable[[Resource], bool]
) -> None:
    """Every resource in scope has a companion pointing at it; the companions become the scope."""
    candidates = [c for c in spec.inventory.by_type(attached_type) if keep(c)]
    companions: dict[str, Resource] = {}

    def judge(parent: Resource) -> Verdict:
        chosen = _closest(parent, [c for c in candidates if _attached(c, path, parent)])
        companions.update((c.address, c) for c in chosen)
        if not chosen:
            return False, f"no {wanted} with {path} pointing here"
        return True, ", ".join(c.address for c in chosen)

    spec.require(judge, f"a {wanted} attached through {path}")
    spec.selection = list(companions.values())
    spec.subject = attached_type


@step("then", 'each must have a "{attached_type}" attached through "{path}"')
def each_must_have(spec: Spec, attached_type: str, path: str) -> None:
    _require_companions(spec, attached_type, path, attached_type, lambda _: True)


@step("then", 'each must have a "{attached_type}" attached through "{path}" whose "{attribute}" is empty')
def each_must_have_empty(spec: Spec, attached_type: str, path: str, attribute: str) -> None:
    def empty(candidate: Resource) -> bool:
        found = _read(spec, candidate, attribute)
        return not found.unknown and all(_is_empty(v) for v in found.leaves)

    _require_companions(spec, attached_type, path, f"{attached_type} with an empty {attribute}", empty)


@step("then", 'each must use a "{target_type}" through "{path}"')
def each_must_use(spec: Spec, target_type: str, path: str) -> None:
    """Every resource in scope points at a resource of `target_type`; those become the scope."""
    used: dict[str, Resource] = {}

    def judge(resource: Resource) -> Verdict:
        found = _referenced(spec, resource, path, target_type)
        used.update((t.address, t) for t in found)
        if not found:
            return False, f"{path} names no {target_type}"
        return True, ", ".join(t.address for t in found)

    spec.require(judge, f"{path} to name a {target_type}")
    spec.selection = list(used.values())
    spec.subject = target_type


@step("then", '"{path}" are listed as warnings')
def listed_as_warnings(spec: Spec, path: str) -> None:
    """Each value found is one warning in the evidence: reported for review, never a failure."""
    if not spec.selection:
        spec.nothing_to_check()
    record = spec.current
    for resource in spec.selection:
        found = _read(spec, resource, path)
        record.observations.extend(Observation(resource.address, f"warning: {shown(v)}", True) for v in found.values)
    record.note = f"{len(record.observations)} warnings on {len(spec.selection)} {spec.subject}"
