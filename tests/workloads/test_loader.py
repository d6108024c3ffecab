"""Loading manifests: addresses, bundles, Kustomize rendering, and failing closed on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from citygate.errors import CitygateError
from citygate.k8s import load_manifests, write_rendered
from citygate.k8s.kustomize import split_image
from citygate.paths import WORKLOADS

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers: [{name: app, image: "registry.example/app:1.0"}]
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_addresses_namespaced_and_cluster_scoped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "m.yaml",
        DEPLOYMENT + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n---\n"
        "apiVersion: v1\nkind: RoleList\nitems:\n- {apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: r, namespace: prod}}\n",
    )
    inventory = load_manifests(path)
    assert inventory.kind == "kubernetes"
    assert [r.address for r in inventory.resources] == ["Deployment/default/app", "Namespace/prod", "Role/prod/r"]
    assert {r.module for r in inventory.resources} == {str(path)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: ConfigMap\nmetadata: {name: x\n", "unparseable YAML"),
        ("- a\n- b\n", "not a Kubernetes object"),
        ("kind: ConfigMap\nmetadata: {name: x}\n", "needs both apiVersion and kind"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "without metadata.name"),
    ],
)
def test_bad_input_is_an_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CitygateError, match=message):
        load_manifests(write(tmp_path, "bad.yaml", text))


def test_missing_and_empty_paths_are_errors(tmp_path: Path) -> None:
    with pytest.raises(CitygateError, match="no such file"):
        load_manifests(tmp_path / "absent")
    write(tmp_path, "settings.yaml", "just: settings\n")
    with pytest.raises(CitygateError, match="no Kubernetes objects"):
        load_manifests(tmp_path)


def kustomization(directory: Path, spec: dict[str, object]) -> Path:
    return write(directory, "kustomization.yaml", yaml.safe_dump({"kind": "Kustomization", **spec}))


def test_kustomize_overlay(tmp_path: Path) -> None:
    write(tmp_path, "base/app.yaml", DEPLOYMENT)
    kustomization(tmp_path / "base", {"resources": ["app.yaml"]})
    kustomization(
        tmp_path / "overlays/prod",
        {
            "resources": ["../../base"],
            "labels": [{"pairs": {"env": "prod"}, "includeTemplates": True}],
            "images": [{"name": "registry.example/app", "newName": "ecr.example/app", "digest": "sha256:abc"}],
            "replicas": [{"name": "app", "count": 3}],
            "patches": [
                {
                    "target": {"kind": "Deployment", "name": "app"},
                    "patch": "- {op: add, path: /metadata/namespace, value: prod}",
                }
            ],
        },
    )
    inventory = load_manifests(tmp_path)  # the base is used by the overlay, so only the overlay is a bundle
    (app,) = inventory.resources
    assert app.address == "Deployment/prod/app"
    assert app.module.endswith("overlays/prod")
    assert app.values["spec"]["replicas"] == 3
    assert app.values["metadata"]["labels"] == {"env": "prod"}
    assert app.values["spec"]["template"]["metadata"]["labels"] == {"app": "app", "env": "prod"}
    assert app.values["spec"]["template"]["spec"]["containers"][0]["image"] == "ecr.example/app@sha256:abc"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"resources": ["app.yaml"], "configMapGenerator": []}, "unsupported kustomization field"),
        ({"resources": ["https://github.com/x/y"]}, "only local resources"),
        ({"resources": ["missing.yaml"]}, "does not exist"),
        ({"resources": ["app.yaml"], "patches": [{"target": {"kind": "Service"}, "patch": "[]"}]}, "matches nothing"),
        (
            {"resources": ["app.yaml"], "patches": [{"target": {"kind": "Deployment"}, "patch": "spec: {}"}]},
            "strategic-merge",
        ),
        ({"resources": ["app.yaml"], "patches": [{"patch": "[]"}]}, "with a target"),
        ({"resources": ["app.yaml"], "replicas": [{"name": "other", "count": 1}]}, "no workload named"),
        (
            {
                "resources": ["app.yaml"],
                "patches": [{"target": {"kind": "Deployment"}, "patch": "- {op: remove, path: /nope}"}],
            },
            "patch failed",
        ),
    ],
)
def test_kustomize_refuses_what_it_cannot_render_exactly(tmp_path: Path, spec: dict[str, object], message: str) -> None:
    write(tmp_path, "app.yaml", DEPLOYMENT)
    kustomization(tmp_path, spec)
    with pytest.raises(CitygateError, match=message):
        load_manifests(tmp_path)


@pytest.mark.parametrize(
    ("image", "parts"),
    [
        ("api", ("api", "")),
        ("registry:5000/team/api:1.2", ("registry:5000/team/api", ":1.2")),
        ("repo/api@sha256:ab", ("repo/api", "@sha256:ab")),
        ("repo/api:1@sha256:ab", ("repo/api", ":1@sha256:ab")),
    ],
)
def test_split_image(image: str, parts: tuple[str, str]) -> None:
    assert split_image(image) == parts


def test_workloads_folder_renders_every_overlay() -> None:
    inventory = load_manifests(WORKLOADS)
    bundles = {r.module for r in inventory.resources}
    assert {Path(b).name for b in bundles} == {"local", "dev", "staging", "prod"}


def test_write_rendered_is_plain_yaml(tmp_path: Path) -> None:
    inventory = load_manifests(WORKLOADS / "overlays" / "dev")
    out = write_rendered(inventory, tmp_path / "rendered")
    (file,) = out.iterdir()
    again = load_manifests(file)
    assert [r.values for r in again.resources] == [r.values for r in inventory.resources]
