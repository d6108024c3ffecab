"""The edge as every environment's stack builds it: one target group per route behind a listener rule of the
HTTPS listener, which serves only a validated certificate, and a controller role that can fill those groups
and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citygate.environments import ENVIRONMENTS


def stack(synth_file: Path) -> dict[str, dict[str, dict]]:
    return json.loads(synth_file.read_text(encoding="utf-8"))["resource"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_routes_certificate_and_controller_policy(env: str, synth_out: dict[str, Path]) -> None:
    r = stack(synth_out[env])
    groups = r["aws_lb_target_group"]
    assert {k: (g["name"], g["port"], g["target_type"]) for k, g in groups.items()} == {
        "app_web": (f"citygate-{env}-web", 8080, "ip"),
        "app_api": (f"citygate-{env}-api", 8000, "ip"),
    }
    https = r["aws_lb_listener"]["https"]
    assert https["certificate_arn"] == "${aws_acm_certificate_validation.alb.certificate_arn}"
    assert https["default_action"][0]["target_group_arn"] == "${aws_lb_target_group.app_web.arn}"
    (rule,) = r["aws_lb_listener_rule"].values()
    assert rule["listener_arn"] == "${aws_lb_listener.https.arn}"
    assert rule["condition"][0]["path_pattern"]["values"] == ["/api", "/api/*"]
    assert rule["action"][0]["target_group_arn"] == "${aws_lb_target_group.app_api.arn}"
    policy = json.loads(r["aws_iam_role_policy"]["irsa_kube_system_aws_load_balancer_controller"]["policy"])
    writes = [s for s in policy["Statement"] if s["Sid"] == "RegisterPodTargets"]
    assert writes[0]["Resource"] == ["${aws_lb_target_group.app_web.arn}", "${aws_lb_target_group.app_api.arn}"]
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert not {a for a in actions if a.startswith(("elasticloadbalancing:Create", "wafv2:"))}
    # The pods admit the ALB on the route ports where EKS reports the cluster security group.
    pods = {k for k in r["aws_security_group_rule"] if k.startswith("pods_from_alb_")}
    assert pods == (set() if env == "local" else {"pods_from_alb_8000", "pods_from_alb_8080"})


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_api_may_file_reports_in_the_raw_zone(env: str, synth_out: dict[str, Path]) -> None:
    policy = json.loads(stack(synth_out[env])["aws_iam_role_policy"]["irsa_production_api"]["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["WriteReports"]["Action"] == ["s3:PutObject"]
    assert by_sid["WriteReports"]["Resource"] == [f"arn:aws:s3:::citygate-{env}-data-lake-raw/reports/*"]
    assert by_sid["EncryptReports"]["Resource"] == ["${aws_kms_key.data_lake.arn}"]
