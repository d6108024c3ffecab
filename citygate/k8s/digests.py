"""Pin workload images to the digests the release pipeline built, scanned and pushed.

The release records one file per image (`digests/inference` holds `REGISTRY/citygate/staging/inference@sha256:…`).
Every container whose repository is named like that image gets the recorded digest in its own repository: the
overlay decides where an environment pulls from, the pipeline decides which bytes, so the digest promoted to an
environment is the one that was scanned. A record that is not a digest reference, or that no container uses, is
an error: the pipeline and the overlay disagree, and guessing would deploy something nobody scanned.
"""

from __future__ import annotations

import re
from pathlib import Path

from citygate.errors import CitygateError
from citygate.k8s.kinds import containers, pod_spec
from citygate.k8s.kustomize import split_image
from citygate.model import Inventory

DIGEST_REFERENCE = re.compile(r"^[\w.:-]+(?:/[\w.-]+)+@(?P<digest>sha256:[0-9a-f]{64})$")


def read_digests(folder: Path) -> dict[str, str]:
    """Image name (the record's file name) -> its recorded digest."""
    if not folder.is_dir():
        raise CitygateError("not a folder of image digest records", str(folder))
    digests = {}
    for record in sorted(path for path in folder.iterdir() if path.is_file()):
        reference = record.read_text(encoding="utf-8").strip()
        match = DIGEST_REFERENCE.match(reference)
        if not match or image_name(split_image(reference)[0]) != record.name:
            raise CitygateError(f"expected REGISTRY/…/{record.name}@sha256:<64 hex>, got {reference!r}", str(record))
        digests[record.name] = match["digest"]
    if not digests:
        raise CitygateError("no image digest records", str(folder))
    return digests


def image_name(repository: str) -> str:
    """`registry/citygate/staging/inference` -> `inference`: what a digest record is named after."""
    return repository.rsplit("/", 1)[-1]


def pin_images(inventory: Inventory, digests: dict[str, str]) -> int:
    """Point every container of a recorded image at the recorded digest; return how many were pinned."""
    pinned = dict.fromkeys(digests, 0)
    for resource in inventory.resources:
        spec = pod_spec(resource.values)
        for container in containers(spec) if spec else []:
            repo, _ = split_image(str(container.get("image", "")))
            name = image_name(repo)
            if name in digests:
                container["image"] = f"{repo}@{digests[name]}"
                pinned[name] += 1
    unused = sorted(name for name, count in pinned.items() if not count)
    if unused:
        raise CitygateError(f"no container runs the recorded image(s) {', '.join(unused)}", inventory.origin)
    return sum(pinned.values())
