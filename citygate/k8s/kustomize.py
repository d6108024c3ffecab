"""Render a Kustomize overlay in Python: the subset this project's overlays use, exactly as kustomize does.

Supported kustomization fields: `resources` (files and directories with their own kustomization),
`labels` (without selectors), `images` (newName / newTag / digest), `replicas` and `patches` in
JSON 6902 form with a `target`.  Anything else (remote bases, generators, strategic-merge patches) is
refused with a CitygateError rather than silently rendered differently from `kubectl apply -k`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonpatch
import yaml

from citygate.errors import CitygateError
from citygate.k8s.documents import Document, SafeLoader, read_manifests, read_yaml_mapping
from citygate.k8s.kinds import containers, pod_spec, pod_template_metadata

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
SUPPORTED_FIELDS = frozenset({"apiVersion", "kind", "resources", "labels", "images", "replicas", "patches"})
SCALABLE_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})


def kustomization_file(directory: Path) -> Path | None:
    """The kustomization file of a directory, or None when it is not a kustomization."""
    for name in KUSTOMIZATION_FILES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def _load_spec(directory: Path) -> tuple[Path, dict[str, Any]]:
    kfile = kustomization_file(directory)
    if kfile is None:
        raise CitygateError("directory has no kustomization.yaml", str(directory))
    spec = read_yaml_mapping(kfile)
    unsupported = sorted(set(spec) - SUPPORTED_FIELDS)
    if unsupported:
        raise CitygateError(f"unsupported kustomization field(s): {', '.join(unsupported)}", str(kfile))
    return kfile, spec


def _resource_paths(directory: Path, spec: dict[str, Any], kfile: Path) -> Iterator[Path]:
    for entry in spec.get("resources") or []:
        if not isinstance(entry, str) or "://" in entry or entry.startswith(("github.com/", "git@")):
            raise CitygateError(f"only local resources are supported, got {entry!r}", str(kfile))
        target = (directory / entry).resolve()
        if not target.exists():
            raise CitygateError(f"resource {entry!r} does not exist", str(kfile))
        yield target


def referenced_directories(directory: Path) -> set[Path]:
    """Every directory a kustomization pulls in, transitively (its bases)."""
    kfile, spec = _load_spec(directory)
    found: set[Path] = set()
    for target in _resource_paths(directory, spec, kfile):
        if target.is_dir():
            found |= {target, *referenced_directories(target)}
    return found


def render(directory: Path, _seen: tuple[Path, ...] = ()) -> list[Document]:
    """The objects `kubectl apply -k directory` would apply, in order."""
    directory = directory.resolve()
    if directory in _seen:
        raise CitygateError("kustomization includes itself", str(directory))
    kfile, spec = _load_spec(directory)
    docs: list[Document] = []
    for target in _resource_paths(directory, spec, kfile):
        docs.extend(render(target, (*_seen, directory)) if target.is_dir() else read_manifests(target))
    _apply_labels(docs, spec.get("labels") or [], kfile)
    _apply_images(docs, spec.get("images") or [])
    _apply_replicas(docs, spec.get("replicas") or [], kfile)
    _apply_patches(docs, spec.get("patches") or [], directory, kfile)
    return docs


def _apply_labels(docs: list[Document], entries: list[dict[str, Any]], kfile: Path) -> None:
    for entry in entries:
        if entry.get("includeSelectors"):
            raise CitygateError("labels with includeSelectors are not supported", str(kfile))
        pairs = {str(k): str(v) for k, v in (entry.get("pairs") or {}).items()}
        for doc in docs:
            doc.manifest.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
            if entry.get("includeTemplates") and pod_spec(doc.manifest) is not None:
                template_meta = pod_template_metadata(doc.manifest)
                template_meta.setdefault("labels", {}).update(pairs)


def split_image(image: str) -> tuple[str, str]:
    """`registry/repo:tag@sha256:..` -> (`registry/repo`, `:tag@sha256:..`): the name kustomize matches on."""
    name, at, digest = image.partition("@")
    last_colon = name.rfind(":")
    if last_colon > name.rfind("/"):
        name, suffix = name[:last_colon], name[last_colon:]
    else:
        suffix = ""
    return name, suffix + at + digest


def _apply_images(docs: list[Document], entries: list[dict[str, Any]]) -> None:
    rules = {str(e["name"]): e for e in entries}
    for doc in docs:
        spec = pod_spec(doc.manifest)
        for container in containers(spec) if spec else []:
            name, suffix = split_image(str(container.get("image", "")))
            rule = rules.get(name)
            if rule is None:
                continue
            if rule.get("digest"):
                suffix = f"@{rule['digest']}"
            elif rule.get("newTag"):
                suffix = f":{rule['newTag']}"
            container["image"] = f"{rule.get('newName', name)}{suffix}"


def _apply_replicas(docs: list[Document], entries: list[dict[str, Any]], kfile: Path) -> None:
    for entry in entries:
        targets = [
            d for d in docs if d.manifest["kind"] in SCALABLE_KINDS and d.manifest["metadata"]["name"] == entry["name"]
        ]
        if not targets:
            raise CitygateError(f"replicas: no workload named {entry['name']!r}", str(kfile))
        for doc in targets:
            doc.manifest.setdefault("spec", {})["replicas"] = int(entry["count"])


def _matches(manifest: dict[str, Any], target: dict[str, Any]) -> bool:
    metadata = manifest["metadata"]
    return all(
        (
            target.get("kind") in (None, manifest["kind"]),
            target.get("name") in (None, metadata["name"]),
            target.get("namespace") in (None, metadata.get("namespace")),
        )
    )


def _apply_patches(docs: list[Document], entries: list[dict[str, Any]], directory: Path, kfile: Path) -> None:
    for entry in entries:
        target = entry.get("target")
        if not isinstance(target, dict):
            raise CitygateError("only JSON 6902 patches with a target are supported", str(kfile))
        if "patch" in entry:
            text = str(entry["patch"])
        elif "path" in entry:
            text = (directory / str(entry["path"])).read_text(encoding="utf-8")
        else:
            raise CitygateError("a patch needs `patch` or `path`", str(kfile))
        operations = yaml.load(text, Loader=SafeLoader)
        if not isinstance(operations, list):
            raise CitygateError("strategic-merge patches are not supported; use JSON 6902 operations", str(kfile))
        matched = [d for d in docs if _matches(d.manifest, target)]
        if not matched:
            raise CitygateError(f"patch target matches nothing: {target}", str(kfile))
        for doc in matched:
            try:
                doc.manifest = jsonpatch.apply_patch(doc.manifest, operations)
            except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
                raise CitygateError(f"patch failed on {doc.manifest['metadata']['name']}: {exc}", str(kfile)) from exc
