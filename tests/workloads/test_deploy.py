"""`deploy --env`: gate, then server-side apply with a dry run first; exit 2 without a cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

from citygate import cli
from citygate.commands import deploy
from citygate.k8s import irsa
from tests.cases.objects import ObjectRun
from tests.fake_kubernetes import FakeCluster


@pytest.fixture
def kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, synth_dir: Path) -> Path:
    monkeypatch.setattr(irsa, "SYNTH_OUT", synth_dir)
    monkeypatch.setattr(deploy, "WORK", tmp_path / "work")
    path = tmp_path / "kubeconfig"
    path.write_text("apiVersion: v1\nkind: Config\n")
    return path


def run(*args: str) -> int:
    return cli.main(["deploy", "--env", "local", "--engines", "rego", *args])


def test_without_a_kubeconfig_nothing_is_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert run() == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no kubeconfig found" in err[0]


def test_dry_run_sends_every_object_once_in_dependency_order(kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = FakeCluster()
    monkeypatch.setattr(deploy, "connect", lambda path, context: cluster)
    assert run("--kubeconfig", str(kubeconfig), "--dry-run-only") == 0
    inventory = deploy.overlay_inventory("local")
    assert len(cluster.calls) == len(inventory.resources)
    assert {c["dry_run"] for c in cluster.calls} == {"All"}
    assert {c["field_manager"] for c in cluster.calls} == {"citygate"}
    kinds = [c["kind"] for c in cluster.calls]
    assert kinds[: kinds.count("Namespace")] == ["Namespace"] * kinds.count("Namespace")
    assert kinds.index("ServiceAccount") < kinds.index("Service") < kinds.index("TargetGroupBinding")


def test_the_locust_jobs_are_run_per_release_never_deployed() -> None:
    """A Job's pod template is immutable: re-applying one with a new image is rejected, so deploy leaves the
    Locust Jobs out and `loadtest --in-cluster` creates fresh copies for each run."""
    resources = deploy.overlay_inventory("staging").resources
    jobs = [r for r in resources if r.type == "Job"]
    assert {r.values["metadata"]["name"] for r in jobs} == {"loadtest-master", "loadtest-worker"}
    applied = deploy.apply_order(resources)
    assert len(applied) == len(resources) - len(jobs) and all(r.type != "Job" for r in applied)


def test_apply_follows_a_clean_dry_run(kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = FakeCluster()
    monkeypatch.setattr(deploy, "connect", lambda path, context: cluster)
    assert run("--kubeconfig", str(kubeconfig)) == 0
    modes = [c["dry_run"] for c in cluster.calls]
    half = len(modes) // 2
    assert modes[:half] == ["All"] * half and modes[half:] == [None] * half


def test_a_rejected_dry_run_applies_nothing(
    kubeconfig: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster = FakeCluster(reject="Deployment")
    monkeypatch.setattr(deploy, "connect", lambda path, context: cluster)
    assert run("--kubeconfig", str(kubeconfig)) == 2
    assert all(c["dry_run"] == "All" for c in cluster.calls)
    assert "dry run rejected" in capsys.readouterr().err


def test_a_failing_gate_stops_before_the_cluster(
    kubeconfig: Path, monkeypatch: pytest.MonkeyPatch, object_run: ObjectRun
) -> None:
    noncompliant = object_run.case("CG-K8S-2/runs-as-root").path
    monkeypatch.setattr(deploy, "overlay_path", lambda env: noncompliant)
    monkeypatch.setattr(deploy, "connect", lambda path, context: pytest.fail("the cluster must not be contacted"))
    assert run("--kubeconfig", str(kubeconfig)) == 1


def test_an_unreachable_cluster_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "contexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {token: t}}]\n"
    )
    with pytest.raises(deploy.CitygateError, match="cannot reach the cluster"):
        deploy.connect(config, None)


DIGEST = "sha256:" + "ab" * 32


def record(folder: Path, name: str, reference: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(reference + "\n")
    return folder


def test_the_release_digests_are_what_is_applied(
    kubeconfig: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = FakeCluster()
    monkeypatch.setattr(deploy, "connect", lambda path, context: cluster)
    digests = record(
        tmp_path / "digests",
        "inference",
        f"111111111111.dkr.ecr.eu-west-1.amazonaws.com/citygate/staging/inference@{DIGEST}",
    )
    monkeypatch.setenv("CITYGATE_IMAGE_DIGESTS", str(digests))
    assert run("--kubeconfig", str(kubeconfig), "--dry-run-only") == 0
    images = {
        (call["kind"], call["name"]): container["image"]
        for call in cluster.calls
        if call["kind"] == "Deployment"
        for container in call["body"]["spec"]["template"]["spec"]["containers"]
    }
    overlay = deploy.overlay_inventory("local")
    (inference,) = [r for r in overlay.resources if r.address == "Deployment/production/inference"]
    original = inference.values["spec"]["template"]["spec"]["containers"][0]["image"]
    # the overlay's own repository, the release's digest; other images untouched
    assert images[("Deployment", "inference")] == original.split("@")[0] + "@" + DIGEST
    assert [image for key, image in images.items() if key != ("Deployment", "inference")]
    assert all(DIGEST not in image for key, image in images.items() if key != ("Deployment", "inference"))


@pytest.mark.parametrize(
    ("name", "reference", "message"),
    [
        ("inference", "registry.example/citygate/staging/inference:latest", "expected REGISTRY"),
        ("inference", f"registry.example/citygate/staging/api@{DIGEST}", "expected REGISTRY"),
        ("billing", f"registry.example/citygate/staging/billing@{DIGEST}", "no container runs the recorded image"),
    ],
)
def test_a_digest_record_the_overlay_cannot_use_deploys_nothing(
    kubeconfig: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    reference: str,
    message: str,
) -> None:
    monkeypatch.setattr(deploy, "connect", lambda path, context: pytest.fail("the cluster must not be contacted"))
    digests = record(tmp_path / "digests", name, reference)
    assert run("--kubeconfig", str(kubeconfig), "--image-digests", str(digests)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
