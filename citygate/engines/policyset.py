"""The Rego policies as the engines load them: every rule classified, its METADATA, the data it reads.

Shared by the embedded engine (regorus) and the OPA-server engine so both evaluate the same rules
and turn their results into the same findings.  Every rule regorus parses is classified:

- **verdict rules** `deny` (status fail) and `warn` (status warn), and **proof rules** `proof`
  (status pass: "rule <id> judged <resource> compliant, because <evidence>"): partial set rules
  (`deny contains f if {...}`) in a policy package, i.e. a `citygate.<domain>` package outside the
  shared library (`citygate.lib...`) and the test files (`*_test.rego`, `*_test` packages);
- **tests**: `test_*` complete rules (`test_x if {...}`);
- **helpers**: every other rule.

A rule whose head would silently never be evaluated is an error (exit 2) naming file and line:
a `deny`/`warn`/`proof` written as a complete rule, function, default or ref head (`deny[x]`,
`deny.sub`), or outside a policy package; a set rule in a policy package whose name reads like a
verdict or proof without being one (`denny`, `Deny`, `_warn`, `proofs`, `deny_all`: rename helpers
so they do not); a `test_*` rule that is not a complete rule.

METADATA (OPA's `# METADATA` YAML; regorus has no `rego.metadata.rule()`) belongs to the rule
starting on the line right below the block.  A block naming `custom.id` must sit on a verdict or
proof rule that writes that id as a string; a verdict or proof rule's block must name an id; the
METADATA of one id is written once (a second block for the id that differs is an error).  Every id
a verdict or proof produces must have METADATA: it gives the finding's title, severity, controls
and fix.

The catalogue's control parameters are the data document `data.citygate.parameters[<control id>]`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from citygate.controls import load_catalogue
from citygate.engines.rego_modules import MetadataBlock, Module, Rule, parse_modules
from citygate.errors import CitygateError
from citygate.findings import Finding, Severity
from citygate.paths import REGO_DIR

ROOT_PACKAGE = "citygate"
LIBRARY_PACKAGE = f"{ROOT_PACKAGE}.lib"
TEST_SUFFIX = "_test.rego"
STATUS = {"deny": "fail", "warn": "warn", "proof": "pass"}  # evaluated rule name -> finding status
MESSAGE_KEY = {"deny": "msg", "warn": "msg", "proof": "evidence"}
TEST_PREFIX = "test_"
_LOOKALIKE_CUTOFF = 0.75  # difflib ratio: `denny`, `dny`, `wrn`, `prof` read as deny/warn/proof
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster on ~100 blocks


@dataclass(frozen=True)
class RuleMeta:
    """What a reviewer reads about a rule id, from its METADATA block."""

    id: str
    title: str
    severity: Severity
    controls: tuple[str, ...]
    fix: str = ""
    where: str = field(default="", compare=False)  # file:line of the block


@dataclass
class PolicySet:
    """Every policy file under a folder, with what the engines need to evaluate and report."""

    sources: dict[str, str]  # path -> Rego text
    rules: list[str] = field(default_factory=list)  # data.citygate.s3.deny, ....warn, ....proof
    tests: dict[str, str] = field(default_factory=dict)  # data.citygate.s3_test.test_x -> file
    metadata: dict[str, RuleMeta] = field(default_factory=dict)
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)  # control id -> its parameters

    @property
    def data(self) -> dict[str, Any]:
        """The data document the policies read besides `input`."""
        return {ROOT_PACKAGE: {"parameters": self.parameters}}

    @property
    def query(self) -> str:
        """One query evaluating every deny/warn/proof rule at once (one evaluation, one shared cache)."""
        entries = ",\n".join(f'  "{rule}": {rule}' for rule in self.rules)
        return f"results := {{\n{entries}\n}}"

    def findings(self, results: dict[str, Any], engine: str, files: dict[str, str] | None = None) -> list[Finding]:
        """Turn `{rule path: [result, ...]}` into findings; a malformed result fails closed."""
        return [
            self._finding(result, rule, engine, files or {})
            for rule, rule_results in results.items()
            for result in rule_results
        ]

    def _finding(self, result: Any, rule: str, engine: str, files: dict[str, str]) -> Finding:
        role = rule.rsplit(".", 1)[1]
        message_key = MESSAGE_KEY[role]
        if not isinstance(result, dict) or not all(
            isinstance(result.get(k), str) for k in ("id", "resource", message_key)
        ):
            raise CitygateError(f"{rule} produced a result without id/resource/{message_key}: {result!r}", engine)
        meta = self.metadata.get(result["id"])
        if meta is None:
            raise CitygateError(f"{rule} produced {result['id']}, which no METADATA block describes", engine)
        return Finding(
            id=meta.id,
            title=meta.title,
            severity=meta.severity,
            status=STATUS[role],
            resource=result["resource"],
            message=result[message_key],
            engine=engine,
            controls=list(meta.controls),
            file=files.get(result["resource"], ""),
            fix=meta.fix,
        )


def is_policy_package(module: Module) -> bool:
    """Packages the gate evaluates: `citygate.<domain>`, outside the library and the tests."""
    return (
        module.package.startswith(f"{ROOT_PACKAGE}.")
        and module.package != LIBRARY_PACKAGE
        and not module.package.startswith(f"{LIBRARY_PACKAGE}.")
        and not module.package.endswith("_test")
        and not module.file.endswith(TEST_SUFFIX)
    )


def _lookalike(name: str) -> str | None:
    """The verdict/proof name a set rule's name imitates, if any (see the module docstring)."""
    lowered = name.lower().lstrip("_")
    for role in STATUS:
        if lowered.startswith(role):
            return role
    close = difflib.get_close_matches(lowered, STATUS, n=1, cutoff=_LOOKALIKE_CUTOFF)
    return close[0] if close else None


