"""Finding Terraform and the provider mirror, and the CLI config every Terraform child gets."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from citygate.errors import CitygateError
from citygate.toolchain import MIRROR_ENV, PROVIDER_DIR, Toolchain, discover, find_provider_mirror, find_terraform


def make_mirror(root: Path) -> Path:
    (root / PROVIDER_DIR / "linux_amd64").mkdir(parents=True)
    return root


def test_mirror_named_by_environment_wins(tmp_path: Path) -> None:
    mirror = make_mirror(tmp_path / "named")
    make_mirror(tmp_path / "searched" / "tf-plugins")
    found = find_provider_mirror({MIRROR_ENV: str(mirror)}, roots=[str(tmp_path / "searched")])
    assert found == mirror


def test_mirror_named_by_environment_must_hold_the_provider(tmp_path: Path) -> None:
    with pytest.raises(CitygateError, match=MIRROR_ENV):
        find_provider_mirror({MIRROR_ENV: str(tmp_path)}, roots=[])


def test_mirror_is_discovered_below_a_search_root(tmp_path: Path) -> None:
    (tmp_path / "opt" / "unrelated").mkdir(parents=True)
    mirror = make_mirror(tmp_path / "opt" / "tools" / "plugins")
    assert find_provider_mirror({}, roots=[str(tmp_path / "missing"), str(tmp_path / "opt")]) == mirror


def test_mirror_deeper_than_the_search_depth_is_not_found(tmp_path: Path) -> None:
    make_mirror(tmp_path / "a" / "b" / "c" / "d")
    with pytest.raises(CitygateError, match="no Terraform provider mirror"):
        find_provider_mirror({}, roots=[str(tmp_path)], depth=2)


def test_an_empty_version_folder_is_not_a_mirror(tmp_path: Path) -> None:
    (tmp_path / PROVIDER_DIR).mkdir(parents=True)
    with pytest.raises(CitygateError):
        find_provider_mirror({}, roots=[str(tmp_path)])


def test_missing_terraform_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(CitygateError, match="terraform CLI not found"):
        find_terraform({"PATH": str(tmp_path)})


def test_cli_config_installs_registry_providers_only_from_the_mirror(tmp_path: Path) -> None:
    config = Toolchain(Path("/usr/bin/terraform"), tmp_path / "mirror").cli_config()
    assert f'path    = "{tmp_path / "mirror"}"' in config
    assert 'include = ["registry.terraform.io/*/*"]' in config
    assert 'exclude = ["registry.terraform.io/*/*"]' in config


def test_child_env_replaces_a_dangling_cli_config(tmp_path: Path) -> None:
    toolchain = Toolchain(Path("/usr/bin/terraform"), tmp_path / "mirror")
    env = toolchain.child_env(tmp_path / "cli", base={"TF_CLI_CONFIG_FILE": "/nowhere/.terraformrc", "PATH": "/bin"})
    assert Path(env["TF_CLI_CONFIG_FILE"]).read_text() == toolchain.cli_config()
    assert env["TF_IN_AUTOMATION"] == "1"
    assert env["PATH"] == "/bin"


def test_terraform_reads_the_generated_config(tmp_path: Path) -> None:
    """Terraform itself accepts the file: `terraform version` would warn about a broken config."""
    toolchain = discover()
    env = toolchain.child_env(tmp_path / "cli", base=dict(os.environ))
    result = subprocess.run(
        [str(toolchain.terraform), "version"], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    assert "Terraform v" in result.stdout
    assert "Error" not in result.stderr + result.stdout
