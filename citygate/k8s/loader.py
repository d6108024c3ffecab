"""`load_manifests(path)`: Kubernetes YAML files, folders and Kustomize overlays -> one Inventory.

A folder is walked: each top-level kustomization under it (one that no other kustomization uses as a
base) is rendered as a unit, and loose YAML files are read as they are.  Every object becomes a
`Resource` addressed `Kind/namespace/name` (`Kind/name` when cluster-scoped); `module` names the
bundle it belongs to (the overlay folder, or the file for loose manifests) so that per-namespace
checks and the reachability analysis never mix two environments' objects.
"""

from __future__ import annotations

import os
from pathlib import Path

from citygate.errors import CitygateError
from citygate.k8s import kustomize
from citygate.k8s.documents import YAML_SUFFIXES, Document, read_manifests
from citygate.k8s.kinds import DEFAULT_NAMESPACE, address, is_namespaced
from citygate.model import Inventory, Resource


def _display(path: Path) -> str:
    """A path relative to the working directory when it lies under it (stable in reports)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _bundles(root: Path) -> list[tuple[str, list[Document]]]:
    """(bundle name, documents) for every top-level kustomization and loose file under `root`."""
    if root.is_file():
        if root.name in kustomize.KUSTOMIZATION_FILES:
            return [(_display(root.parent), kustomize.render(root.parent))]
        return [(_display(root), read_manifests(root))]
    if kustomize.kustomization_file(root):
        return [(_display(root), kustomize.render(root))]
    overlays: list[Path] = []
    loose: list[Path] = []
    for current, dirnames, filenames in os.walk(root):
        here = Path(current)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        if kustomize.kustomization_file(here):
            overlays.append(here.resolve())
            dirnames[:] = []  # its files belong to the kustomization
            continue
        loose.extend(here / f for f in sorted(filenames) if f.endswith(YAML_SUFFIXES))
    bases = {d for overlay in overlays for d in kustomize.referenced_directories(overlay)}
    bundles = [(_display(o), kustomize.render(o)) for o in overlays if o not in bases]
    bundles.extend((_display(f), read_manifests(f)) for f in loose)
    return [(name, docs) for name, docs in bundles if docs]


def to_resource(doc: Document, bundle: str, index: int) -> Resource:
    manifest = doc.manifest
    kind = manifest["kind"]
    metadata = manifest["metadata"]
    if is_namespaced(kind):
        metadata.setdefault("namespace", DEFAULT_NAMESPACE)  # what kubectl does with no namespace given
    return Resource(
        address=address(kind, metadata["name"], metadata.get("namespace")),
        type=kind,
        name=metadata["name"],
        values=manifest,
        module=bundle,
        index=index,
        provider=str(manifest["apiVersion"]),
        file=_display(doc.file),
    )


def load_manifests(path: str | Path, environment: str = "") -> Inventory:
    """Every Kubernetes object under `path`; CitygateError on a missing path, bad YAML or no objects."""
    root = Path(path)
    if not root.exists():
        raise CitygateError("no such file or directory", str(path))
    resources = [to_resource(doc, bundle, index) for bundle, docs in _bundles(root) for index, doc in enumerate(docs)]
    if not resources:
        raise CitygateError("no Kubernetes objects found", str(path))
    return Inventory(
        kind="kubernetes", source="manifests", resources=resources, origin=str(path), environment=environment
    )
