"""`report`: run the Gherkin specs and write the living documentation a reviewer signs off.

Exit 0 when every scenario that ran passed, 1 when one failed, 2 when the suite could not run.
The cucumber JSON and JUnit XML of the run are kept next to the page for CI.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from citygate.bdd.targets import LIVE_STATE_VARIABLE
from citygate.controls import load_catalogue
from citygate.environments import ENVIRONMENTS
from citygate.errors import EXIT_CLEAN, EXIT_VIOLATIONS
from citygate.exceptions import load_register, project_exceptions
from citygate.livingdoc.document import ExceptionView, MatrixView, build_document
from citygate.livingdoc.render import write_page
from citygate.livingdoc.results import read_runs
from citygate.livingdoc.suite import run_suite
from citygate.paths import FEATURES, WORK, WORKLOADS


def reachability(workloads: Path) -> list[MatrixView]:
    """The workloads' NetworkPolicy reachability, one matrix per overlay."""
    from citygate.k8s import load_manifests, reachability_matrix

    views = []
    for matrix in reachability_matrix(load_manifests(workloads)):
        cells = [[", ".join(matrix.ports(s, d).describe()) for d in matrix.endpoints] for s in matrix.endpoints]
        views.append(MatrixView(matrix.bundle, matrix.endpoints, cells))
    return views


@click.command()
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=WORK / "report.html", show_default=True
)
@click.option("--env", "environments", multiple=True, type=click.Choice(ENVIRONMENTS), help="Judge only these.")
@click.option(
    "--features",
    "features_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=FEATURES,
    show_default=True,
    help="The feature folder (with its conftest.py) to run.",
)
@click.option("--live/--no-live", default=True, help="Run the @live scenarios (they apply into an embedded AWS).")
@click.option(
    "--live-state",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Judge the @live scenarios on this applied account's Terraform state instead of applying.",
)
@click.option("--reachability/--no-reachability", "with_matrix", default=True, help="Add the NetworkPolicy matrix.")
def report(
    output: Path,
    environments: tuple[str, ...],
    features_dir: Path,
    live: bool,
    live_state: Path | None,
    with_matrix: bool,
) -> int:
    """Run the specs, then write one HTML page: scenarios, results, evidence, coverage, exceptions."""
    variables = {"CITYGATE_BDD_ENVS": ",".join(environments)} if environments else {}
    if live_state:
        variables[LIVE_STATE_VARIABLE] = str(live_state.resolve())
    results = output.parent / f"{output.stem}-results"
    run = run_suite(features_dir, results, variables, () if live else ("-m", "not live"))
    runs = read_runs(run.junit_xml, run.cucumber_json)
    today = dt.date.today()
    register = project_exceptions()
    exceptions = [ExceptionView(e, e.expired(today)) for e in load_register(register)] if register else []
    document = build_document(
        features_dir,
        runs,
        list(load_catalogue()),
        exceptions,
        reachability(WORKLOADS) if with_matrix else [],
    )
    scope = f"environments: {', '.join(environments)}" if environments else "every environment"
    write_page(document, output, scope)
    counts = document.counts()
    click.echo(
        f"report: {output} ({counts['scenarios']} scenarios, {counts['scenarios_failed']} failing; "
        f"{counts['controls'] - counts['gaps']}/{counts['controls']} controls covered; "
        f"cucumber JSON and JUnit in {run.cucumber_json.parent})"
    )
    return EXIT_VIOLATIONS if counts["scenarios_failed"] else EXIT_CLEAN
