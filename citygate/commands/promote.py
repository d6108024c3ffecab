"""`promote-images --from staging --to prod --image-digests DIR --out DIR`: the same bytes, in the next registry.

Build once, promote the digest: the release pushes and scans each image into `citygate/staging/<image>`; prod
pulls only from `citygate/prod/<image>` (its overlay names it). ECR replication cannot rename a repository, so the
promotion is an explicit copy through the registry API: every layer the destination lacks is downloaded from the
source and uploaded, then the very manifest is put, so the digest in prod is the digest that was scanned. A copy
whose digest differs, or that the destination does not then list, fails closed; the promoted records (`--out`)
name the destination, and `deploy --env prod --image-digests` pins exactly them.
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import click

from citygate.environments import ENVIRONMENTS
from citygate.errors import EXIT_CLEAN, CitygateError

PROJECT = "citygate"
ECR_HOST = re.compile(r"^(?P<registry>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com$")
# Manifest kinds whose entries are other manifests (buildx pushes an index: the image and its attestations).
INDEX_TYPES = ("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json")
MANIFEST_TYPES = (
    *INDEX_TYPES,
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
DOWNLOAD_TIMEOUT = 300  # seconds for one layer


@dataclass(frozen=True)
class Image:
    """One image in one ECR repository, by digest."""

    registry: str
    region: str
    repository: str
    digest: str

    @classmethod
    def parse(cls, reference: str) -> Image:
        """`<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:…`; anything else is not promotable."""
        location, _, digest = reference.partition("@")
        host, _, repository = location.partition("/")
        match = ECR_HOST.match(host)
        if not match or not repository or not digest:
            raise CitygateError(f"not an ECR image reference by digest: {reference!r}", "promote-images")
        return cls(match["registry"], match["region"], repository, digest)

    @property
    def reference(self) -> str:
        return f"{self.registry}.dkr.ecr.{self.region}.amazonaws.com/{self.repository}@{self.digest}"

    def id(self) -> dict[str, Any]:
        return {"registryId": self.registry, "repositoryName": self.repository}


def copy_image(ecr: Any, source: Image, target: Image) -> None:
    """Copy `source` (and, for an index, every manifest it lists) into `target`'s repository, digest unchanged."""
    manifest, media_type = _manifest(ecr, source)
    document = json.loads(manifest)
    if media_type in INDEX_TYPES:
        for entry in document.get("manifests", []):
            child = str(entry["digest"])
            copy_image(ecr, _at(source, child), _at(target, child))
    else:
        blobs = [document["config"]["digest"], *(layer["digest"] for layer in document.get("layers", []))]
        for blob in _missing(ecr, target, blobs):
            _copy_blob(ecr, source, target, blob)
    # promoted before: the digest is the manifest's, so an existing image is the same image
    with contextlib.suppress(ecr.exceptions.ImageAlreadyExistsException):
        ecr.put_image(
            **target.id(), imageManifest=manifest, imageManifestMediaType=media_type, imageDigest=source.digest
        )
    found = ecr.batch_get_image(**target.id(), imageIds=[{"imageDigest": source.digest}])["images"]
    if not found:
        raise CitygateError(f"{source.digest} is absent after the copy", f"{target.repository}")


def _at(image: Image, digest: str) -> Image:
    return Image(image.registry, image.region, image.repository, digest)


def _manifest(ecr: Any, image: Image) -> tuple[str, str]:
    answer = ecr.batch_get_image(
        **image.id(), imageIds=[{"imageDigest": image.digest}], acceptedMediaTypes=list(MANIFEST_TYPES)
    )
    if not answer["images"]:
        raise CitygateError(f"no image {image.digest} to promote", image.repository)
    found = answer["images"][0]
    manifest = found["imageManifest"]
    media_type = found.get("imageManifestMediaType") or json.loads(manifest).get("mediaType")
    if not media_type:
        raise CitygateError(f"image {image.digest} has a manifest of no media type", image.repository)
    return manifest, media_type


def _missing(ecr: Any, target: Image, blobs: list[str]) -> list[str]:
    answer = ecr.batch_check_layer_availability(**target.id(), layerDigests=blobs)
    available = {layer["layerDigest"] for layer in answer["layers"] if layer.get("layerAvailability") == "AVAILABLE"}
    return [blob for blob in dict.fromkeys(blobs) if blob not in available]


