"""GitHub Actions workflows as an Inventory, so the same gate judges the pipeline that deploys the platform.

One `github_workflow` resource per file (`Workflow/pr.yml`) and one `github_job` resource per job
(`Workflow/pr.yml/jobs/gate`).  A job's `needs` become `references` to the jobs it waits for, so a
policy can walk the dependency graph (gate before apply, load test before approval).

GitHub reads workflows as YAML 1.2, where only `true`/`false` are booleans; PyYAML follows YAML 1.1,
which would turn the `on:` key into `True` (and `yes`/`no`/`off` values into booleans).  The loader
below resolves booleans the YAML 1.2 way so `values` is what GitHub itself sees.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from citygate.errors import CitygateError
from citygate.model import Inventory, Resource

WORKFLOW_SUFFIXES = (".yml", ".yaml")
BOOL_TAG = "tag:yaml.org,2002:bool"


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader whose booleans are YAML 1.2's (`true`/`false` only), as GitHub Actions parses them."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def workflow_files(path: Path) -> list[Path]:
    """The workflow files a path names: the file itself, or the *.yml/*.yaml directly inside a folder."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix in WORKFLOW_SUFFIXES)
    raise CitygateError("no such file or folder", where=str(path))


def parse_workflow(path: Path) -> dict[str, Any]:
    """One workflow file as GitHub reads it; anything that is not a workflow with jobs fails closed."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=Yaml12Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CitygateError(f"unreadable workflow ({exc})".replace("\n", " "), where=str(path)) from None
    if not isinstance(document, dict):
        raise CitygateError("a workflow must be a mapping", where=str(path))
    jobs = document.get("jobs")
    if not isinstance(jobs, dict) or not jobs or not all(isinstance(job, dict) for job in jobs.values()):
        raise CitygateError("a workflow needs a `jobs` mapping of job mappings", where=str(path))
    return document


def job_needs(job: dict[str, Any]) -> list[str]:
    """A job's `needs`, which GitHub accepts as one id or a list of ids."""
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else [str(n) for n in needs]


def workflow_resources(path: Path) -> list[Resource]:
    """The workflow resource of one file followed by one resource per job."""
    document = parse_workflow(path)
    address = f"Workflow/{path.name}"
    resources = [Resource(address=address, type="github_workflow", name=path.name, values=document, file=str(path))]
    for job_id, job in document["jobs"].items():
        needs = tuple(f"{address}/jobs/{n}" for n in job_needs(job))
        resources.append(
            Resource(
                address=f"{address}/jobs/{job_id}",
                type="github_job",
                name=str(job_id),
                values=job,
                references={"needs": needs} if needs else {},
                file=str(path),
            )
        )
    return resources


def load_workflows(path: Path | str) -> Inventory:
    """Every workflow under `path` (a workflows folder or one file) as one Inventory."""
    root = Path(path)
    files = workflow_files(root)
    if not files:
        raise CitygateError("no workflow files (*.yml, *.yaml) found", where=str(root))
    resources = [resource for file in files for resource in workflow_resources(file)]
    return Inventory(kind="github_workflows", source="workflows", resources=resources, origin=str(root))
