"""Session-wide fixtures shared by every test folder: synthesize once, plan once, one moto server.

Contracts (see each module's docstring):
- `stacks.synthesize(envs, outdir) -> {env: Path to cdk.tf.json}`  (one jsii process for all envs)
- `citygate.moto_server.MotoServer`  context manager; `.endpoint` is http://127.0.0.1:PORT
- `citygate.lifecycle.plan_env(env, synth_file, workdir, endpoint) -> Path to plan JSON`
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ENVIRONMENTS = ("local", "dev", "staging", "prod")


@pytest.fixture(scope="session")
def synth_out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every environment synthesized once per test session."""
    from stacks import synthesize

    return synthesize(ENVIRONMENTS, tmp_path_factory.mktemp("cdktf.out"))


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
    from citygate.lifecycle import plan_env

    cache: dict[str, Path] = {}

    def _plan(env: str) -> Path:
        if env not in cache:
            workdir = tmp_path_factory.mktemp(f"tf-{env}")
            cache[env] = plan_env(env, synth_out[env], workdir, moto_endpoint)
        return cache[env]

    return _plan
