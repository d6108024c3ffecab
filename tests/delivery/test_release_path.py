"""The release's path to prod, step by step, on the embedded AWS and the recorded Kubernetes API.

record (push into staging's ECR) -> promote-images staging -> prod -> deploy --env prod (dry run) with the
promoted records: prod runs exactly the digests that were pushed and scanned in staging. Before that, the load
test runs in the staging cluster (fresh Locust Jobs on the released loadtest image) and its verdict is read back.
A promotion that did not happen, or a record the registry does not hold, stops the path before the cluster is
contacted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from citygate import cli
from citygate.commands import deploy, loadtest
from citygate.embedded_aws import embedded_env
from citygate.k8s import irsa
from citygate.k8s.digests import read_records, write_records
from citygate.loadtest.report import verdict_document
from citygate.loadtest.slo import Measurement, Slo, evaluate
from tests.fake_kubernetes import FakeCluster

RELEASED = ("api", "web", "inference", "pipeline", "loadtest")  # release.yml's image matrix
REGION = "us-east-1"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


@pytest.fixture(scope="module")
def ecr(moto_endpoint: str) -> Iterator[Any]:
    """The registries of staging and prod (as the registry stack names them) on the embedded AWS."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {**embedded_env(moto_endpoint), "AWS_DEFAULT_REGION": REGION}.items():
            patch.setenv(name, value)
        client = boto3.client("ecr", region_name=REGION)
        for env in ("staging", "prod"):
            for image in RELEASED:
                client.create_repository(repositoryName=f"citygate/{env}/{image}", imageTagMutability="IMMUTABLE")
        yield client


def push_blob(ecr: Any, repository: str, data: bytes) -> dict[str, Any]:
    """A blob pushed the way `docker push` does it through the registry API; its descriptor."""
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    upload = ecr.initiate_layer_upload(repositoryName=repository)
    ecr.upload_layer_part(
        repositoryName=repository,
        uploadId=upload["uploadId"],
        partFirstByte=0,
        partLastByte=len(data) - 1,
        layerPartBlob=data,
    )
    done = ecr.complete_layer_upload(repositoryName=repository, uploadId=upload["uploadId"], layerDigests=[digest])
    assert done["layerDigest"] == digest
    return {
        "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
        "digest": done["layerDigest"],
        "size": len(data),
    }


