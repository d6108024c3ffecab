"""A scenario run that checks nothing is skipped with its reason, never passed; `@noskip` makes it a
failure; a scenario outside its environment is skipped even under `@noskip`.  Proven through pytest-bdd
itself (the JUnit it writes is what the living documentation reads) and through the direct runner."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from citygate.bdd.features import ConcreteScenario, expand, parse_feature
from citygate.bdd.plugin import EVIDENCE_PROPERTY
from citygate.bdd.runner import run_scenario
from citygate.model import Inventory
from citygate.paths import ROOT

REPORT_FEATURES = ROOT / "tests" / "fixtures" / "bdd" / "report_features"
VACUOUS = """\
Feature: Requirements on what the platform does not have
  Risk: a requirement on nothing looks like a requirement met.

  Scenario: Every SageMaker endpoint configuration is encrypted
    Given resources of type "aws_sagemaker_endpoint_configuration" where present
    Then "kms_key_arn" must be set

  @noskip
  Scenario: SageMaker endpoint configurations exist and are encrypted
    Given resources of type "aws_sagemaker_endpoint_configuration" where present
    Then "kms_key_arn" must be set

  @noskip
  Scenario: Staging databases keep backups for a week
    Given resources of type "aws_rds_cluster"
    When the environment is "staging"
    Then "backup retention in days" must be between "7" and "35"

  Scenario: Production databases that are internet-facing keep backups
    Given resources of type "aws_rds_cluster"
    When their "publicly_accessible" is "true"
    Then "backup retention in days" must be between "7" and "35"
"""


@pytest.fixture(scope="module")
def vacuous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A feature folder judged on the recorded noncompliant platform (environment prod)."""
    folder = tmp_path_factory.mktemp("vacuous")
    (folder / "vacuous.feature").write_text(VACUOUS)
    shutil.copy(REPORT_FEATURES / "report_conftest.py", folder / "conftest.py")
    (folder / "test_vacuous.py").write_text('from pytest_bdd import scenarios\n\nscenarios(".")\n')
    return folder


@pytest.fixture(scope="module")
def junit(vacuous: Path) -> dict[str, ET.Element]:
    """Each scenario's JUnit test case, from a real pytest-bdd run of the folder."""
    results = vacuous / "junit.xml"
    command = [
        *(sys.executable, "-m", "pytest", str(vacuous), "-q", "-p", "no:cacheprovider"),
        *(f"--junitxml={results}", f"--cucumberjson={vacuous / 'cucumber.json'}"),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]  # the @noskip scenario fails
    return {case.get("name", ""): case for case in ET.parse(results).iter("testcase")}


def _case(junit: dict[str, ET.Element], words: str) -> ET.Element:
    return next(case for name, case in junit.items() if words in name)


def _evidence(case: ET.Element) -> list[dict[str, object]]:
    found = [p.get("value", "") for p in case.iter("property") if p.get("name") == EVIDENCE_PROPERTY]
    return json.loads(found[0]) if found else []


def test_a_scenario_that_selects_nothing_is_skipped_with_the_reason(junit: dict[str, ET.Element]) -> None:
    case = _case(junit, "every_sagemaker_endpoint")
    skipped = case.find("skipped")
    assert skipped is not None and case.find("failure") is None
    assert "nothing to check: 0 aws_sagemaker_endpoint_configuration in scope" in skipped.get("message", "")
    assert any("nothing to check" in str(step["skipped"]) for step in _evidence(case))


def test_noskip_turns_nothing_to_check_into_a_failure(junit: dict[str, ET.Element]) -> None:
    failure = _case(junit, "exist_and_are_encrypted").find("failure")
    assert failure is not None and "@noskip: nothing to check" in failure.get("message", "")


def test_a_scenario_outside_its_environment_is_skipped_even_under_noskip(junit: dict[str, ET.Element]) -> None:
    skipped = _case(junit, "staging_databases").find("skipped")
    assert skipped is not None and "applies to staging only; this is prod" in skipped.get("message", "")


def test_a_filter_that_leaves_nothing_is_skipped(junit: dict[str, ET.Element]) -> None:
    skipped = _case(junit, "internetfacing").find("skipped")
    assert skipped is not None
    assert "nothing to check: 0 of " in skipped.get("message", "")
    assert "aws_rds_cluster with publicly_accessible = true" in skipped.get("message", "")


def _scenarios(tmp_path: Path) -> dict[str, ConcreteScenario]:
    (tmp_path / "vacuous.feature").write_text(VACUOUS)
    return {s.template.name: s for s in expand(parse_feature(tmp_path / "vacuous.feature"))}


def test_the_direct_runner_reports_the_same(tmp_path: Path, recorded: Callable[[str], Inventory]) -> None:
    platform = recorded("terraform-noncompliant")
    outcomes = {name: run_scenario(s.scenario, platform) for name, s in _scenarios(tmp_path).items()}
    assert outcomes["Every SageMaker endpoint configuration is encrypted"].status == "skipped"
    assert outcomes["SageMaker endpoint configurations exist and are encrypted"].status == "failed"
    staging = outcomes["Staging databases keep backups for a week"]
    assert (staging.status, staging.step) == ("skipped", 'When the environment is "staging"')


def test_cucumber_json_marks_the_step_that_found_nothing_skipped(junit: dict[str, ET.Element], vacuous: Path) -> None:
    features = json.loads((vacuous / "cucumber.json").read_text())
    steps = {e["name"]: [s["result"]["status"] for s in e["steps"]] for f in features for e in f["elements"]}
    assert steps["Every SageMaker endpoint configuration is encrypted"] == ["passed", "skipped"]
    assert steps["SageMaker endpoint configurations exist and are encrypted"] == ["passed", "failed"]
