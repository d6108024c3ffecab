"""The scanner plumbing both engines share: locating the binary, and judging rules through controls."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from citygate.engines.external import find_tool, run_tool, severity_for
from citygate.errors import CitygateError
from citygate.findings import Severity


def test_a_named_binary_wins_then_the_bundled_one_then_path(fake_tool: Callable[[str], Path], tmp_path: Path) -> None:
    tool = fake_tool("exit 0")
    on_path = tmp_path / "bin"
    on_path.mkdir()
    (on_path / "scanner").symlink_to(tool)
    assert find_tool("scanner", "SCANNER_BIN", (), {"SCANNER_BIN": str(tool), "PATH": ""}) == tool
    assert find_tool("scanner", "SCANNER_BIN", (tool,), {"PATH": str(on_path)}) == tool
    assert find_tool("scanner", "SCANNER_BIN", (tmp_path / "absent",), {"PATH": str(on_path)}) == on_path / "scanner"


def test_no_binary_anywhere_fails_closed(tmp_path: Path) -> None:
    with pytest.raises(CitygateError, match=r"scanner not found .*SCANNER_BIN"):
        find_tool("scanner", "SCANNER_BIN", (tmp_path / "absent",), {"PATH": str(tmp_path)})


def test_a_tool_that_cannot_start_fails_closed(tmp_path: Path) -> None:
    with pytest.raises(CitygateError, match="cannot run"):
        run_tool([tmp_path / "absent"], 5.0, "scanner")


def test_a_timeout_also_ends_the_tools_children(fake_tool: Callable[[str], Path]) -> None:
    # The child `sleep` keeps the pipes open: without killing the process group this would wait 30 s.
    with pytest.raises(CitygateError, match=r"timed out after 0\.5 s"):
        run_tool([fake_tool("sleep 30 & wait")], 0.5, "scanner")


def test_a_finding_takes_its_controls_severity_else_the_scanners() -> None:
    assert severity_for(["CG-ENC-1"], "low") == Severity.HIGH  # the catalogue's severity for CG-ENC-1
    assert severity_for([], "LOW") == Severity.LOW
    assert severity_for([], None) == Severity.MEDIUM
