"""Terraform failures and timeouts end as one CitygateError naming the step."""

from __future__ import annotations

from pathlib import Path

import pytest

from citygate import terraform
from citygate.errors import CitygateError
from citygate.terraform import Terraform, error_line
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


def test_error_line_picks_terraforms_summary() -> None:
    assert error_line(BOXED_ERROR) == "Error: Invalid resource type"
    assert error_line("first\nlast words\n\n") == "last words"
    assert error_line("") == "no error output"


def test_a_broken_stack_fails_init_with_the_error_line(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text('{"resource": {"aws_s3_bucket": {"b": {"bucket": }}}}')
    with pytest.raises(CitygateError) as caught:
        Terraform(tmp_path, discover()).init()
    assert caught.value.where == "terraform init"
    assert "Error:" in str(caught.value)


def test_a_step_over_its_timeout_fails_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(terraform.TIMEOUTS, "init", 0.001)
    runner = Terraform(tmp_path, discover())
    with pytest.raises(CitygateError, match="timed out") as caught:
        runner.init()
    assert caught.value.where == "terraform init"
    assert "init" in runner.timings
