"""Pin workload images to the digests the release pipeline built, scanned and pushed.

The release records one file per image (`digests/inference` holds `REGISTRY/citygate/staging/inference@sha256:…`).
Every container whose repository is named like that image gets the recorded digest in its own repository: the
overlay decides where an environment pulls from, the pipeline decides which bytes, so the digest promoted to an
environment is the one that was scanned. A record that is not a digest reference, or that no container uses, is
an error: the pipeline and the overlays disagree, and guessing would deploy something nobody scanned. A record of an
image that another environment's overlay runs (the release's `loadtest`, which only staging runs) is left out of
this environment's deploy and said so: one release record serves every environment it is promoted to.
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
    return {name: reference.rsplit("@", 1)[1] for name, reference in read_records(folder).items()}


def read_records(folder: Path) -> dict[str, str]:
    """Image name (the record's file name) -> the recorded `REGISTRY/…/<name>@sha256:…` reference."""
    if not folder.is_dir():
        raise CitygateError("not a folder of image digest records", str(folder))
    records = {}
    for record in sorted(path for path in folder.iterdir() if path.is_file()):
        reference = record.read_text(encoding="utf-8").strip()
        match = DIGEST_REFERENCE.match(reference)
        if not match or image_name(split_image(reference)[0]) != record.name:
            raise CitygateError(f"expected REGISTRY/…/{record.name}@sha256:<64 hex>, got {reference!r}", str(record))
        records[record.name] = reference
    if not records:
        raise CitygateError("no image digest records", str(folder))
    return records


def write_records(folder: Path, references: dict[str, str]) -> None:
    """One record per image, as the release writes them (read back by `read_records`)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, reference in references.items():
        (folder / name).write_text(reference + "\n", encoding="utf-8")


def image_name(repository: str) -> str:
    """`registry/citygate/staging/inference` -> `inference`: what a digest record is named after."""
    return repository.rsplit("/", 1)[-1]


def pin_images(inventory: Inventory, digests: dict[str, str], run_elsewhere: frozenset[str] = frozenset()) -> int:
    """Point every container of a recorded image at the recorded digest; return how many were pinned.

    `run_elsewhere`: images other environments' overlays run; their records may go unused here.
    """
    pinned = dict.fromkeys(digests, 0)
    for resource in inventory.resources:
        spec = pod_spec(resource.values)
        for container in containers(spec) if spec else []:
            repo, _ = split_image(str(container.get("image", "")))
            name = image_name(repo)
            if name in digests:
                container["image"] = f"{repo}@{digests[name]}"
                pinned[name] += 1
    unused = sorted(name for name, count in pinned.items() if not count and name not in run_elsewhere)
    if unused:
        raise CitygateError(f"no container runs the recorded image(s) {', '.join(unused)}", inventory.origin)
    return sum(pinned.values())


def images_run(inventory: Inventory) -> frozenset[str]:
    """The image names (digest record names) the containers of `inventory` run."""
    return frozenset(
        image_name(split_image(str(container.get("image", "")))[0])
        for resource in inventory.resources
        if (spec := pod_spec(resource.values))
        for container in containers(spec)
    )