@pytest.fixture(scope="module")
def release(ecr: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The images job: each image pushed into staging, its digest recorded (digests/<image>)."""
    account = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
    records = {}
    for image in RELEASED:
        repository = f"citygate/staging/{image}"
        config = push_blob(ecr, repository, json.dumps({"architecture": "amd64", "image": image}).encode())
        layer = push_blob(ecr, repository, f"the {image} filesystem".encode() * 64)
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": {**config, "mediaType": "application/vnd.oci.image.config.v1+json"},
                "layers": [layer],
            }
        )
        pushed = ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag="sha-release-run1.1")
        digest = pushed["image"]["imageId"]["imageDigest"]
        records[image] = f"{account}.dkr.ecr.{REGION}.amazonaws.com/{repository}@{digest}"
    folder = tmp_path_factory.mktemp("digests")
    write_records(folder, records)
    return folder


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, synth_out: dict[str, Path]) -> Iterator[FakeCluster]:
    monkeypatch.setattr(irsa, "SYNTH_OUT", next(iter(synth_out.values())).parents[2])
    monkeypatch.setattr(deploy, "WORK", tmp_path / "work")
    fake = FakeCluster()
    monkeypatch.setattr(deploy, "connect", lambda path, context: fake)
    yield fake


def kubeconfig(folder: Path) -> str:
    path = folder / "kubeconfig"
    path.write_text("apiVersion: v1\nkind: Config\n")
    return str(path)


def deploy_prod(records: Path, tmp_path: Path) -> int:
    return cli.main(
        [
            "deploy",
            "--env",
            "prod",
            "--engines",
            "rego",
            "--kubeconfig",
            kubeconfig(tmp_path),
            "--image-digests",
            str(records),
            "--verify-registry",
            "--dry-run-only",
        ]
    )


def test_prod_runs_the_digests_pushed_to_staging(
    ecr: Any, release: Path, cluster: FakeCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    promoted = tmp_path / "promoted"
    argv = [
        "promote-images",
        "--from",
        "staging",
        "--to",
        "prod",
        "--image-digests",
        str(release),
        "--out",
        str(promoted),
    ]
    assert cli.main(argv) == 0
    pushed = read_records(release)
    for image, reference in read_records(promoted).items():
        digest = pushed[image].rsplit("@", 1)[1]
        assert reference.endswith(f"/citygate/prod/{image}@{digest}")
        manifest = json.loads(
            ecr.batch_get_image(repositoryName=f"citygate/prod/{image}", imageIds=[{"imageDigest": digest}])["images"][
                0
            ]["imageManifest"]
        )
        blobs = [manifest["config"]["digest"], *(layer["digest"] for layer in manifest["layers"])]
        available = ecr.batch_check_layer_availability(repositoryName=f"citygate/prod/{image}", layerDigests=blobs)
        assert len(available["layers"]) == len(blobs) and not available["failures"]  # the bytes came along

    assert deploy_prod(promoted, tmp_path) == 0
    assert "not run in prod: loadtest" in capsys.readouterr().out
    images = cluster.images()
    for image in ("api", "web", "inference"):
        digest = pushed[image].rsplit("@", 1)[1]
        assert images[("Deployment", image)].endswith(f"/citygate/prod/{image}@{digest}")
    assert {call["dry_run"] for call in cluster.calls} == {"All"}


def test_unpromoted_records_do_not_reach_prod(
    release: Path, cluster: FakeCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The release's own records name staging's repositories: prod refuses them until they are promoted."""
    assert deploy_prod(release, tmp_path) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not citygate/prod/" in err[0] and "promote it first" in err[0]
    assert cluster.calls == []


def test_a_promotion_that_copied_nothing_stops_the_deploy(
    release: Path, cluster: FakeCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Records rewritten to prod without the copy: the digest is absent from prod's registry."""
    absent = "sha256:" + "0" * 64
    forged = {
        image: reference.replace("/citygate/staging/", "/citygate/prod/").rsplit("@", 1)[0] + f"@{absent}"
        for image, reference in read_records(release).items()
    }
    write_records(tmp_path / "forged", forged)
    assert deploy_prod(tmp_path / "forged", tmp_path) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "the promotion did not copy it" in err[0]
    assert cluster.calls == []


def test_promoting_a_digest_staging_never_had_fails(
    release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    absent = "sha256:" + "1" * 64
    records = {"api": read_records(release)["api"].rsplit("@", 1)[0] + f"@{absent}"}
    write_records(tmp_path / "broken", records)
    argv = ["promote-images", "--from", "staging", "--to", "prod", "--image-digests", str(tmp_path / "broken")]
    assert cli.main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"no image {absent} to promote" in err[0]
    assert not (tmp_path / "out").exists()


def in_vpc(env: str, *args: str) -> int:
    return cli.main(["deploy", "--env", env, "--in-vpc", "--source-version", "0" * 40, "--poll", "0", *args])


def test_the_deploy_job_hands_the_records_to_the_in_vpc_deployer(
    ecr: Any, release: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the workflow runs: the build of `citygate-staging-deployer`, with the release's records, to its end."""
    codebuild = boto3.client("codebuild", region_name=REGION)
    codebuild.create_project(
        name="citygate-staging-deployer",
        source={"type": "GITHUB", "location": "https://github.com/citygate-city/citygate.git"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
        serviceRole="arn:aws:iam::123456789012:role/citygate-staging-deployer",
    )
    assert in_vpc("staging", "--image-digests", str(release)) == 0
    out = capsys.readouterr().out
    assert "started the in-VPC deployer: build citygate-staging-deployer:" in out
    assert "deployed staging from inside the VPC" in out
    (build_id,) = codebuild.list_builds_for_project(projectName="citygate-staging-deployer")["ids"]
    assert codebuild.batch_get_builds(ids=[build_id])["builds"][0]["sourceVersion"] == "0" * 40


def test_without_a_deployer_nothing_is_deployed(ecr: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert in_vpc("dev") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "the in-VPC deployer cannot run" in err[0] and "codebuild dev" in err[0]


def test_the_load_test_runs_in_the_staging_cluster_on_the_released_image(
    ecr: Any, release: Path, cluster: FakeCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """deploy staging (dry run) -> loadtest --in-cluster: fresh Jobs on the release's loadtest digest, read back."""
    argv = ["--env", "staging", "--kubeconfig", kubeconfig(tmp_path), "--image-digests", str(release)]
    assert cli.main(["deploy", *argv, "--engines", "rego", "--verify-registry", "--dry-run-only"]) == 0
    slo = Slo(p95_ms=300, p99_ms=800, error_rate=0.01, min_rps=20)
    measured = Measurement(requests=3000, failures=0, p95_ms=120.0, p99_ms=310.0, rps=50.0, duration_s=60.0)
    cluster.log = json.dumps(verdict_document("staging", slo, evaluate(slo, measured), measured)) + "\n"
    monkeypatch.setattr(loadtest, "cluster_jobs", lambda path, context: cluster)
    verdict = tmp_path / "staging-loadtest.json"
    assert (
        cli.main(["loadtest", "--in-cluster", *argv, "--verify-registry", "--json", str(verdict), "--poll", "0"]) == 0
    )
    assert json.loads(verdict.read_text())["passed"] is True
    loadtest_digest = read_records(release)["loadtest"].rsplit("@", 1)[1]
    started = [job["spec"]["template"]["spec"]["containers"][0]["image"] for job in cluster.jobs.values()]
    assert len(started) == 2 and all(
        image.endswith(f"/citygate/staging/loadtest@{loadtest_digest}") for image in started
    )
