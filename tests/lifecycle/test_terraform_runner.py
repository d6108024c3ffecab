"""Terraform failures and timeouts end as one CitygateError naming the step, the resource and the log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citygate import terraform
from citygate.errors import CitygateError, StageTimeout
from citygate.terraform import Terraform
from citygate.terraform_ui import Diagnostic, failure_line, read_ui_log, text_errors
from citygate.toolchain import discover

BOXED_ERROR = """
╷
│ Error: Invalid resource type
│
│   on cdk.tf.json line 3, in resource:
│    3:   "resource": {"aws_nonsense": {}}
│
│ The provider hashicorp/aws does not support resource type "aws_nonsense".
╵
"""


# The provider's message for a duplicate rule spans lines; it used to reach the user cut after "This may be".
BOXED_MULTILINE = """
╷
│ Error: [WARN] A duplicate Security Group rule was found on (sg-0123). This may be
│ a side effect of a now-fixed Terraform issue.
│
│   with aws_security_group_rule.alb_https,
│   on cdk.tf.json line 812, in resource "aws_security_group_rule" "alb_https":
│  812:       }
│
╵
╷
│ Error: second failure
╵
"""

UI_LOG = (
    "\n".join(
        json.dumps(message)
        for message in (
            {"type": "version", "terraform": "1.11.4"},
            {"type": "apply_start", "hook": {"resource": {"addr": "aws_vpc.main"}}},
            {"type": "apply_start", "hook": {"resource": {"addr": "aws_s3_bucket.raw"}}},
            {"type": "apply_complete", "hook": {"resource": {"addr": "aws_vpc.main"}}},
            {"type": "apply_start", "hook": {"resource": {"addr": "aws_eks_cluster.main"}}},
            {"type": "apply_errored", "hook": {"resource": {"addr": "aws_eks_cluster.main"}}},
            {
                "type": "diagnostic",
                "diagnostic": {
                    "severity": "error",
                    "summary": "creating EKS Cluster (x): operation error EKS: CreateCluster,\nStatusCode: 500",
                    "detail": "",
                    "address": "aws_eks_cluster.main",
                },
            },
            {"type": "diagnostic", "diagnostic": {"severity": "warning", "summary": "deprecated", "detail": ""}},
            {"type": "change_summary", "changes": {"add": 1, "change": 0, "remove": 0, "operation": "apply"}},
        )
    )
    + "\nnot json\n"
)


def test_the_human_error_block_is_read_whole_with_its_resource() -> None:
    assert text_errors(BOXED_ERROR) == [Diagnostic("Invalid resource type")]
    duplicate, second = text_errors(BOXED_MULTILINE)
    assert duplicate.address == "aws_security_group_rule.alb_https"
    assert duplicate.summary.endswith("This may be a side effect of a now-fixed Terraform issue.")
    assert second == Diagnostic("second failure")
    assert text_errors("first\nlast words\n\n") == [Diagnostic("last words")]
    assert text_errors("") == [Diagnostic("no error output")]


def test_the_machine_readable_log_gives_errors_in_flight_resources_and_the_summary() -> None:
    log = read_ui_log(UI_LOG)
    assert log.in_flight == ["aws_s3_bucket.raw"]
    assert [e.address for e in log.errors] == ["aws_eks_cluster.main"]
    assert log.changes["add"] == 1
    assert failure_line(UI_LOG, "") == (
        "aws_eks_cluster.main: creating EKS Cluster (x): operation error EKS: CreateCluster, StatusCode: 500"
    )
    assert failure_line("", BOXED_MULTILINE).endswith("now-fixed Terraform issue. (+1 more errors)")


def test_a_broken_stack_fails_init_with_the_error_line(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text('{"resource": {"aws_s3_bucket": {"b": {"bucket": }}}}')
    with pytest.raises(CitygateError) as caught:
        Terraform(tmp_path, discover()).init()
    assert caught.value.where == "terraform init"
    assert "full log:" in str(caught.value)
    assert (tmp_path / "logs" / "init.stderr.log").read_text()


def test_a_step_over_its_timeout_fails_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(terraform.TIMEOUTS, "init", 0.001)
    runner = Terraform(tmp_path, discover())
    with pytest.raises(StageTimeout, match="timed out") as caught:
        runner.init()
    assert caught.value.where == "terraform init"
    assert "init" in runner.timings
