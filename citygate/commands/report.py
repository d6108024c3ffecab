"""`report`: run the Gherkin specs and write the living documentation a reviewer signs off.

One page: the design's requirements traced to controls, scenarios and status per environment; the
evidence `up` recorded per environment (`--evidence reports/`: plan gate, live check, workload gate,
reachability, load test; each file optional, a missing one shows "not run"); the controls with their
frameworks; the exception register; the commit, tool versions, plan digests and the page's own hash.
Beside it: `report.json` (the machine-readable summary `--since` diffs against), and on request
`--csv` and `--pdf` (printed by headless Chromium).  A `signoff.yaml` whose hash no longer matches
is flagged on the page and by a warning line.

Exit 0 when every scenario that ran passed and no recorded gate failed, 1 otherwise, 2 when the
suite could not run or an input is unreadable.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from citygate.bdd.targets import LIVE_STATE_VARIABLE
from citygate.controls import load_catalogue
from citygate.environments import ENVIRONMENTS
from citygate.errors import EXIT_CLEAN, EXIT_VIOLATIONS
from citygate.exceptions import load_register, project_exceptions
from citygate.livingdoc.document import Document, ExceptionView, MatrixView, build_document
from citygate.livingdoc.evidence import load_evidence
from citygate.livingdoc.exports import csv_rows, print_pdf, write_csv
from citygate.livingdoc.provenance import collect
from citygate.livingdoc.render import PageContext, now, render_sealed
from citygate.livingdoc.requirements import REQUIREMENTS_FILE, load_requirements
from citygate.livingdoc.results import Run, read_runs
from citygate.livingdoc.signoff import SIGNOFF_FILE, load_signoff
from citygate.livingdoc.suite import SuiteRun, run_suite
from citygate.livingdoc.summary import diff, read_summary, summary
from citygate.outputs import write_report
from citygate.paths import FEATURES, WORK, WORKLOADS

if TYPE_CHECKING:
    from citygate.k8s.ports import PortSet


def reachability(workloads: Path) -> list[MatrixView]:
    """The workloads' NetworkPolicy reachability, one matrix per overlay, against the intended flows."""
    from citygate.k8s import load_manifests, reachability_matrix
    from citygate.k8s.intent import load_intent
    from citygate.k8s.ports import PortSet

    allowed = load_intent().allowed
    views = []
    for matrix in reachability_matrix(load_manifests(workloads)):
        cells, intended, states = [], [], []
        for s in matrix.endpoints:
            actual = [matrix.ports(s, d) for d in matrix.endpoints]
            wanted = [allowed.get((s, d), PortSet()) for d in matrix.endpoints]
            cells.append([", ".join(p.describe()) for p in actual])
            intended.append([", ".join(w.describe()) for w in wanted])
            states.append([_state(a, w) for a, w in zip(actual, wanted, strict=True)])
        env = Path(matrix.bundle).name
        views.append(MatrixView(matrix.bundle, matrix.endpoints, cells, intended, states, env))
    return views


def _state(actual: PortSet, wanted: PortSet) -> str:
    """open (as intended), unintended (open beyond the intent), blocked (intended, not open), closed."""
    if (actual & wanted) != actual:
        return "unintended"
    if (actual & wanted) != wanted:
        return "blocked"
    return "open" if actual else "closed"


def _exceptions(today: dt.date) -> list[ExceptionView]:
    register = project_exceptions()
    entries = load_register(register) if register else []
    return [ExceptionView(e, e.expired(today), (e.expires - today).days) for e in entries]


def _exception_records(views: list[ExceptionView]) -> list[dict[str, str]]:
    fields = ("id", "rule", "control", "resource", "reason", "owner", "approver", "ticket", "created", "expires")
    return [{name: str(getattr(v.exception, name)) for name in fields} for v in views]


def _runs(
    features_dir: Path, results: Path, environments: tuple[str, ...], live: bool, live_state: Path | None
) -> tuple[SuiteRun, list[Run]]:
    variables = {"CITYGATE_BDD_ENVS": ",".join(environments)} if environments else {}
    if live_state:
        variables[LIVE_STATE_VARIABLE] = str(live_state.resolve())
    run = run_suite(features_dir, results, variables, () if live else ("-m", "not live"))
    return run, read_runs(run.junit_xml, run.cucumber_json)


