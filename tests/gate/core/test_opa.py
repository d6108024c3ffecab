"""The OPA-server path over real HTTP: same policies, same findings as the embedded engine."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.gate.core.opa_stub import opa_stub


def _failing(out: str) -> set[tuple[str, str]]:
    return {(f["id"], f["resource"]) for f in json.loads(out)["findings"] if f["status"] == "fail"}


def test_opa_server_gives_the_same_verdict_as_the_embedded_engine(
    run_cli: Callable[..., tuple[int, str, str]], fixture_plans: Path
) -> None:
    plan = str(fixture_plans / "noncompliant-CG-IAM-2.json")
    with opa_stub() as server:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        code, out, err = run_cli("check", "--plan", plan, "--engines", "opa", "--opa-url", url, "--format", "json")
        assert server.posts == 1 and len(server.policies) > 10
    assert code == 1, err
    embedded_code, embedded_out, _ = run_cli("check", "--plan", plan, "--engines", "rego", "--format", "json")
    assert embedded_code == 1
    assert _failing(out) == _failing(embedded_out) == {("CG_IAM_003", "aws_iam_role.inference")}
    assert {f["engine"] for f in json.loads(out)["findings"]} == {"opa"}


def test_compliant_plan_is_clean_on_opa(run_cli: Callable[..., tuple[int, str, str]], compliant_plan: Path) -> None:
    with opa_stub() as server:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        code, _, err = run_cli("check", "--plan", str(compliant_plan), "--engines", "opa", "--opa-url", url)
    assert code == 0, err


def test_unreachable_opa_server_fails_closed(
    run_cli: Callable[..., tuple[int, str, str]], compliant_plan: Path
) -> None:
    with opa_stub() as server:
        port = server.server_address[1]
    code, _, err = run_cli(
        "check",
        "--plan",
        str(compliant_plan),
        "--engines",
        "opa",
        "--opa-url",
        f"http://127.0.0.1:{port}",
    )
    assert code == 2
    assert "opa" in err and len(err.strip().splitlines()) == 1
