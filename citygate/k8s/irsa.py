"""IRSA cross-check: a ServiceAccount's role ARN and the IAM role trusting it must never drift apart.

The synthesized stack of the environment (cdk.tf.json) is the source of truth: each `aws_iam_role`
whose trust policy names `system:serviceaccount:NS:NAME` belongs to that service account.  A service
account annotated with a role the stack does not make trust it, or a platform namespace missing the
annotated service account a role was made for, is a finding (CG_K8S_012).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError
from citygate.findings import Finding, FixedRule
from citygate.k8s.kinds import address
from citygate.model import Resource
from citygate.paths import SYNTH_OUT

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
ENVIRONMENT_LABEL = "citygate.io/environment"
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]+)$")
SUBJECT = re.compile(r"system:serviceaccount:([a-z0-9.-]+):([a-z0-9.-]+)")
POLICY_DOCUMENT_REF = re.compile(r"\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}")
RULE_ID = "CG_K8S_012"
TITLE = "Service account role ARN matches the IAM role that trusts it"

SynthLocator = Callable[[str], Path]


@dataclass(frozen=True)
class StackRoles:
    """Role names by the service account (namespace, name) their trust policy admits."""

    by_subject: dict[tuple[str, str], tuple[str, ...]]


def default_synth_file(env: str) -> Path:
    """The environment's cdk.tf.json in the synth output folder, synthesized first when missing."""
    synth_file = SYNTH_OUT / "stacks" / f"citygate-{env}" / "cdk.tf.json"
    if not synth_file.is_file():
        try:
            from stacks import synthesize
        except ImportError as exc:
            raise CitygateError(f"cannot synthesize {env} for the IRSA cross-check: {exc}", "irsa") from exc
        synth_file = synthesize([env], SYNTH_OUT)[env]
    return synth_file


def _literal_name(value: Any, where: str) -> str:
    if not isinstance(value, str) or "${" in value:
        raise CitygateError(f"IAM role {where} has no literal name to cross-check", "irsa")
    return value


@cache
def stack_roles(synth_file: Path) -> StackRoles:
    try:
        document = json.loads(synth_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CitygateError(f"unreadable synthesized stack: {exc}", str(synth_file)) from exc
    policy_docs = (document.get("data") or {}).get("aws_iam_policy_document") or {}
    by_subject: dict[tuple[str, str], list[str]] = {}
    for logical_id, role in ((document.get("resource") or {}).get("aws_iam_role") or {}).items():
        trust = str(role.get("assume_role_policy", ""))
        for ref in POLICY_DOCUMENT_REF.findall(trust):
            trust += json.dumps(policy_docs.get(ref, {}))
        subjects = set(SUBJECT.findall(trust))
        if subjects:
            name = _literal_name(role.get("name"), logical_id)
            for subject in subjects:
                by_subject.setdefault(subject, []).append(name)
    return StackRoles({k: tuple(sorted(v)) for k, v in by_subject.items()})


_RULE = FixedRule(
    RULE_ID,
    TITLE,
    "irsa",
    controls=("CG-K8S-9",),
    fix="Annotate the service account with the ARN of the stack's IRSA role for it (see the stack outputs).",
)
_finding = _RULE.finding


def bundle_environment(bundle: str, environments: tuple[str, ...], fallback: str) -> str:
    """The environment a bundle deploys to: its overlay folder's name, else the inventory's."""
    name = Path(bundle).name
    return name if name in environments else fallback


def cross_check(
    resources: list[Resource], env: str, platform_namespaces: set[str], locate: SynthLocator = default_synth_file
) -> list[Finding]:
    """Findings for one bundle whose objects deploy to `env` ("" when unknown)."""
    annotated = [
        r
        for r in resources
        if r.type == "ServiceAccount" and ROLE_ARN_ANNOTATION in (r.values["metadata"].get("annotations") or {})
    ]
    if not annotated and not platform_namespaces:
        return []
    env = env or next((str(r.values["metadata"].get("labels", {}).get(ENVIRONMENT_LABEL, "")) for r in annotated), "")
    if not env:
        return [
            _finding(r.address, "cannot cross-check the role: the environment is unknown", r.file) for r in annotated
        ]
    roles = stack_roles(locate(env)).by_subject
    findings = []
    seen: set[tuple[str, str]] = set()
    for sa in annotated:
        subject = (sa.values["metadata"]["namespace"], sa.name)
        seen.add(subject)
        arn = str(sa.values["metadata"]["annotations"][ROLE_ARN_ANNOTATION])
        match = ROLE_ARN.match(arn)
        trusted = roles.get(subject, ())
        if match is None or match["name"] not in trusted:
            wanted = ", ".join(trusted) or "no role"
            findings.append(
                _finding(
                    sa.address,
                    f"annotated {arn}, but in {env} the stack trusts {wanted} for {subject[0]}:{subject[1]}",
                    sa.file,
                )
            )
    for (namespace, name), trusted in sorted(roles.items()):
        if namespace in platform_namespaces and (namespace, name) not in seen:
            findings.append(
                _finding(
                    address("ServiceAccount", name, namespace),
                    f"the stack's role {', '.join(trusted)} trusts {namespace}:{name}, but no such annotated service account exists",
                    "",
                )
            )
    return findings


def synth_locator(files: Mapping[str, Path]) -> SynthLocator:
    """A locator over already-synthesized files (tests pass the session's synth output)."""

    def locate(env: str) -> Path:
        if env not in files:
            raise CitygateError(f"no synthesized stack for environment {env!r}", "irsa")
        return files[env]

    return locate
