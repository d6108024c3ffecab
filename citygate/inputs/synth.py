"""Synthesized CDKTF output (`cdk.tf.json`, one per stack) -> Inventory.

Synthesized JSON knows nothing that only apply can tell: every string holding a `${...}` token is
treated as known only after apply (listed in `unknown`, dropped from `values`) and its traversals
become `references`, exactly as a plan would report them.  One exception: a JSON document (an IAM
or bucket policy) whose tokens sit inside its string literals keeps its text, since its structure
(effects, actions, conditions) is known now and is what the policies judge.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError
from citygate.inputs.jsonfile import expect, is_json_document, read_json_object
from citygate.inputs.references import AddressResolver, traversals
from citygate.model import Inventory, Resource

SYNTH_FILE = "cdk.tf.json"
STACK_PREFIX = "citygate-"
# Terraform meta-arguments: how a resource is managed, not what it is.
META_ARGUMENTS = frozenset(
    {"//", "count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}
)
_DROP = object()


def synth_files(path: Path, environment: str = "") -> list[Path]:
    """The cdk.tf.json files under a cdktf.out folder (one stack's if `environment` is given)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise CitygateError("no such synth file or folder", str(path))
    pattern = f"**/{STACK_PREFIX}{environment}/{SYNTH_FILE}" if environment else f"**/{SYNTH_FILE}"
    files = sorted(path.glob(pattern))
    if not files:
        raise CitygateError(
            f"no {SYNTH_FILE} found{f' for environment {environment}' if environment else ''}", str(path)
        )
    return files


def load_synth(path: Path | str, environment: str = "") -> Inventory:
    """Normalize every stack under `path` (a cdktf.out folder or one cdk.tf.json file)."""
    origin = Path(path)
    files = synth_files(origin, environment)
    if len(files) > 1:  # each stack's addresses (and references) are its own: merged, they would collide
        stacks = ", ".join(file.parent.name for file in files)
        raise CitygateError(
            f"{len(files)} stacks ({stacks}): the gate judges one stack at a time; give its folder or cdk.tf.json",
            str(origin),
        )
    resources = [resource for file in files for resource in _stack_resources(file)]
    if not resources:
        raise CitygateError("synthesized stacks hold no resources: nothing to judge", str(origin))
    resolver = AddressResolver(r.address for r in resources)
    for resource in resources:
        for path_, raw in list(resource.references.items()):
            resource.references[path_] = tuple(
                dict.fromkeys(t for reference in raw for t in resolver.resolve(reference, "", ""))
            )
    if not environment and len(files) == 1 and files[0].parent.name.startswith(STACK_PREFIX):
        environment = files[0].parent.name.removeprefix(STACK_PREFIX)
    return Inventory(kind="terraform", source="synth", resources=resources, origin=str(origin), environment=environment)


def _stack_resources(file: Path) -> Iterator[Resource]:
    where = str(file)
    document = read_json_object(file)
    if not any(key in document for key in ("resource", "data", "terraform")):
        raise CitygateError("not a synthesized Terraform JSON stack (no resource/data/terraform)", where)
    for mode, section in (("managed", "resource"), ("data", "data")):
        by_type = expect(document.get(section) or {}, dict, section, where)
        for type_, by_name in by_type.items():
            for name, body in expect(by_name, dict, f"{section}.{type_}", where).items():
                yield _resource(mode, type_, name, expect(body, dict, f"{section}.{type_}.{name}", where), where)


def _resource(mode: str, type_: str, name: str, body: dict[str, Any], file: str) -> Resource:
    unknown: list[str] = []
    references: dict[str, tuple[str, ...]] = {}
    attributes = {k: v for k, v in body.items() if k not in META_ARGUMENTS}
    values = _known(attributes, "", unknown, references)
    provider = body.get("provider")
    return Resource(
        address=f"{'data.' if mode == 'data' else ''}{type_}.{name}",
        type=type_,
        name=name,
        values=values if isinstance(values, dict) else {},
        unknown=tuple(unknown),
        references=references,
        mode=mode,
        provider=provider if isinstance(provider, str) else "",
        file=file,
    )


def _known(value: Any, path: str, unknown: list[str], references: dict[str, tuple[str, ...]]) -> Any:
    """`value` without the `${...}` parts, recording their paths and traversals on the way."""
    if isinstance(value, str) and "${" in value:
        found = tuple(traversals(value))
        if found:
            references[path] = found
        if is_json_document(value):
            return value
        unknown.append(path)
        return _DROP
    if isinstance(value, dict):
        kept = {k: _known(v, f"{path}.{k}" if path else str(k), unknown, references) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v is not _DROP}
    if isinstance(value, list):
        items = [_known(v, f"{path}.{i}" if path else str(i), unknown, references) for i, v in enumerate(value)]
        return [None if v is _DROP else v for v in items]
    return value
