"""`terraform show -json` plans (format 0.1 to 1.x) -> Inventory.

The resources judged are those that will exist after apply: `resource_changes` minus delete-only
and deposed entries (no-op and update entries included, since they stay), plus data sources and
anything `planned_values` lists that `resource_changes` does not (older formats).  References come
from the `configuration` tree, walked through `module_calls`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError
from citygate.inputs.jsonfile import expect, read_json_object
from citygate.inputs.references import AddressResolver, strip_index, unknown_paths
from citygate.model import Inventory, Resource

SUPPORTED_MAJOR_FORMATS = ("0", "1")
_EXPRESSION_KEYS = frozenset({"references", "constant_value"})


def load_plan(path: Path | str, environment: str = "") -> Inventory:
    """Normalize a plan JSON file; malformed, empty or wrong-shape input raises CitygateError."""
    plan_path = Path(path)
    where = str(plan_path)
    plan = read_json_object(plan_path)
    _check_format(plan, where)
    instances = list(_instances(plan, where))
    if not instances:
        raise CitygateError("plan holds no resources: nothing to judge", where)
    expressions = _configuration_expressions(plan.get("configuration"), where)
    resolver = AddressResolver(i.address for i in instances)
    resources = [_with_references(i, expressions, resolver) for i in instances]
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


def _configuration_expressions(configuration: Any, where: str) -> dict[str, dict[str, Any]]:
    """Configuration address (module path without instance keys) -> that resource's `expressions`."""
    found: dict[str, dict[str, Any]] = {}
    if not isinstance(configuration, dict):
        return found

    def walk(module: Any, prefix: str) -> None:
        if not isinstance(module, dict):
            return
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and isinstance(resource.get("address"), str):
                expressions = resource.get("expressions")
                found[f"{prefix}{resource['address']}"] = expressions if isinstance(expressions, dict) else {}
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict):
                walk(call.get("module"), f"{prefix}module.{name}.")

    walk(configuration.get("root_module"), "")
    return found


def _expression_references(expressions: Any, prefix: str = "") -> Iterator[tuple[str, list[str]]]:
    """(attribute path, raw references) for every expression, nested blocks included."""
    if isinstance(expressions, list):
        for i, block in enumerate(expressions):
            yield from _expression_references(block, f"{prefix}.{i}" if prefix else str(i))
        return
    if not isinstance(expressions, dict):
        return
    if prefix and set(expressions) <= _EXPRESSION_KEYS:
        references = expressions.get("references")
        if isinstance(references, list) and references:
            yield prefix, [str(r) for r in references]
        return
    for key, value in expressions.items():
        yield from _expression_references(value, f"{prefix}.{key}" if prefix else str(key))


def _index_suffix(index: int | str | None) -> str:
    return "" if index is None else f"[{json.dumps(index)}]"


def _with_references(resource: Resource, expressions: dict[str, dict[str, Any]], resolver: AddressResolver) -> Resource:
    references: dict[str, tuple[str, ...]] = {}
    for path, raw in _expression_references(expressions.get(strip_index(resource.address), {})):
        targets: list[str] = []
        for reference in raw:
            for target in resolver.resolve(reference, resource.module, _index_suffix(resource.index)):
                if target not in targets:
                    targets.append(target)
        if targets:
            references[path] = tuple(targets)
    return replace(resource, references=references)
