"""Strict schema validation of manifests against one pinned Kubernetes version (kubernetes-validate).

Strict mode turns a misspelt field into a finding instead of a silently dropped setting; a built-in
kind whose apiVersion the pinned version no longer serves (extensions/v1beta1 Ingress,
policy/v1beta1 PodDisruptionBudget) is a finding too.  Custom resources (cert-manager.io, ...) have
no schema here and are left to their CRD's own validation.
"""

from __future__ import annotations

import kubernetes_validate

from citygate.errors import CitygateError
from citygate.findings import Finding, Severity
from citygate.model import Resource

# The EKS version the platform runs; manifests must be valid for exactly this API.
KUBERNETES_VERSION = "1.32"
RULE_ID = "CG-K8S-030"
TITLE = f"Manifest is valid for Kubernetes {KUBERNETES_VERSION} (strict schema)"
CONTROLS = ["CG-K8S-15"]


def is_builtin_api(api_version: str) -> bool:
    """Core groups have no dot in their name or end in .k8s.io; everything else is a CRD's group."""
    group = api_version.split("/")[0] if "/" in api_version else ""
    return "." not in group or group.endswith(".k8s.io")


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
    api_version = str(resource.values.get("apiVersion", ""))
    try:
        kubernetes_validate.validate(resource.values, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.SchemaNotFoundError:
        if not is_builtin_api(api_version):
            return None
        return _finding(resource, f"{api_version} {resource.type} is not served by Kubernetes {KUBERNETES_VERSION}")
    except kubernetes_validate.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        return _finding(resource, f"{where}: {exc.message}")
    except kubernetes_validate.utils.InvalidSchemaError as exc:
        raise CitygateError(f"schema for {api_version} {resource.type} is unusable: {exc}", "schema") from exc
    return None


def schema_findings(resources: list[Resource]) -> list[Finding]:
    return [f for r in resources if (f := validate(r)) is not None]
