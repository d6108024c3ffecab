"""Strict schema validation of manifests against one pinned Kubernetes version (kubernetes-validate).

Strict mode turns a misspelt field into a finding instead of a silently dropped setting; a built-in
kind whose apiVersion the pinned version no longer serves (extensions/v1beta1 Ingress,
policy/v1beta1 PodDisruptionBudget) is a finding too.  Custom resources (cert-manager.io, ...) have
no schema here and are left to their CRD's own validation.

The schemas are the ones kubernetes-validate ships, loaded once per kind: its own `validate()`
re-reads the 2 MB definitions file for every object (~45 ms each).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jsonschema
from kubernetes_validate import utils
from referencing import Registry
from referencing import Resource as SchemaResource

from citygate.errors import CitygateError
from citygate.findings import Finding, Severity
from citygate.model import Resource

# The EKS version the platform runs (stacks/config.py eks_version); manifests must be valid for it.
KUBERNETES_VERSION = "1.32"
RULE_ID = "CG_K8S_030"
TITLE = f"Manifest is valid for Kubernetes {KUBERNETES_VERSION} (strict schema)"
CONTROLS = ["CG-K8S-15"]


def is_builtin_api(api_version: str) -> bool:
    """Core groups have no dot in their name or end in .k8s.io; everything else is a CRD's group."""
    group = api_version.split("/")[0] if "/" in api_version else ""
    return "." not in group or group.endswith(".k8s.io")


@cache
def _schema_dir() -> str:
    wanted = utils.major_minor(KUBERNETES_VERSION)
    version = [v for v in utils.all_versions() if utils.major_minor(v) <= wanted][-1]
    return f"kubernetes-json-schema/v{version}-local-strict"


@cache
def _registry() -> Registry:
    definitions = utils.schema_contents(f"{_schema_dir()}/_definitions.json", KUBERNETES_VERSION)
    return SchemaResource.from_contents(definitions) @ Registry()


@cache
def validator(api_version: str, kind: str) -> jsonschema.Draft202012Validator | None:
    """The strict validator of one kind at one apiVersion, or None when the version has no such schema."""
    # rbac.authorization.k8s.io/v1 -> rbac-v1, as the shipped file names are built
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = utils.schema_contents(f"{_schema_dir()}/{kind.lower()}-{api}.json", KUBERNETES_VERSION)
    except FileNotFoundError:
        return None
    except utils.InvalidSchemaError as exc:
        raise CitygateError(f"schema for {api_version} {kind} is unusable: {exc}", "schema") from exc
    registry = SchemaResource.from_contents(schema) @ _registry()
    return jsonschema.Draft202012Validator(schema, registry=registry)


def _finding(resource: Resource, message: str) -> Finding:
    return Finding(
        id=RULE_ID,
        title=TITLE,
        severity=Severity.HIGH,
        status="fail",
        resource=resource.address,
        message=message,
        engine="schema",
        controls=list(CONTROLS),
        file=resource.file,
        fix="Correct the field name or move to an apiVersion the pinned Kubernetes version serves.",
    )


def validate(resource: Resource) -> Finding | None:
    """A finding for the first schema violation of one object, or None when it is valid (or a CRD)."""
    manifest: dict[str, Any] = resource.values
    api_version = str(manifest.get("apiVersion", ""))
    check = validator(api_version, resource.type)
    if check is None:
        if not is_builtin_api(api_version):
            return None
        return _finding(resource, f"{api_version} {resource.type} is not served by Kubernetes {KUBERNETES_VERSION}")
    error = next(iter(check.iter_errors(manifest)), None)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return _finding(resource, f"{where}: {error.message}")


def schema_findings(resources: list[Resource]) -> list[Finding]:
    return [f for r in resources if (f := validate(r)) is not None]
