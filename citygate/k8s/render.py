"""Rendered manifests on disk: each bundle as one plain multi-document YAML file.

External scanners (Checkov, Trivy) and `kubectl apply -f` read files, not an Inventory; an overlay's
base files alone still hold the overlay's placeholders, so scanners must read what was rendered.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from citygate.k8s.engines import bundles
from citygate.model import Inventory


def bundle_file_name(bundle: str) -> str:
    """`workloads/overlays/prod` -> `workloads__overlays__prod.yaml`."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "__", bundle.strip("/")).strip("_") or "manifests"
    return stem if stem.endswith((".yaml", ".yml")) else f"{stem}.yaml"


def write_rendered(inventory: Inventory, outdir: Path) -> Path:
    """Write every bundle of `inventory` under `outdir` (created) and return `outdir`."""
    outdir.mkdir(parents=True, exist_ok=True)
    for bundle, resources in bundles(inventory).items():
        text = yaml.safe_dump_all([r.values for r in resources], sort_keys=False)
        (outdir / bundle_file_name(bundle)).write_text(text, encoding="utf-8")
    return outdir
