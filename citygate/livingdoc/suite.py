"""Running the BDD suite programmatically and keeping its machine-readable results.

`pytest.main` runs the feature folder with cucumber JSON and JUnit XML written to the given paths;
the environment variables of `citygate.bdd.targets` narrow the targets for the duration of the run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest

from citygate.errors import CitygateError

# pytest exit codes that still produced results: all passed / some failed
_RAN = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)


@dataclass(frozen=True)
class SuiteRun:
    cucumber_json: Path
    junit_xml: Path
    exit_code: int


def run_suite(
    features: Path, outdir: Path, variables: Mapping[str, str] | None = None, extra_args: Sequence[str] = ()
) -> SuiteRun:
    """Run every scenario under `features` with the target `variables` set; fail closed if pytest could not."""
    outdir.mkdir(parents=True, exist_ok=True)
    cucumber, junit = outdir / "cucumber.json", outdir / "junit.xml"
    args = [
        str(features),
        "-q",
        "-p",
        "no:cacheprovider",
        f"--cucumberjson={cucumber}",
        f"--junitxml={junit}",
        "-o",
        "junit_family=xunit1",  # keeps the evidence properties pytest would otherwise warn about
        *extra_args,
    ]
    with mock.patch.dict(os.environ, variables or {}):
        code = pytest.main(args)
    if code not in _RAN or not cucumber.is_file() or not junit.is_file():
        raise CitygateError(f"the BDD suite did not run (pytest exit code {int(code)})", str(features))
    return SuiteRun(cucumber, junit, int(code))
