"""`terraform show -json` plans (format 0.1 to 1.x) -> Inventory.

The resources judged are those that will exist after apply: `resource_changes` minus delete-only
and deposed entries (no-op and update entries included, since they stay), plus data sources and
anything `planned_values` lists that `resource_changes` does not (older formats).  The
`configuration` tree tells what each resource's author wrote (`configured`), what it refers to
(`references`, followed through module variables and outputs) and, for JSON-syntax
configurations, the text of policy documents known only after apply (kept in `values`, as the
synth loader keeps them).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError
from citygate.inputs.configuration import Configuration, Expression, generated_blocks
from citygate.inputs.jsonfile import expect, is_json_document, read_json_object
from citygate.inputs.references import AddressResolver, unknown_paths
from citygate.model import Inventory, Resource

SUPPORTED_MAJOR_FORMATS = ("0", "1")


def load_plan(path: Path | str, environment: str = "") -> Inventory:
    """Normalize a plan JSON file; malformed, empty or wrong-shape input raises CitygateError."""
    plan_path = Path(path)
    where = str(plan_path)
    plan = read_json_object(plan_path)
    _check_format(plan, where)
    instances = list(_instances(plan, where))
    if not instances:
        raise CitygateError("plan holds no resources: nothing to judge", where)
    configuration = Configuration(plan.get("configuration"))
    resolver = AddressResolver(i.address for i in instances)
    resources = [_with_configuration(i, configuration, resolver) for i in instances]
    return Inventory(kind="terraform", source="plan", resources=resources, origin=where, environment=environment)


def _check_format(plan: dict[str, Any], where: str) -> None:
    version = plan.get("format_version")
    if not isinstance(version, str) or version.split(".")[0] not in SUPPORTED_MAJOR_FORMATS:
        raise CitygateError(f"not a Terraform plan JSON (format_version {version!r})", where)
    if "resource_changes" not in plan and "planned_values" not in plan:
        raise CitygateError("not a Terraform plan JSON (no resource_changes nor planned_values)", where)


def _instances(plan: dict[str, Any], where: str) -> Iterator[Resource]:
    seen: set[str] = set()
    changes = expect(plan.get("resource_changes") or [], list, "resource_changes", where)
    for change in changes:
        instance = _from_change(expect(change, dict, "a resource_changes entry", where), where)
        if instance is not None and instance.address not in seen:
            seen.add(instance.address)
            yield instance
    gone = {c.get("address") for c in changes if isinstance(c, dict) and _actions(c, where) == ("delete",)}
    planned = expect(plan.get("planned_values") or {}, dict, "planned_values", where)
    prior = expect(plan.get("prior_state") or {}, dict, "prior_state", where)
    prior_data = [r for r in _module_resources(prior.get("values") or {}, where) if r.get("mode") == "data"]
    for entry in [*_module_resources(planned.get("root_module") or {}, where), *prior_data]:
        instance = _from_values(entry, where)
        if instance.address not in seen and instance.address not in gone:
            seen.add(instance.address)
            yield instance


def _actions(change: dict[str, Any], where: str) -> tuple[str, ...]:
    body = expect(change.get("change") or {}, dict, "change", where)
    return tuple(expect(body.get("actions") or [], list, "change.actions", where))


def _from_change(change: dict[str, Any], where: str) -> Resource | None:
    actions = _actions(change, where)
    if actions == ("delete",) or change.get("deposed"):
        return None  # judged resources are those that exist after apply
    body = change["change"]
    after = body.get("after")
    return _instance(
        change,
        actions,
        after if isinstance(after, dict) else {},
        tuple(unknown_paths(body.get("after_unknown"))),
        change.get("module_address", ""),
        where,
    )


def _from_values(entry: dict[str, Any], where: str) -> Resource:
    values = entry.get("values")
    return _instance(entry, (), values if isinstance(values, dict) else {}, (), _module_of(entry), where)


def _module_of(entry: dict[str, Any]) -> str:
    """`module.a[0].aws_x.y` -> `module.a[0]` (planned_values entries carry no module_address)."""
    address = str(entry.get("address", ""))
    mode_type_name = f"{'data.' if entry.get('mode') == 'data' else ''}{entry.get('type')}.{entry.get('name')}"
    position = address.rfind("." + mode_type_name)
    return address[:position] if position > 0 else ""


def _instance(
    entry: dict[str, Any],
    actions: tuple[str, ...],
    values: dict[str, Any],
    unknown: tuple[str, ...],
    module: str,
    where: str,
) -> Resource:
    address = expect(entry.get("address"), str, "a resource address", where)
    index = entry.get("index")
    return Resource(
        address=address,
        type=expect(entry.get("type"), str, f"type of {address}", where),
        name=str(entry.get("name", "")),
        mode=str(entry.get("mode", "managed")),
        module=expect(module or "", str, f"module_address of {address}", where),
        index=index if isinstance(index, int | str) and not isinstance(index, bool) else None,
        provider=str(entry.get("provider_name", "")),
        actions=tuple(str(a) for a in actions),
        values=values,
        unknown=unknown,
        file=where,
    )


def _module_resources(module: dict[str, Any], where: str) -> Iterator[dict[str, Any]]:
    """Resources of a `planned_values`/`prior_state` module and all its child modules."""
    expect(module, dict, "a module in planned_values", where)
    for resource in expect(module.get("resources") or [], list, "module resources", where):
        yield expect(resource, dict, "a planned resource", where)
    for child in expect(module.get("child_modules") or [], list, "child_modules", where):
        yield from _module_resources(child, where)


def _index_suffix(index: int | str | None) -> str:
    return "" if index is None else f"[{json.dumps(index)}]"


def _json_template(expression: Expression | None) -> str | None:
    """A JSON-syntax template that is a JSON document (its tokens inside string literals), else None."""
    text = expression.constant if expression is not None and expression.references else None
    return text if isinstance(text, str) and "${" in text and is_json_document(text) else None


def _with_configuration(resource: Resource, configuration: Configuration, resolver: AddressResolver) -> Resource:
    """References resolved through modules, the attribute paths written, policy templates as values."""
    expressions = configuration.expressions(resource.address)
    if expressions is None:
        return resource  # the plan does not describe it: nothing can be told apart
    index = _index_suffix(resource.index)
    references: dict[str, tuple[str, ...]] = {}
    for path, expression in expressions.items():
        targets = configuration.targets(expression.references, resource.module, index, resolver)
        if targets:
            references[path] = tuple(targets)
    # as in synthesized JSON, a policy document (a top-level attribute) whose tokens sit inside its
    # strings has a known structure
    templates = {
        p: t for p in resource.unknown if "." not in p and (t := _json_template(expressions.get(p))) is not None
    }
    generated = generated_blocks(resource.values, configuration.tree(resource.address))
    return replace(
        resource,
        values={**resource.values, **templates},
        unknown=tuple(p for p in resource.unknown if p not in templates),
        references=references,
        configured=(*expressions, *generated),
    )