def _copy_blob(ecr: Any, source: Image, target: Image, blob: str) -> None:
    url = ecr.get_download_url_for_layer(**source.id(), layerDigest=blob)["downloadUrl"]
    parsed = urlparse(url)
    if parsed.scheme != "https" and parsed.hostname != "127.0.0.1":
        raise CitygateError(f"refusing a layer download over {parsed.scheme}", f"{source.repository}@{blob}")
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
        data = response.read()
    upload = ecr.initiate_layer_upload(**target.id())
    size = int(upload.get("partSize") or len(data) or 1)
    for first in range(0, len(data), size):
        part = data[first : first + size]
        ecr.upload_layer_part(
            **target.id(),
            uploadId=upload["uploadId"],
            partFirstByte=first,
            partLastByte=first + len(part) - 1,
            layerPartBlob=part,
        )
    done = ecr.complete_layer_upload(**target.id(), uploadId=upload["uploadId"], layerDigests=[blob])
    if done["layerDigest"] != blob:
        raise CitygateError(f"layer arrived as {done['layerDigest']}", f"{target.repository}@{blob}")


def promote(records: dict[str, str], source_env: str, target_env: str, registry: str | None) -> dict[str, str]:
    """Copy every recorded image of `source_env` into `target_env`'s repository; the promoted references."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    promoted = {}
    for name, reference in records.items():
        source = Image.parse(reference)
        if source.repository != f"{PROJECT}/{source_env}/{name}":
            raise CitygateError(f"the record is not of {PROJECT}/{source_env}/{name}: {reference}", "promote-images")
        ecr = boto3.client("ecr", region_name=source.region)
        account = registry or boto3.client("sts", region_name=source.region).get_caller_identity()["Account"]
        target = Image(account, source.region, f"{PROJECT}/{target_env}/{name}", source.digest)
        try:
            copy_image(ecr, source, target)
        except (BotoCoreError, ClientError, OSError) as exc:
            raise CitygateError(f"cannot copy {reference}: {exc}", target.repository) from exc
        promoted[name] = target.reference
    return promoted


@click.command("promote-images")
@click.option("--from", "source_env", required=True, type=click.Choice(ENVIRONMENTS), help="Environment promoted from.")
@click.option("--to", "target_env", required=True, type=click.Choice(ENVIRONMENTS), help="Environment promoted to.")
@click.option(
    "--image-digests",
    "records_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="The release's digest records (one file per image).",
)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Write the promoted records here.")
@click.option("--registry", help="Destination registry (account id); default: the caller's account.")
def promote_images(source_env: str, target_env: str, records_dir: Path, out: Path, registry: str | None) -> int:
    """Copy the release's images, digest unchanged, into the next environment's repositories."""
    from citygate.k8s.digests import read_records, write_records

    if source_env == target_env:
        raise CitygateError("--from and --to name the same environment", "promote-images")
    promoted = promote(read_records(records_dir), source_env, target_env, registry)
    write_records(out, promoted)
    for name, reference in promoted.items():
        click.echo(f"promoted {name}: {reference}")
    return EXIT_CLEAN


def require_in_registry(records: dict[str, str], env: str) -> None:
    """Every record names `env`'s own repository and the registry holds its digest, or nothing is deployed.

    What `deploy --verify-registry` checks: a prod deploy from records that were never promoted, or whose copy
    failed, would leave pods unable to pull; this says so before the cluster is touched.
    """
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    for name, reference in records.items():
        image = Image.parse(reference)
        expected = f"{PROJECT}/{env}/{name}"
        if image.repository != expected:
            raise CitygateError(f"the record names {image.repository}, not {expected}: promote it first", reference)
        ecr = boto3.client("ecr", region_name=image.region)
        try:
            ecr.describe_images(**image.id(), imageIds=[{"imageDigest": image.digest}])
        except ecr.exceptions.ImageNotFoundException:
            raise CitygateError(
                f"{image.digest} is not in {expected}: the promotion did not copy it", reference
            ) from None
        except (BotoCoreError, ClientError) as exc:
            raise CitygateError(f"cannot read {expected} back: {exc}", reference) from exc
