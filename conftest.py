"""Session-wide fixtures shared by every test folder: synthesize once, plan once, one moto server.

Contracts (see each module's docstring):
- `stacks.synthesize(envs, outdir) -> {env: Path to cdk.tf.json}`  (one jsii process for all envs)
- `citygate.moto_server.MotoServer`  context manager; `.endpoint` is http://127.0.0.1:PORT
- `citygate.deployment.plan_env(env, synth_file, workdir, endpoint) -> Path to plan JSON`
- `citygate.deployment.Deployment(env, synth_file, workdir, endpoint)`: `.apply()` the plan, `.state()`, `.destroy()`
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

if TYPE_CHECKING:
    from citygate.deployment import Deployment
    from tests.cases.objects import ObjectRun
    from tests.cases.runner import CaseRun

CASES_APPLY_PARALLELISM = 64


class AppliedAccount(NamedTuple):
    deployment: Deployment
    state: dict[str, Any]  # read right after apply: later changes to the account do not reach it


@pytest.fixture(scope="session")
def synth_out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every environment synthesized once per test session."""
    from citygate.environments import ENVIRONMENTS
    from stacks import synthesize

    return synthesize(ENVIRONMENTS, tmp_path_factory.mktemp("cdktf.out"))


@pytest.fixture(scope="session")
def fixture_plans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of generated fixture plans (`tests/fixtures/plans/generate.py`): the compliant
    platform, one noncompliant plan per case and `expected.yaml`."""
    from tests.fixtures.plans.generate import write_fixtures

    return write_fixtures(tmp_path_factory.mktemp("fixture-plans"))


@pytest.fixture(scope="session")
def case_run(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> CaseRun:
    """Every catalogue case of every control: one plan, one apply, one run of each engine (`tests.cases.runner`)."""
    from citygate.controls import load_catalogue
    from tests.cases.runner import all_cases, run_cases
    from tests.gate.engines_external.conftest import checkov_available

    with_checkov = checkov_available()
    with pytest.MonkeyPatch.context() as patch:
        # The cases are independent: create them all at once (a load balancer alone takes a minute).
        patch.setenv("TF_CLI_ARGS_apply", f"-parallelism={CASES_APPLY_PARALLELISM}")
        return run_cases(all_cases(load_catalogue()), tmp_path_factory.mktemp("cases"), moto_endpoint, with_checkov)


@pytest.fixture(scope="session")
def object_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ObjectRun:
    """Every Kubernetes and CI/CD catalogue case written to files once; Checkov and the session's
    synthesized stacks (for the IRSA cross-check) are run only when first needed (`tests.cases.objects`)."""
    from citygate.controls import load_catalogue
    from tests.cases.objects import LazyStacks, object_cases, run_objects
    from tests.gate.engines_external.conftest import checkov_available

    root = tmp_path_factory.mktemp("object-cases")
    stacks = LazyStacks(lambda: request.getfixturevalue("synth_out"))
    return run_objects(object_cases(load_catalogue(), root / "cases"), stacks, root / "checkov", checkov_available())


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One moto server on 127.0.0.1 for the whole session."""
    from citygate.moto_server import MotoServer

    with MotoServer() as server:
        yield server.endpoint


@pytest.fixture(scope="session")
def plan_for(
    synth_out: dict[str, Path], moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Path]:
    """Plan JSON of an environment against the embedded AWS, computed at most once per session."""
    from citygate.deployment import plan_env

    cache: dict[str, Path] = {}

    def _plan(env: str) -> Path:
        if env not in cache:
            workdir = tmp_path_factory.mktemp(f"tf-{env}")
            cache[env] = plan_env(env, synth_out[env], workdir, moto_endpoint)
        return cache[env]

    return _plan


@pytest.fixture(scope="session")
def applied_for(
    synth_out: dict[str, Path], moto_endpoint: str, plan_for: Callable[[str], Path]
) -> Callable[[str], AppliedAccount]:
    """An environment's plan applied into the session's embedded AWS, at most once per session (minutes each).

    The `@live` specs judge the `state` snapshot; the platform end-to-end test then weakens the account
    and destroys it, which leaves every snapshot as it was, whichever runs first.
    """
    from citygate.deployment import Deployment

    cache: dict[str, AppliedAccount] = {}

    def _applied(env: str) -> AppliedAccount:
        if env not in cache:
            deployment = Deployment(env, synth_out[env], plan_for(env).parent, moto_endpoint)
            deployment.apply()
            cache[env] = AppliedAccount(deployment, deployment.state())
        return cache[env]

    return _applied
