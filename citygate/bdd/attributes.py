"""Reading an attribute path out of a resource, the way a reviewer writes it.

Paths are dotted (`versioning_configuration.status`); a key holding dots is bracketed
(`metadata.annotations["eks.amazonaws.com/role-arn"]`); `[key=value]` keeps the list items whose
`key` is (or lists) `value` (`parameter[name=rds.force_ssl].value`, `Statement[Effect=Allow].Action`).  A name applied to a list maps over its items,
so `rule.apply_server_side_encryption_by_default.sse_algorithm` reads the same whether nested blocks
arrive as lists (plans) or objects (synthesized JSON) and `spec.containers.image` reads every
container; a number indexes a list; a name with `*` globs dict keys (`Condition.StringEquals.*:sub`
finds an OIDC condition whatever the issuer URL).  A string holding a JSON document (IAM policies) is
decoded on the way through.  An attribute the plan knows only after apply is `unknown`, never absent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from citygate.model import Resource

_INDEX = re.compile(r"\[[^\]]*\]$")
_SEGMENT = re.compile(r'\["([^"]+)"\]|(\[[^\]=]+=[^\]]*\])|([^.\[\]]+)')
_MODULE_PREFIX = re.compile(r"^(module\.[A-Za-z0-9_-]+(\[[^\]]*\])?\.)+")


@dataclass(frozen=True)
class Lookup:
    """Every value found at a path and whether it awaits apply.

    One value per list item mapped over; a list found at the end is spread into its items too, so
    `enabled_cluster_log_types` yields each log type and `Statement.Action` each action, whether
    the policy wrote one action or a list.
    """

    values: tuple[Any, ...]
    unknown: bool
    leaves: tuple[Any, ...] = ()  # the values before lists were spread: `[{}]` stays a (non-empty) list

    @property
    def found(self) -> bool:
        return bool(self.values)


def split_path(path: str) -> list[str]:
    return [quoted or selector or plain for quoted, selector, plain in _SEGMENT.findall(path.strip())]


def _selected(item: Any, selector: str) -> bool:
    key, _, wanted = selector[1:-1].partition("=")
    value = _decoded(item).get(key) if isinstance(_decoded(item), dict) else None
    listed = value if isinstance(value, list) else [value]
    return any(str(v) == wanted for v in listed)


def _decoded(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _step(value: Any, part: str) -> list[Any]:
    value = _decoded(value)
    if part.startswith("["):
        items = value if isinstance(value, list) else [value]
        return [item for item in items if _selected(item, part)]
    if isinstance(value, list):
        if part.isdigit():
            index = int(part)
            return [value[index]] if index < len(value) else []
        return [found for item in value for found in _step(item, part)]
    if isinstance(value, dict):
        if "*" in part:
            return [v for k, v in value.items() if fnmatchcase(str(k), part)]
        return [value[part]] if part in value else []
    return []


def _without_indexes(parts: Iterable[str]) -> tuple[str, ...]:
    return tuple(p for p in parts if not p.isdigit() and not p.startswith("["))


def is_unknown(resource: Resource, path: str) -> bool:
    """True when the attribute, or a block that holds it, is known only after apply."""
    wanted = _without_indexes(split_path(path))
    for entry in resource.unknown:
        marked = _without_indexes(split_path(entry))
        if wanted[: len(marked)] == marked:
            return True
    return False


def lookup(resource: Resource, path: str) -> Lookup:
    current: list[Any] = [resource.values]
    for part in split_path(path):
        current = [found for value in current for found in _step(value, part)]
    leaves = [_decoded(v) for v in current]
    spread = [item for leaf in leaves for item in (leaf if isinstance(leaf, list) else [leaf])]
    return Lookup(values=tuple(spread), unknown=is_unknown(resource, path), leaves=tuple(leaves))


def strip_index(address: str) -> str:
    """`aws_s3_bucket.raw["a"]` -> `aws_s3_bucket.raw` (a reference names the block, not the instance)."""
    return _INDEX.sub("", address)


def reference_type(reference: str) -> str:
    """The resource type a reference points at: `module.m.data.aws_iam_policy_document.x.json` -> that type."""
    local = _MODULE_PREFIX.sub("", reference)
    local = local.removeprefix("data.")
    return local.split(".", 1)[0]


def references_at(resource: Resource, path: str) -> tuple[str, ...]:
    """The addresses the expression at `path` refers to (indexes in the recorded paths are ignored)."""
    wanted = _without_indexes(split_path(path))
    found: list[str] = []
    for recorded, addresses in resource.references.items():
        marked = _without_indexes(split_path(recorded))
        if marked[: len(wanted)] == wanted:
            found.extend(addresses)
    return tuple(found)


def refers_to(reference: str, referrer: Resource, target: Resource) -> bool:
    """Whether `reference` (as written inside `referrer`'s module) names `target` or one of its attributes.

    A reference to an instance (`...this["raw"]`) names that instance only; one without an index
    (`aws_s3_bucket.raw`, as configuration writes it) names every instance of the block.
    """
    candidates = {reference, reference.rsplit(".", 1)[0]}
    if referrer.module:
        candidates |= {f"{referrer.module}.{c}" for c in list(candidates)}
    return any(c in (target.address, strip_index(target.address)) for c in candidates)


IDENTITY_ATTRIBUTES = ("arn", "id", "name", "bucket", "key_id")


def identities(resource: Resource) -> set[str]:
    """Values by which others name this resource once applied (live accounts and manifests carry no
    references): its ARN, id or name, or a Kubernetes object's `metadata.name`."""
    names = {str(v) for k in IDENTITY_ATTRIBUTES if isinstance(v := resource.values.get(k), str) and v}
    metadata = resource.values.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("name"), str):
        names.add(metadata["name"])
    return names
