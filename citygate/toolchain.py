"""Find the Terraform CLI and the offline provider mirror, and build the environment Terraform runs in.

Terraform must install `hashicorp/aws` from a local filesystem mirror (no registry is reachable), so
every child process gets a CLI config file of our own (`TF_CLI_CONFIG_FILE`): the inherited
environment may name a file that does not exist, and we never touch the user's `~/.terraformrc`.
The mirror's location differs per machine, so it is discovered, never hard-coded.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from citygate.errors import CitygateError

AWS_PROVIDER_VERSION = "5.100.0"
PROVIDER_DIR = Path("registry.terraform.io/hashicorp/aws") / AWS_PROVIDER_VERSION
MIRROR_ENV = "CITYGATE_TF_PROVIDER_MIRROR"
TERRAFORM_ENV = "CITYGATE_TERRAFORM"
# Parents a mirror is usually unpacked under (the mirror root may sit one or two folders below).
MIRROR_SEARCH_ROOTS = (
    "/opt",
    "/usr/local/share",
    "/usr/share",
    "/usr/local/lib",
    "~/.terraform.d",
    "~/.local/share/terraform",
)
MIRROR_SEARCH_DEPTH = 2


@dataclass(frozen=True)
class Toolchain:
    """The Terraform binary and the mirror root it installs providers from."""

    terraform: Path
    mirror: Path

    def cli_config(self) -> str:
        """Terraform CLI config: providers of registry.terraform.io come from the mirror, never the network."""
        mirror = json.dumps(str(self.mirror))  # a JSON string literal is a valid HCL string literal
        return (
            "disable_checkpoint = true\n"
            "provider_installation {\n"
            "  filesystem_mirror {\n"
            f"    path    = {mirror}\n"
            '    include = ["registry.terraform.io/*/*"]\n'
            "  }\n"
            "  direct {\n"
            '    exclude = ["registry.terraform.io/*/*"]\n'
            "  }\n"
            "}\n"
        )

    def write_cli_config(self, config_dir: Path) -> Path:
        """Write the CLI config where only our child processes read it."""
        config_dir.mkdir(parents=True, exist_ok=True)
        path = config_dir / "terraform.tfrc"
        path.write_text(self.cli_config())
        return path

    def child_env(self, config_dir: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Environment for a Terraform child process: our CLI config, no prompts, no telemetry."""
        env = dict(os.environ if base is None else base)
        env.update(
            {
                "TF_CLI_CONFIG_FILE": str(self.write_cli_config(config_dir)),
                "TF_IN_AUTOMATION": "1",
                "TF_INPUT": "0",
                "CHECKPOINT_DISABLE": "1",
            }
        )
        # A plugin cache would copy the ~700 MB provider per machine; the mirror is already local.
        env.pop("TF_PLUGIN_CACHE_DIR", None)
        return env


def find_terraform(env: Mapping[str, str] | None = None) -> Path:
    """The terraform binary: $CITYGATE_TERRAFORM, else the first `terraform` on PATH."""
    env = os.environ if env is None else env
    named = env.get(TERRAFORM_ENV)
    found = named or shutil.which("terraform", path=env.get("PATH"))
    if not found or not os.access(found, os.X_OK):
        raise CitygateError(f"terraform CLI not found (install Terraform or set {TERRAFORM_ENV})", where="toolchain")
    return Path(found)


def is_mirror_root(path: Path) -> bool:
    """A mirror root holds registry.terraform.io/hashicorp/aws/<version>/<os_arch>/."""
    provider = path / PROVIDER_DIR
    return provider.is_dir() and any(p.is_dir() for p in provider.iterdir())


def _candidates(root: Path, depth: int) -> Iterable[Path]:
    """`root` and its sub-folders down to `depth` levels, breadth first, skipping unreadable ones."""
    level = [root]
    for _ in range(depth + 1):
        yield from level
        next_level: list[Path] = []
        for folder in level:
            try:
                next_level.extend(sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()))
            except OSError:
                continue
        level = next_level


def find_provider_mirror(
    env: Mapping[str, str] | None = None, roots: Iterable[str] = MIRROR_SEARCH_ROOTS, depth: int = MIRROR_SEARCH_DEPTH
) -> Path:
    """The provider mirror root: $CITYGATE_TF_PROVIDER_MIRROR if set (must be valid), else discovered."""
    env = os.environ if env is None else env
    named = env.get(MIRROR_ENV)
    if named:
        path = Path(named).expanduser()
        if not is_mirror_root(path):
            raise CitygateError(f"{MIRROR_ENV}={named} holds no {PROVIDER_DIR}/<os_arch>", where="toolchain")
        return path
    for root in roots:
        base = Path(root).expanduser()
        if not base.is_dir():
            continue
        for candidate in _candidates(base, depth):
            if is_mirror_root(candidate):
                return candidate
    searched = ", ".join(roots)
    raise CitygateError(
        f"no Terraform provider mirror with {PROVIDER_DIR} under {searched}; set {MIRROR_ENV}", where="toolchain"
    )


def discover(env: Mapping[str, str] | None = None) -> Toolchain:
    """Terraform plus its provider mirror, or a CitygateError naming what is missing."""
    return Toolchain(terraform=find_terraform(env), mirror=find_provider_mirror(env))
