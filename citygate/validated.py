"""A YAML file validated against its JSON Schema (exception register, requirements, sign-off); fails closed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from citygate.errors import CitygateError


def _plain(value: Any) -> Any:
    """YAML reads `2026-11-30` as a date; the schema (and JSON) speak of strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_validated(path: Path, schema_path: Path, what: str) -> Any:
    """The document in `path`, valid against `schema_path`; a CitygateError naming the file otherwise."""
    try:
        document = _plain(yaml.safe_load(path.read_text(encoding="utf-8")))
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
        raise CitygateError(f"cannot read the {what} ({exc})".replace("\n", " "), str(path)) from None
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        location = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise CitygateError(f"invalid {what} at {location}: {error.message}", str(path))
    return document
