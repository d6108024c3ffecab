"""A synthesized stack (`cdk.tf.json`, Terraform JSON) as data: read it, list its types, find its aws provider.

The synthesized JSON is the contract between the stacks and everything downstream, so these helpers
read plain Terraform JSON and nothing CDKTF-specific (CDKTF writes provider blocks as a list; hand-written
Terraform JSON may not).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError

DEFAULT_REGION = "us-east-1"


def read_stack(synth_file: Path) -> dict[str, Any]:
    try:
        data = json.loads(synth_file.read_text())
    except (OSError, ValueError) as exc:
        raise CitygateError(f"cannot read synthesized stack: {exc}", where=str(synth_file)) from exc
    if not isinstance(data, dict):
        raise CitygateError("synthesized stack is not a JSON object", where=str(synth_file))
    return data


def stack_types(stack: dict[str, Any]) -> set[str]:
    """Every resource and data source type a synthesized stack declares."""
    return {t for block in ("resource", "data") for t in stack.get(block, {})}


def provider_blocks(stack: dict[str, Any]) -> list[dict[str, Any]]:
    """The stack's aws provider configurations (CDKTF writes a list, plain Terraform JSON may not)."""
    blocks = stack.get("provider", {}).get("aws", [{}])
    blocks = blocks if isinstance(blocks, list) else [blocks]
    return [b for b in blocks if isinstance(b, dict)] or [{}]


def stack_region(stack: dict[str, Any]) -> str:
    """The region of the stack's default (unaliased) aws provider."""
    default = [b for b in provider_blocks(stack) if "alias" not in b]
    return str((default or [{}])[0].get("region") or DEFAULT_REGION)
