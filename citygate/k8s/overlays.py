"""Write each environment's overlay (`workloads/overlays/<env>/kustomization.yaml`) from its stack.

Nothing in an overlay is typed by hand: role ARNs are the roles the synthesized stack makes to trust each
annotated service account, images are the stack's ECR repositories in the environment's declared account
(`stacks.config`), target groups, log group, cluster and VPC names and Airflow's secrets prefix are read from
the synthesized resources, and the EFS file system id (known only after apply) from the stack's outputs when they are given.  The image
digests are not the stack's to say: the release pipeline sets them, so they are kept from the committed overlay
(a new image starts from the base's).  Replica counts and autoscaling bounds come from `SCALE` below.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from citygate.errors import CitygateError
from citygate.k8s.irsa import ROLE_ARN_ANNOTATION, stack_roles
from citygate.k8s.kinds import POD_SPEC_PATHS, containers, pod_spec
from citygate.k8s.kustomize import render, split_image
from citygate.paths import WORKLOADS

BASE = WORKLOADS / "base"
LOADTEST = WORKLOADS / "base" / "loadtest"
SOURCE_ACCOUNT = "123456789012"  # the base's images and roles are the local (embedded AWS) environment's
SOURCE_REGISTRY = f"{SOURCE_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/citygate/local/"
SCALED = ("api", "web", "inference")  # the serving Deployments and their HorizontalPodAutoscalers
AIRFLOW_SECRET = "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_SECRET"  # name of its metadata DB secret, under config_prefix
AIRFLOW_BACKEND_KWARGS = "AIRFLOW__SECRETS__BACKEND_KWARGS"


@dataclass(frozen=True)
class Scale:
    replicas: int
    min_replicas: int
    max_replicas: int


SCALE = {
    "local": Scale(1, 1, 2),
    "dev": Scale(1, 1, 3),
    "staging": Scale(2, 2, 6),
    "prod": Scale(3, 3, 12),
}
# The staging-scale load test gates promotion to prod: only staging runs it.
EXTRA_BASES = {"staging": ("../../base/loadtest",)}


@dataclass(frozen=True)
class StackFacts:
    """What the overlay needs from one environment's synthesized stack."""

    env: str
    account_id: str
    region: str
    roles: Mapping[tuple[str, str], tuple[str, ...]]
    repositories: frozenset[str]
    target_groups: frozenset[str]
    cluster_name: str
    vpc_name: str
    container_log_group: str
    secret_names: frozenset[str]


def _single(resources: Mapping[str, Any], kind: str, key: str, field: str, synth_file: Path) -> str:
    value = (resources.get(kind) or {}).get(key) or {}
    found = value.get("tags", {}).get("Name") if field == "Name" else value.get(field)
    if not isinstance(found, str) or "${" in found:
        raise CitygateError(f"{kind}.{key} has no literal {field}", str(synth_file))
    return found


