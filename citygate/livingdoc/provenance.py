"""Who and what made a report: the commit, the tool versions, and the page's own hash.

The hash is sha256 over the page with its volatile parts blank: every element marked
`data-volatile` (the hash itself, the time of generation, days left, the sign-off verdict, which
depends on the hash, and the changes since a previous report).  So the same commit, plans and evidence give the same hash, which is what a
sign-off names; `page_hash` recomputes it from a page on disk.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from citygate.engines.checkov import BIN_ENV as CHECKOV_ENV
from citygate.engines.checkov import BUNDLED as CHECKOV_BUNDLED
from citygate.engines.external import find_tool, venv_bin
from citygate.engines.trivy import BIN_ENV as TRIVY_ENV
from citygate.errors import CitygateError
from citygate.paths import ROOT
from citygate.toolchain import AWS_PROVIDER_VERSION, find_terraform

VOLATILE = re.compile(r'(<(?P<tag>[a-z]+)[^>]*\bdata-volatile="[^"]*"[^>]*>).*?(</(?P=tag)>)', re.S)
VERSION_TIMEOUT = 60
NOT_FOUND = "not found"


def blank_volatile(page: str) -> str:
    return VOLATILE.sub(lambda m: m.group(1) + m.group(3), page)


def page_hash(page: str) -> str:
    """sha256 of the page with every volatile element emptied."""
    return hashlib.sha256(blank_volatile(page).encode("utf-8")).hexdigest()


def git_commit(root: Path = ROOT) -> str:
    """The checked-out commit (with `+changes` when the tree is dirty), or "not a git checkout"."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=30)
        if head.returncode != 0:
            return "not a git checkout"
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not a git checkout"
    return head.stdout.strip() + (" +uncommitted changes" if dirty.stdout.strip() else "")


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=VERSION_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return NOT_FOUND
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0].strip() if done.returncode == 0 and lines else NOT_FOUND


def _checkov_version() -> str:
    """From the metadata of Checkov's own venv (its `--version` imports all of Checkov: seconds)."""
    try:
        binary = find_tool("checkov", CHECKOV_ENV, CHECKOV_BUNDLED)
    except CitygateError:
        return NOT_FOUND
    for site in sorted(binary.resolve().parent.parent.glob("lib/python*/site-packages")):
        found = list(metadata.distributions(name="checkov", path=[str(site)]))
        if found:
            return found[0].version
    return _first_line([str(binary), "--version"])


def _terraform_version() -> str:
    try:
        line = _first_line([str(find_terraform()), "version"])
    except CitygateError:
        return NOT_FOUND
    return line.removeprefix("Terraform ").lstrip("v")


def _trivy_version() -> str:
    try:
        binary = find_tool("trivy", TRIVY_ENV, (venv_bin("trivy"),))
    except CitygateError:
        return NOT_FOUND
    return _first_line([str(binary), "--version"]).removeprefix("Version: ")


def _regorus_version() -> str:
    try:
        return metadata.version("gordon-to-regorus")
    except metadata.PackageNotFoundError:
        return NOT_FOUND


@dataclass(frozen=True)
class Provenance:
    commit: str
    tools: dict[str, str]


def collect() -> Provenance:
    tools = {
        "Terraform": _terraform_version(),
        "AWS provider": AWS_PROVIDER_VERSION,
        "Checkov": _checkov_version(),
        "Trivy": _trivy_version(),
        "regorus": _regorus_version(),
    }
    return Provenance(git_commit(), tools)