def _classify(module: Module, rule: Rule) -> str:
    """`result` (deny/warn/proof), `test` or `helper`; a rule that would silently go unevaluated raises."""
    policy = is_policy_package(module)
    if rule.name in STATUS:
        if rule.shape != "set" or len(rule.ref) != 1:
            raise CitygateError(
                f"`{rule.name}` must be a partial set rule (`{rule.name} contains result if {{ ... }}`), "
                f"not a {rule.shape} rule `{rule.source}`",
                rule.where,
            )
        if not policy:
            raise CitygateError(
                f"`{rule.name}` in package {module.package}, which the gate never evaluates "
                f"(policy packages are {ROOT_PACKAGE}.<domain>, outside {LIBRARY_PACKAGE} and test files)",
                rule.where,
            )
        return "result"
    if rule.name.startswith(TEST_PREFIX):
        if rule.shape != "complete" or len(rule.ref) != 1:
            raise CitygateError(f"test `{rule.name}` must be a complete rule (`{rule.name} if {{ ... }}`)", rule.where)
        return "test"
    if policy and rule.shape == "set" and (role := _lookalike(rule.name)) is not None:
        raise CitygateError(
            f"set rule `{rule.name}` reads like `{role}` but is never evaluated as one (rename it, or name it `{role}`)",
            rule.where,
        )
    return "helper"


def _rule_meta(block: MetadataBlock) -> RuleMeta | None:
    """The block's rule metadata; None when it names no `custom.id`."""
    try:
        document = yaml.load(block.text, Loader=_YAML_LOADER) or {}
    except yaml.YAMLError as exc:
        raise CitygateError(f"bad METADATA block ({exc})", block.where) from None
    if not isinstance(document, dict):
        raise CitygateError("METADATA is not a YAML mapping", block.where)
    custom = document.get("custom") or {}
    if not isinstance(custom, dict) or "id" not in custom:
        return None
    try:
        severity = Severity.parse(str(custom.get("severity", "high")))
    except ValueError as exc:
        raise CitygateError(str(exc), block.where) from None
    controls = custom.get("controls") or []
    if not isinstance(controls, list):
        raise CitygateError(f"METADATA controls of {custom['id']} must be a list of control ids", block.where)
    return RuleMeta(
        id=str(custom["id"]),
        title=str(document.get("title", custom["id"])),
        severity=severity,
        controls=tuple(str(c) for c in controls),
        fix=str(custom.get("fix", "")).strip(),
        where=block.where,
    )


def _attached_metadata(module: Module, roles: dict[Rule, str]) -> Iterator[RuleMeta]:
    """Each block's RuleMeta, checked against the rule right below it (see the module docstring)."""
    by_line = {rule.line: rule for rule in module.rules}
    for block in module.metadata:
        meta = _rule_meta(block)
        rule = by_line.get(block.last_line + 1)
        if rule is None:
            if block.last_line + 1 == module.package_line and meta is None:
                continue  # package-scoped METADATA: describes the package, names no rule
            raise CitygateError("METADATA block is not directly above a rule", block.where)
        if roles[rule] != "result":
            if meta is not None:
                raise CitygateError(
                    f"METADATA names {meta.id} on `{rule.name}`, which is not a deny/warn/proof rule", block.where
                )
            continue
        if meta is None:
            raise CitygateError(f"METADATA above `{rule.name}` names no custom.id", block.where)
        if meta.id not in rule.string_literals():
            raise CitygateError(
                f"METADATA names {meta.id}, which the `{rule.name}` rule below never produces", block.where
            )
        yield meta


def _add_metadata(metadata: dict[str, RuleMeta], meta: RuleMeta) -> None:
    known = metadata.setdefault(meta.id, meta)
    if known != meta:
        raise CitygateError(
            f"METADATA for {meta.id} differs from the block at {known.where} (write it once, on one rule)", meta.where
        )


def catalogue_parameters() -> dict[str, dict[str, Any]]:
    """`{control id: parameters}` for every catalogue control that declares some."""
    return {control.id: dict(control.parameters) for control in load_catalogue() if control.parameters}


@cache
def load_policy_set(directory: Path = REGO_DIR, with_tests: bool = False) -> PolicySet:
    """Policies under `directory` (`*_test.rego` only when `with_tests`); cached per process."""
    files = sorted(p for p in directory.rglob("*.rego") if with_tests or not p.name.endswith(TEST_SUFFIX))
    if not files:
        raise CitygateError("no Rego policies found", str(directory))
    policy_set = PolicySet(
        sources={str(p): p.read_text(encoding="utf-8") for p in files}, parameters=catalogue_parameters()
    )
    for module in sorted(parse_modules(policy_set.sources), key=lambda m: m.file):
        roles = {rule: _classify(module, rule) for rule in module.rules}
        for rule, role in roles.items():
            path = f"data.{module.package}.{rule.name}"
            if role == "result" and path not in policy_set.rules:
                policy_set.rules.append(path)
            elif role == "test":
                policy_set.tests[path] = module.file
        for meta in _attached_metadata(module, roles):
            _add_metadata(policy_set.metadata, meta)
    return policy_set