def stack_facts(env: str, account_id: str, synth_file: Path) -> StackFacts:
    """Read the values the overlay references out of the environment's cdk.tf.json."""
    try:
        document = json.loads(synth_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CitygateError(f"unreadable synthesized stack: {exc}", str(synth_file)) from exc
    resources = document.get("resource") or {}
    providers = (document.get("provider") or {}).get("aws") or [{}]
    return StackFacts(
        env=env,
        account_id=account_id,
        region=str(providers[0].get("region", "")),
        roles=stack_roles(synth_file).by_subject,
        repositories=frozenset(str(r.get("name")) for r in (resources.get("aws_ecr_repository") or {}).values()),
        target_groups=frozenset(str(r.get("name")) for r in (resources.get("aws_lb_target_group") or {}).values()),
        cluster_name=_single(resources, "aws_eks_cluster", "eks", "name", synth_file),
        vpc_name=_single(resources, "aws_vpc", "main", "Name", synth_file),
        container_log_group=_single(resources, "aws_cloudwatch_log_group", "containers", "name", synth_file),
        secret_names=frozenset(str(r.get("name")) for r in (resources.get("aws_secretsmanager_secret") or {}).values()),
    )


def _patch(kind: str, namespace: str | None, name: str, operations: list[tuple[str, Any]]) -> dict[str, Any]:
    target = {"kind": kind, **({"namespace": namespace} if namespace else {}), "name": name}
    ops = [{"op": "replace", "path": path, "value": value} for path, value in operations]
    return {"target": target, "patch": yaml.safe_dump(ops, sort_keys=False)}


def _role_patches(base: list[dict[str, Any]], facts: StackFacts) -> list[dict[str, Any]]:
    patches = []
    for manifest in base:
        metadata = manifest["metadata"]
        if manifest["kind"] != "ServiceAccount" or ROLE_ARN_ANNOTATION not in (metadata.get("annotations") or {}):
            continue
        subject = (metadata["namespace"], metadata["name"])
        trusted = facts.roles.get(subject, ())
        if len(trusted) != 1:
            raise CitygateError(
                f"the {facts.env} stack trusts {len(trusted)} roles for {subject[0]}:{subject[1]} (need one)",
                "overlays",
            )
        arn = f"arn:aws:iam::{facts.account_id}:role/{trusted[0]}"
        patches.append(_patch("ServiceAccount", subject[0], subject[1], [(_annotation_path(), arn)]))
    return patches


def _annotation_path() -> str:
    return "/metadata/annotations/" + ROLE_ARN_ANNOTATION.replace("~", "~0").replace("/", "~1")


def _images(base: list[dict[str, Any]], facts: StackFacts, digests: Mapping[str, str]) -> list[dict[str, str]]:
    registry = f"{facts.account_id}.dkr.ecr.{facts.region}.amazonaws.com"
    entries: dict[str, dict[str, str]] = {}
    for manifest in base:
        spec = pod_spec(manifest)
        for container in containers(spec) if spec else []:
            name, suffix = split_image(str(container.get("image", "")))
            if not name.startswith(SOURCE_REGISTRY):
                raise CitygateError(f"image {name} is not in the local registry the overlays rewrite", "overlays")
            repository = f"citygate/{facts.env}/{name.removeprefix(SOURCE_REGISTRY)}"
            if repository not in facts.repositories:
                raise CitygateError(f"the {facts.env} stack has no ECR repository {repository}", "overlays")
            digest = digests.get(name) or suffix.partition("@")[2]
            entries[name] = {"name": name, "newName": f"{registry}/{repository}", "digest": digest}
    return list(entries.values())


def _binding_patches(base: list[dict[str, Any]], facts: StackFacts) -> list[dict[str, Any]]:
    patches = []
    for manifest in base:
        if manifest["kind"] != "TargetGroupBinding":
            continue
        metadata = manifest["metadata"]
        group = f"citygate-{facts.env}-{metadata['name']}"
        if group not in facts.target_groups:
            raise CitygateError(f"the {facts.env} stack has no target group {group}", "overlays")
        patches.append(
            _patch("TargetGroupBinding", metadata["namespace"], metadata["name"], [("/spec/targetGroupName", group)])
        )
    return patches


def _platform_patches(facts: StackFacts, file_system_id: str | None) -> list[dict[str, Any]]:
    args = "/spec/template/spec/containers/0/args"
    patches = [
        _patch(
            "DaemonSet",
            "kube-system",
            "fluent-bit",
            [
                ("/spec/template/spec/containers/0/env/0/value", facts.region),
                ("/spec/template/spec/containers/0/env/1/value", facts.container_log_group),
            ],
        ),
        _patch(
            "Deployment",
            "kube-system",
            "aws-load-balancer-controller",
            [
                (f"{args}/0", f"--cluster-name={facts.cluster_name}"),
                (f"{args}/1", f"--aws-region={facts.region}"),
                (f"{args}/2", f"--aws-vpc-tags=Name={facts.vpc_name}"),
            ],
        ),
    ]
    if file_system_id:
        patches.append(
            {
                "target": {"kind": "StorageClass", "name": "efs-shared"},
                "patch": yaml.safe_dump(
                    [{"op": "add", "path": "/parameters/fileSystemId", "value": file_system_id}], sort_keys=False
                ),
            }
        )
    return patches


def _airflow_patches(base: list[dict[str, Any]], facts: StackFacts) -> list[dict[str, Any]]:
    """Point each Airflow container's Secrets Manager backend at this environment's secret prefix."""
    patches = []
    for manifest in base:
        spec = pod_spec(manifest)
        for index, container in enumerate((spec or {}).get("containers") or []):
            env = {str(e.get("name")): position for position, e in enumerate(container.get("env") or [])}
            if AIRFLOW_BACKEND_KWARGS not in env:
                continue
            values = container["env"]
            suffix = f"/{values[env[AIRFLOW_SECRET]]['value']}" if AIRFLOW_SECRET in env else ""
            prefixes = [n.removesuffix(suffix) for n in facts.secret_names if suffix and n.endswith(suffix)]
            if len(prefixes) != 1:
                raise CitygateError(
                    f"the {facts.env} stack has {len(prefixes)} secrets named *{suffix} (need one)", "overlays"
                )
            kwargs = {**json.loads(values[env[AIRFLOW_BACKEND_KWARGS]]["value"]), "config_prefix": prefixes[0]}
            pod = "/".join(POD_SPEC_PATHS[manifest["kind"]])
            path = f"/{pod}/containers/{index}/env/{env[AIRFLOW_BACKEND_KWARGS]}/value"
            metadata = manifest["metadata"]
            patches.append(
                _patch(manifest["kind"], metadata["namespace"], metadata["name"], [(path, json.dumps(kwargs))])
            )
    return patches


def _scale_patches(scale: Scale) -> list[dict[str, Any]]:
    return [
        _patch(
            "HorizontalPodAutoscaler",
            "production",
            name,
            [("/spec/minReplicas", scale.min_replicas), ("/spec/maxReplicas", scale.max_replicas)],
        )
        for name in SCALED
    ]


def committed_digests(overlay: Path) -> dict[str, str]:
    """Image name -> digest the release pipeline wrote into the committed overlay (empty when none)."""
    kfile = overlay / "kustomization.yaml"
    if not kfile.is_file():
        return {}
    spec = yaml.safe_load(kfile.read_text(encoding="utf-8")) or {}
    return {str(e["name"]): str(e["digest"]) for e in spec.get("images") or [] if e.get("digest")}


def overlay(facts: StackFacts, digests: Mapping[str, str], file_system_id: str | None = None) -> dict[str, Any]:
    """The kustomization of `facts.env`, as a mapping."""
    bases = EXTRA_BASES.get(facts.env, ())
    rendered = [d.manifest for d in render(BASE)]
    with_extras = rendered + [d.manifest for b in bases for d in render(WORKLOADS / "overlays" / facts.env / b)]
    scale = SCALE[facts.env]
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": ["../../base", *bases],
        "labels": [{"pairs": {"citygate.io/environment": facts.env}}],
        "images": _images(with_extras, facts, digests),
        "replicas": [{"name": name, "count": scale.replicas} for name in SCALED],
        "patches": [
            *_role_patches(with_extras, facts),
            *_binding_patches(rendered, facts),
            *_platform_patches(facts, file_system_id),
            *_airflow_patches(rendered, facts),
            *_scale_patches(scale),
        ],
    }


