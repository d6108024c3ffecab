"""An inventory recorded as the Rego `input` document (`Inventory.to_input()`), read back.

Fixtures for the specs are written in this shape (JSON, or YAML for readability) so a reviewer reads
the same document the policies see, and so a scenario can be replayed against any recorded inventory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from citygate.errors import CitygateError
from citygate.model import Inventory, Resource


def _resource(entry: dict[str, Any]) -> Resource:
    return Resource(
        address=entry["address"],
        type=entry["type"],
        name=entry.get("name", entry["address"].rsplit(".", 1)[-1]),
        values=entry.get("values", {}),
        unknown=tuple(entry.get("unknown", ())),
        references={k: tuple(v) for k, v in entry.get("references", {}).items()},
        module=entry.get("module", ""),
        index=entry.get("index"),
        mode=entry.get("mode", "managed"),
        provider=entry.get("provider", ""),
        file=entry.get("file", ""),
        actions=tuple(entry.get("actions", ())),
    )


def load_recorded(path: Path) -> Inventory:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Inventory(
            kind=document["kind"],
            source=document.get("source", "recorded"),
            resources=[_resource(entry) for entry in document["resources"]],
            origin=str(path),
            environment=document.get("environment", ""),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise CitygateError(f"not a recorded inventory ({type(exc).__name__}: {exc})", str(path)) from exc
