"""A plan's `configuration` tree: what each resource's configuration writes, and what it refers to.

A value known only after apply is judged by what the author wrote: an attribute the configuration
never writes takes the provider's default; one written as a reference is judged by the resource it
points to, followed through module variables (`var.key` inside a module is the module call's
argument) and outputs (`module.keys.arn` is that module's `arn` output).  JSON-syntax configurations
(CDKTF's) also give a template's text as `constant_value`, `${...}` tokens and all.

Paths are dotted, nested block instances numbered, as in `after_unknown`
("server_side_encryption.0.kms_key_arn").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from citygate.inputs.references import AddressResolver, segments, strip_index

_EXPRESSION_KEYS = frozenset({"references", "constant_value"})
_MODULE_CALL = re.compile(r"module\.[^.\[]+(\[[^\]]*\])?")
# how many variables/outputs a reference is followed through (module nesting is never this deep)
_MAX_HOPS = 32


@dataclass(frozen=True)
class Expression:
    """One attribute as the configuration writes it."""

    references: tuple[str, ...] = ()
    constant: Any = None  # constant_value: a literal, or a JSON-syntax template's text


Expressions = dict[str, Expression]  # attribute path -> expression


def _expression(node: dict[str, Any]) -> Expression:
    references = node.get("references")
    return Expression(
        references=tuple(str(r) for r in references) if isinstance(references, list) else (),
        constant=node.get("constant_value"),
    )


def _leaves(tree: Any, prefix: str = "") -> Iterator[tuple[str, Expression]]:
    """Every attribute expression under a resource's `expressions`, nested blocks included."""
    if not isinstance(tree, dict):
        return
    for key, node in tree.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(node, list):  # a nested block, once per instance
            for i, block in enumerate(node):
                yield from _leaves(block, f"{path}.{i}")
        elif isinstance(node, dict) and set(node) <= _EXPRESSION_KEYS:
            yield path, _expression(node)
        else:  # a single nested block
            yield from _leaves(node, path)


def generated_blocks(values: Any, tree: Any, prefix: str = "") -> Iterator[str]:
    """Nested blocks present in `values` that the configuration does not spell out (`dynamic` blocks):
    written by the author, though the configuration does not show what."""
    if not isinstance(values, dict) or not isinstance(tree, dict):
        return
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            continue
        written = tree.get(key)
        if written is None:
            yield path
        elif isinstance(written, list):
            for i, (instance, block) in enumerate(zip(value, written, strict=False)):
                yield from generated_blocks(instance, block, f"{path}.{i}")


def _parent(module: str) -> tuple[str, str]:
    """`module.a[0].module.b["x"]` -> (`module.a[0]`, `["x"]`): the calling module and the call's key."""
    calls = list(_MODULE_CALL.finditer(module))
    if not calls:
        return "", ""
    return ".".join(m.group(0) for m in calls[:-1]), calls[-1].group(1) or ""


class Configuration:
    """The resources, module arguments and module outputs of a plan's `configuration`."""

    def __init__(self, configuration: Any) -> None:
        self._resources: dict[str, Expressions] = {}  # configuration address -> its expressions
        self._trees: dict[str, dict[str, Any]] = {}  # configuration address -> its raw `expressions`
        self._arguments: dict[str, Expressions] = {}  # module path -> argument name -> expression in the caller
        self._outputs: dict[str, Expressions] = {}  # module path -> output name -> expression
        if isinstance(configuration, dict):
            self._walk(configuration.get("root_module"), "")

    def _walk(self, module: Any, path: str) -> None:
        if not isinstance(module, dict):
            return
        prefix = f"{path}." if path else ""
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and isinstance(resource.get("address"), str):
                tree = resource.get("expressions")
                tree = tree if isinstance(tree, dict) else {}
                self._trees[prefix + resource["address"]] = tree
                self._resources[prefix + resource["address"]] = dict(_leaves(tree))
        outputs = module.get("outputs")
        self._outputs[path] = {
            str(name): _expression(output["expression"])
            for name, output in (outputs.items() if isinstance(outputs, dict) else ())
            if isinstance(output, dict) and isinstance(output.get("expression"), dict)
        }
        calls = module.get("module_calls")
        for name, call in calls.items() if isinstance(calls, dict) else ():
            if isinstance(call, dict):
                child = f"{prefix}module.{name}"
                arguments = call.get("expressions")
                self._arguments[child] = dict(_leaves(arguments)) if isinstance(arguments, dict) else {}
                self._walk(call.get("module"), child)

    def expressions(self, address: str) -> Expressions | None:
        """The attributes the configuration writes for a resource instance; None when it is not described."""
        return self._resources.get(strip_index(address))

    def tree(self, address: str) -> dict[str, Any]:
        """The raw `expressions` of a resource instance ({} when it is not described)."""
        return self._trees.get(strip_index(address), {})

    def targets(self, references: Iterable[str], module: str, index: str, resolver: AddressResolver) -> list[str]:
        """The instance addresses `references` (written in module instance `module`) point at."""
        found: dict[str, None] = {}
        for reference in references:
            found.update(dict.fromkeys(self._follow(reference, module, index, resolver, _MAX_HOPS)))
        return list(found)

    def _follow(self, reference: str, module: str, index: str, resolver: AddressResolver, hops: int) -> list[str]:
        parts = segments(reference)
        if hops == 0 or not parts:
            return []
        if parts[0] == "var" and len(parts) > 1 and module:
            caller, key = _parent(module)
            argument = self._arguments.get(strip_index(module), {}).get(strip_index(parts[1]))
            return self._through(argument, caller, key, resolver, hops)
        if parts[0] == "module" and len(parts) > 2:
            child = f"{module}.module.{parts[1]}" if module else f"module.{parts[1]}"
            output = self._outputs.get(strip_index(child), {}).get(strip_index(parts[2]))
            return self._through(output, child, "", resolver, hops)
        return resolver.resolve(reference, module, index)

    def _through(
        self, expression: Expression | None, module: str, index: str, resolver: AddressResolver, hops: int
    ) -> list[str]:
        if expression is None:
            return []
        return [t for r in expression.references for t in self._follow(r, module, index, resolver, hops - 1)]