def _gates_failed(document: Document) -> bool:
    views = document.evidence.environments.values()
    return any(g is not None and g.result != "pass" for v in views for g in (v.gate, v.live, v.workloads)) or any(
        v.loadtest is not None and not v.loadtest.passed for v in views
    )


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
@click.option(
    "--evidence",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The folder `up` wrote its evidence to (reports/): <env>-gate.json, live.json, workloads-gate.json, "
    "loadtest.json; each optional.",
)
@click.option(
    "--requirements",
    "requirements_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=REQUIREMENTS_FILE,
    show_default=True,
)
@click.option(
    "--signoff",
    "signoff_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"A reviewer's sign-off to check against this report (default: {SIGNOFF_FILE.name} at the root, if any).",
)
@click.option(
    "--since",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A previous report.json: show new and closed findings and changed exceptions.",
)
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path), help="Also write controls.csv.")
@click.option("--pdf", "pdf_file", type=click.Path(dir_okay=False, path_type=Path), help="Also print the page to PDF.")
def report(
    output: Path,
    environments: tuple[str, ...],
    features_dir: Path,
    live: bool,
    live_state: Path | None,
    with_matrix: bool,
    evidence: Path | None,
    requirements_file: Path,
    signoff_file: Path | None,
    since: Path | None,
    csv_file: Path | None,
    pdf_file: Path | None,
) -> int:
    """Run the specs, then write one page: requirements, evidence per environment, controls, exceptions."""
    catalogue = list(load_catalogue())
    requirements = load_requirements(requirements_file, [c.id for c in catalogue])
    if signoff_file is None and SIGNOFF_FILE.is_file():
        signoff_file = SIGNOFF_FILE
    signoff = load_signoff(signoff_file) if signoff_file else None
    previous = read_summary(since) if since else None
    recorded = load_evidence(evidence, ENVIRONMENTS)  # every environment, each with its evidence or none
    run, runs = _runs(features_dir, output.parent / f"{output.stem}-results", environments, live, live_state)
    today = dt.date.today()
    exceptions = _exceptions(today)
    document = build_document(
        features_dir,
        runs,
        catalogue,
        exceptions,
        reachability(WORKLOADS) if with_matrix else [],
        requirements=requirements,
        evidence=recorded,
    )
    provenance = collect()
    generated = now()
    plan_digests = {env: view.plan_digest for env, view in recorded.environments.items()}
    context = PageContext(
        scope=f"environments: {', '.join(environments)}" if environments else "every environment",
        generated=generated,
        provenance=provenance,
        evidence_folder=str(evidence) if evidence else "",
        signoff=signoff,
    )
    counts = document.counts()
    records = _exception_records(exceptions)
    if previous is not None and since is not None:
        current = summary("", generated, provenance.commit, recorded, records, plan_digests, counts)
        context = replace(context, changes=diff(previous, current, str(since)))
    page, digest, check = render_sealed(document, context)
    write_report(output, page)
    machine = summary(digest, generated, provenance.commit, recorded, records, plan_digests, counts)
    write_report(output.with_suffix(".json"), json.dumps(machine, indent=2, sort_keys=True) + "\n")
    if csv_file:
        write_csv(csv_file, csv_rows(document.requirements, output.name, document.environments))
    if pdf_file:
        print_pdf(output, pdf_file)
    click.echo(
        f"report: {output} ({counts['scenarios']} scenarios, {counts['scenarios_failed']} failing, "
        f"{counts['runs_skipped']} runs skipped; {counts['requirements_controlled']}/{counts['requirements']} "
        f"requirements controlled, {counts['requirements_not_covered']} not covered; "
        f"{counts['controls'] - counts['gaps']}/{counts['controls']} controls have a scenario; hash {digest}; "
        f"summary {output.with_suffix('.json')}; cucumber JSON and JUnit in {run.cucumber_json.parent})"
    )
    if context.changes is not None:
        click.echo(f"report: {context.changes.line()}")
    if check is not None and not check.matches:
        click.echo(check.warning(), err=True)
    failed = counts["scenarios_failed"] or _gates_failed(document)
    return EXIT_VIOLATIONS if failed else EXIT_CLEAN