class _Literal(str):
    """A string written as a YAML block (the patches), so the overlay reads like a hand-written one."""


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Literal, _literal)


def render_overlay(facts: StackFacts, digests: Mapping[str, str], file_system_id: str | None = None) -> str:
    """The overlay file's text: a header saying where every value comes from, then the kustomization."""
    spec = overlay(facts, digests, file_system_id)
    for entry in spec["patches"]:
        entry["patch"] = _Literal(entry["patch"])
    header = (
        f"# {facts.env}: account {facts.account_id}, region {facts.region}. Written by"
        f" `python main.py overlays --env {facts.env}`\n"
        "# from the synthesized stack (roles, repositories, target groups, names) and stacks/config.py (account);\n"
        "# do not edit by hand. Image digests are the release pipeline's (`kustomize edit set image`) and are kept.\n"
    )
    return header + yaml.dump(spec, Dumper=_Dumper, sort_keys=False, width=120)


def read_outputs(path: Path) -> dict[str, Any]:
    """`terraform output -json` of the environment: {name: {"value": ...}} -> {name: value}."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CitygateError(f"unreadable stack outputs: {exc}", str(path)) from exc
    if not isinstance(raw, dict):
        raise CitygateError("stack outputs are not a JSON object", str(path))
    return {name: (entry.get("value") if isinstance(entry, dict) else entry) for name, entry in raw.items()}


def generate(env: str, synth_file: Path, outputs: Path | None = None) -> str:
    """The overlay text of `env` from its synthesized stack (and, when given, its applied stack's outputs)."""
    from stacks.config import environment  # the declared account; importing the stacks starts jsii only once

    facts = stack_facts(env, environment(env).account_id, synth_file)
    file_system_id = None
    if outputs is not None:
        file_system_id = str(read_outputs(outputs).get("efs_file_system_id") or "") or None
        if file_system_id is None:
            raise CitygateError("the stack outputs hold no efs_file_system_id", str(outputs))
    return render_overlay(facts, committed_digests(WORKLOADS / "overlays" / env), file_system_id)
