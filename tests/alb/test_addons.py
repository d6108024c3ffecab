"""The cluster's core services in every environment with an EKS add-on API: the managed add-ons (VPC CNI with its
network policy agent, CoreDNS, kube-proxy, EBS and EFS CSI drivers and Container Insights with their IRSA roles),
the EFS file system on its own key, and CG-NET-6 judging every one of those environments (not only the one a
test happens to plan)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citygate.engines.base import GateInput
from citygate.engines.rego import RegoEngine
from citygate.environments import ENVIRONMENTS
from citygate.inputs import load_synth
from citygate.paths import REGO_DIR

WITH_ADDONS = [env for env in ENVIRONMENTS if env != "local"]  # the embedded AWS has no add-on API
ADDONS = {
    "vpc-cni",
    "coredns",
    "kube-proxy",
    "aws-ebs-csi-driver",
    "aws-efs-csi-driver",
    "amazon-cloudwatch-observability",
}
ADDON_ROLES = {
    "aws-ebs-csi-driver": "irsa_kube_system_ebs_csi_controller_sa",
    "aws-efs-csi-driver": "irsa_kube_system_efs_csi_controller_sa",
    "amazon-cloudwatch-observability": "irsa_amazon_cloudwatch_cloudwatch_agent",
}


def resources(synth_file: Path) -> dict[str, dict[str, dict]]:
    return json.loads(synth_file.read_text(encoding="utf-8"))["resource"]


def network_policy_findings(synth_file: Path, env: str) -> list[str]:
    findings = RegoEngine(REGO_DIR).run(GateInput(load_synth(synth_file, env), synth_file), 120.0)
    return [f.resource for f in findings if f.id == "CG_EKS_005" and f.status == "fail"]


@pytest.mark.parametrize("env", WITH_ADDONS)
def test_every_managed_addon_is_installed(env: str, synth_out: dict[str, Path]) -> None:
    addons = {a["addon_name"]: a for a in resources(synth_out[env])["aws_eks_addon"].values()}
    assert set(addons) == ADDONS
    assert json.loads(addons["vpc-cni"]["configuration_values"]) == {"enableNetworkPolicy": "true"}
    assert json.loads(addons["amazon-cloudwatch-observability"]["configuration_values"]) == {
        "containerLogs": {"enabled": False}
    }
    for addon, role in ADDON_ROLES.items():
        assert addons[addon]["service_account_role_arn"] == f"${{aws_iam_role.{role}.arn}}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_efs_is_encrypted_with_its_own_key_and_reached_over_nfs_from_the_nodes_only(
    env: str, synth_out: dict[str, Path]
) -> None:
    stack = resources(synth_out[env])
    (fs,) = stack["aws_efs_file_system"].values()
    assert fs["encrypted"] is True and fs["kms_key_id"] == "${aws_kms_key.efs.arn}"
    assert len(stack["aws_efs_mount_target"]) == 2
    rule = stack["aws_security_group_rule"]["efs_nfs_from_nodes"]
    assert (rule["type"], rule["from_port"], rule["to_port"]) == ("ingress", 2049, 2049)
    assert rule["cidr_blocks"] == ["10.0.10.0/24", "10.0.11.0/24"]


@pytest.mark.parametrize("env", WITH_ADDONS)
def test_network_policy_enforcement_is_judged_in_every_environment(
    env: str, synth_out: dict[str, Path], tmp_path: Path
) -> None:
    assert network_policy_findings(synth_out[env], env) == []
    broken = json.loads(synth_out[env].read_text(encoding="utf-8"))
    for addon in broken["resource"]["aws_eks_addon"].values():
        addon.pop("configuration_values", None)
    path = tmp_path / "cdk.tf.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    assert network_policy_findings(path, env) == ["aws_eks_cluster.eks"]
