"""Turning Terraform reference expressions into the resource addresses they point at.

Both inputs name references the same way (`aws_kms_key.data.arn`, `data.aws_iam_policy_document.x.json`,
`module.m.output`, `var.x`); only resource and data-source references become addresses, prefixed
with the module instance the referring resource lives in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NON_RESOURCE_ROOTS = frozenset({"var", "local", "module", "each", "count", "path", "terraform", "self"})
_SEGMENT = re.compile(r"(?:[^.\[]|\[[^\]]*\])+")
_TOKEN = re.compile(r"\$\{(.*?)\}")
_INDEX = re.compile(r"\[[^\]]*\]")
_TRAVERSAL = re.compile(r"[A-Za-z_][\w-]*(?:\[[^\]]*\])?(?:\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?)*")


def segments(reference: str) -> list[str]:
    """`module.m["a.b"].out` -> [`module`, `m["a.b"]`, `out`]: a traversal split at its dots."""
    return list(_SEGMENT.findall(reference))


def resource_address(reference: str) -> str | None:
    """`aws_kms_key.k[0].arn` -> `aws_kms_key.k[0]`; `data.t.n.json` -> `data.t.n`; `var.x` -> None."""
    parts = segments(reference)
    if not parts or parts[0] in NON_RESOURCE_ROOTS:
        return None
    type_and_name = parts[1:3] if parts[0] == "data" else parts[:2]
    # provider resource types always hold an underscore: `sts.amazonaws.com` is not a reference
    if len(type_and_name) < 2 or "_" not in type_and_name[0]:
        return None
    return ".".join(parts[: len(type_and_name) + (parts[0] == "data")])


def traversals(template: str) -> list[str]:
    """The dotted traversals inside a template's `${...}` tokens (`${aws_s3_bucket.raw.id}/*` -> [aws_s3_bucket.raw.id])."""
    return [t for token in _TOKEN.findall(template) for t in _TRAVERSAL.findall(token)]


def strip_index(address: str) -> str:
    """`module.a[0].aws_x.y["k"]` -> `module.a.aws_x.y`: the configuration address of an instance."""
    return _INDEX.sub("", address)


class AddressResolver:
    """Maps a referenced configuration address to the instance addresses that exist in the input.

    A reference to `aws_s3_bucket.raw` from `aws_s3_bucket_versioning.raw[1]` means the instance
    with the same key when the target is counted the same way (count.index / each.key), otherwise
    every instance of it.
    """

    def __init__(self, addresses: Iterable[str]) -> None:
        self._addresses = set(addresses)
        self._instances: dict[str, list[str]] = {}
        for address in sorted(self._addresses):
            self._instances.setdefault(strip_index(address), []).append(address)

    def resolve(self, reference: str, module: str, index_suffix: str) -> list[str]:
        target = resource_address(reference)
        if target is None:
            return []
        base = f"{module}.{target}" if module else target
        if base in self._addresses:
            return [base]
        if index_suffix and base + index_suffix in self._addresses:
            return [base + index_suffix]
        return self._instances.get(strip_index(base), [base])


def unknown_paths(after_unknown: object, prefix: str = "") -> list[str]:
    """Dotted paths whose value is `true` in a plan's `after_unknown` tree."""
    if after_unknown is True:
        return [prefix] if prefix else []
    if isinstance(after_unknown, dict):
        items: Iterable[tuple[str, object]] = ((str(k), v) for k, v in after_unknown.items())
    elif isinstance(after_unknown, list):
        items = ((str(i), v) for i, v in enumerate(after_unknown))
    else:
        return []
    paths: list[str] = []
    for key, value in items:
        paths.extend(unknown_paths(value, f"{prefix}.{key}" if prefix else key))
    return paths
