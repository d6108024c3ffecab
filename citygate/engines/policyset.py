"""The Rego policies as files: their packages, `deny`/`warn` rules and `# METADATA` blocks.

Shared by the embedded engine (regorus) and the OPA-server engine so both load the same
policies and turn rule results into the same findings.  regorus has no `rego.metadata.rule()`,
so the METADATA comment blocks (YAML) are parsed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from citygate.controls import load_catalogue
from citygate.errors import CitygateError
from citygate.findings import Finding, Severity
from citygate.paths import REGO_DIR

TEST_SUFFIX = "_test.rego"
VERDICTS = {"deny": "fail", "warn": "warn"}
_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_VERDICT_HEAD = re.compile(r"^(deny|warn)\s+contains\b", re.MULTILINE)
_TEST_HEAD = re.compile(r"^(test_\w+)\s+if\b", re.MULTILINE)
_METADATA = re.compile(r"^# METADATA\n((?:#.*\n)+)", re.MULTILINE)


@dataclass(frozen=True)
class RuleMeta:
    """What a reviewer reads about a rule id, from its METADATA block."""

    id: str
    title: str
    severity: Severity
    controls: tuple[str, ...]
    fix: str = ""


@dataclass
class PolicySet:
    """Every policy file under a folder, with what the engines need to evaluate and report."""

    sources: dict[str, str]  # path -> Rego text
    verdict_rules: list[str] = field(default_factory=list)  # data.citygate.s3.deny, ...
    tests: dict[str, str] = field(default_factory=dict)  # data.citygate.s3_test.test_x -> file
    metadata: dict[str, RuleMeta] = field(default_factory=dict)

    @property
    def query(self) -> str:
        """One query evaluating every deny/warn rule at once (one evaluation, one shared cache)."""
        entries = ",\n".join(f'  "{rule}": {rule}' for rule in self.verdict_rules)
        return f"verdicts := {{\n{entries}\n}}"

    def findings(self, verdicts: dict[str, Any], engine: str, files: dict[str, str] | None = None) -> list[Finding]:
        """Turn `{rule path: [result, ...]}` into findings; a malformed result fails closed."""
        found: list[Finding] = []
        for rule, results in verdicts.items():
            status = VERDICTS[rule.rsplit(".", 1)[1]]
            for result in results:
                found.append(self._finding(result, status, rule, engine, files or {}))
        return found

    def _finding(self, result: Any, status: str, rule: str, engine: str, files: dict[str, str]) -> Finding:
        if not isinstance(result, dict) or not all(isinstance(result.get(k), str) for k in ("id", "resource", "msg")):
            raise CitygateError(f"{rule} produced a result without id/resource/msg: {result!r}", engine)
        meta = self.metadata.get(result["id"])
        controls = list(meta.controls) if meta else load_catalogue().controls_for_rule(result["id"])
        return Finding(
            id=result["id"],
            title=meta.title if meta else result["msg"],
            severity=meta.severity if meta else Severity.HIGH,
            status=status,
            resource=result["resource"],
            message=result["msg"],
            engine=engine,
            controls=controls,
            file=files.get(result["resource"], ""),
            fix=meta.fix if meta else "",
        )


def _metadata_blocks(path: str, text: str) -> Iterable[RuleMeta]:
    for match in _METADATA.finditer(text):
        yaml_text = "\n".join(line[2:] if line.startswith("# ") else line[1:] for line in match.group(1).splitlines())
        try:
            block = yaml.safe_load(yaml_text) or {}
        except yaml.YAMLError as exc:
            raise CitygateError(f"bad METADATA block ({exc})", path) from None
        custom = block.get("custom") or {}
        if "id" not in custom:
            continue
        try:
            severity = Severity.parse(str(custom.get("severity", "high")))
        except ValueError as exc:
            raise CitygateError(str(exc), path) from None
        yield RuleMeta(
            id=str(custom["id"]),
            title=str(block.get("title", custom["id"])),
            severity=severity,
            controls=tuple(custom.get("controls") or ()),
            fix=str(custom.get("fix", "")).strip(),
        )


def _package(path: str, text: str) -> str:
    match = _PACKAGE.search(text)
    if match is None:
        raise CitygateError("Rego file without a package", path)
    return match.group(1)


@cache
def load_policy_set(directory: Path = REGO_DIR, with_tests: bool = False) -> PolicySet:
    """Policies under `directory` (`*_test.rego` only when `with_tests`); cached per process."""
    files = sorted(p for p in directory.rglob("*.rego") if with_tests or not p.name.endswith(TEST_SUFFIX))
    if not files:
        raise CitygateError("no Rego policies found", str(directory))
    policy_set = PolicySet(sources={str(p): p.read_text(encoding="utf-8") for p in files})
    for path, text in policy_set.sources.items():
        package = f"data.{_package(path, text)}"
        for head in dict.fromkeys(_VERDICT_HEAD.findall(text)):
            rule = f"{package}.{head}"
            if rule not in policy_set.verdict_rules:
                policy_set.verdict_rules.append(rule)
        policy_set.tests.update({f"{package}.{name}": path for name in _TEST_HEAD.findall(text)})
        for meta in _metadata_blocks(path, text):
            policy_set.metadata.setdefault(meta.id, meta)
    return policy_set
