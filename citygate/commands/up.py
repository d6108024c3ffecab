"""`up`: the whole job on one environment, stopping at the first stage that is not clean.

synth -> plan -> gate -> apply -> verify -> workloads gate -> platform (the data pipeline, then the city's
services started and checked from outside, each workload under its IRSA role) -> least privilege (the
calls each workload made, recorded by the embedded AWS, against its role's policies) -> load test ->
every environment's plan judged -> report, then destroy.  The Terraform stages share one embedded AWS
(moto) for the whole run; the other environments are planned (never applied) each on an embedded AWS of
its own.  The load test and the report run as child commands: Locust monkey-patches the process with
gevent, and the report runs the BDD suite, so each gets a process of its own.  Reports land in
`--reports` (JSON, SARIF, Markdown, JUnit of the gate; `<env>-gate.json` per environment; the live check;
`platform.json`; `calls.jsonl`, `applied-plan.json` and `leastpriv-gate.*`; the load test's CSV/HTML;
the living documentation as HTML, PDF, `controls.csv` and `report.json`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from citygate.account import open_account, workdir_for
from citygate.child_process import run_bounded
from citygate.commands.lifecycle import describe, gate, synthesize_env
from citygate.commands.options import timeout_option
from citygate.deadlines import STAGE_TIMEOUTS, check, deadline
from citygate.deployment import Deployment
from citygate.environments import ENVIRONMENTS
from citygate.errors import EXIT_CLEAN, EXIT_ERROR, CitygateError, Stopped
from citygate.findings import GateReport
from citygate.inputs.jsonfile import read_json_object
from citygate.outputs import write_report
from citygate.paths import ROOT, SYNTH_OUT, WORKLOADS
from citygate.reporters import render

GATE_FORMATS = {"json": "gate.json", "sarif": "gate.sarif", "markdown": "gate.md", "junit": "gate-junit.xml"}


def stage(name: str) -> Callable[[str], None]:
    """A progress printer for one stage: `[up] name: message`, printed when the stage ends (bench/soak_up.py
    times the stages by these lines)."""
    return lambda message: click.echo(f"[up] {name}: {message}")


def write_gate_reports(report: GateReport, outdir: Path, prefix: str) -> None:
    """Every machine-readable form of a gate report, for CI artefacts and the job summary."""
    for fmt, filename in GATE_FORMATS.items():
        write_report(outdir / f"{prefix}-{filename}", render(report, fmt) + "\n")


def judged(report: GateReport, name: str, outdir: Path) -> bool:
    """Print a gate report, keep its files, and say whether the run may go on."""
    click.echo(render(report, "text"))
    write_gate_reports(report, outdir, name)
    return report.exit_code == EXIT_CLEAN


def run_child(args: list[str], name: str, variables: Mapping[str, str] | None = None) -> int:
    """Run `python main.py ARGS` (its output streams through, `variables` added to its environment),
    stopped with the run on a timeout or signal."""
    env = {**os.environ, **variables} if variables else None
    return run_bounded([sys.executable, str(ROOT / "main.py"), *args], name=name, env=env)


def workloads_gate(env: str) -> GateReport:
    """The workload manifests of `env`, through the same gate as the infrastructure."""
    from citygate.commands.check import load_input
    from citygate.exceptions import project_exceptions
    from citygate.gate import run_gate

    inventory, path = load_input("k8s", str(WORKLOADS / "overlays" / env))
    return run_gate(inventory, path, exceptions=project_exceptions())


def environment_gate_file(reports: Path, env: str) -> Path:
    return reports / f"{env}-gate.json"


def judge_environments(applied: str, reports: Path) -> bool:
    """Plan every other environment offline and judge each plan (the gate only: nothing is applied), so
    the report shows every environment's verdict; True when every plan is compliant."""
    from stacks import synthesize

    others = [e for e in ENVIRONMENTS if e != applied]
    if not others:
        return True
    files = synthesize(others, SYNTH_OUT)
    clean = True
    for env in others:
        with open_account(env, embedded=True) as account:
            plan_json = account.deployment(files[env]).plan()
        report = gate(plan_json, env)
        write_report(environment_gate_file(reports, env), render(report, "json") + "\n")
        clean = clean and report.exit_code == EXIT_CLEAN
        verdict = "compliant" if report.exit_code == EXIT_CLEAN else "NOT compliant"
        stage("environments")(f"{env}: the plan is {verdict} ({environment_gate_file(reports, env)})")
    return clean


def report_args(env: str, reports: Path, live_state: Path) -> list[str]:
    """The report on everything recorded in `reports`, with its PDF, CSV and the changes since the last one."""
    args = ["report", "--env", env, "--live-state", str(live_state), "--output", str(reports / "report.html")]
    args += ["--evidence", str(reports), "--pdf", str(reports / "report.pdf"), "--csv", str(reports / "controls.csv")]
    previous = reports / "report.json"
    return args + (["--since", str(previous)] if previous.is_file() else [])


PLATFORM_FILE = "platform.json"
CALLS_FILE = "calls.jsonl"  # every call the embedded AWS answered during the run (citygate.leastpriv)
APPLIED_PLAN_FILE = "applied-plan.json"  # the applied state as a plan: the roles the record is judged against


def show_steps(name: str, result: dict[str, Any], record: dict[str, Any], seconds: float) -> bool:
    """Print a platform stage's verdict and one line per step; True when it is clean."""
    from citygate.livingdoc.platform import step_rows

    if result["ok"]:
        stage(name)(f"every step passed in {seconds:.0f}s")
    else:
        stage(name)(f"failed at {result['failed']} after {seconds:.0f}s")
    for row in step_rows(record):
        if row.stage == name and row.status != "not-run":
            click.echo(f"    {row.step}: {row.status}: {row.result}")
    return bool(result["ok"])


def platform(env: str, endpoint: str | None, reports: Path, state: dict[str, Any]) -> bool:
    """The data pipeline, then the city's services, on this run's embedded AWS, each workload under its
    IRSA role of the applied state; `platform.json` records both (rewritten after each, so a failed
    pipeline is on record too).  True when both are clean."""
    if endpoint is None:
        raise CitygateError("the platform run needs the embedded AWS", "platform")
    from citygate.localcity.identities import step_identities
    from citygate.localcity.stages import STAGES

    work = workdir_for(env) / "platform"
    shutil.rmtree(work, ignore_errors=True)  # a fresh Airflow home, warehouse and kfp root per run
    work.mkdir(parents=True)
    identities = step_identities(state, work)
    record: dict[str, Any] = {"env": env, "pipeline": None, "city": None}
    for name, run in STAGES:
        started = time.perf_counter()
        with deadline(name, STAGE_TIMEOUTS[name]):
            record[name] = run(endpoint, env, work, identities)
            write_report(reports / PLATFORM_FILE, json.dumps(record, indent=2, default=str) + "\n")
            check()  # a step cut off by the deadline was recorded as failed: the timeout is the error
        if not show_steps(name, record[name], record, time.perf_counter() - started):
            return False
    return True


def least_privilege(state: dict[str, Any], reports: Path) -> bool:
    """The calls each workload made on the embedded AWS against the IRSA policies the applied state grants:
    a call no policy grants fails, a grant no call used warns.  True when the run may go on; a run with no
    record (an embedded AWS kept by an earlier command records nothing) is skipped, saying why."""
    from citygate.engines.base import EngineOptions
    from citygate.exceptions import project_exceptions
    from citygate.gate import run_gate
    from citygate.inputs import load_plan
    from citygate.leastpriv.applied import write_applied_plan

    calls = reports / CALLS_FILE
    if not calls.is_file() or calls.stat().st_size == 0:
        stage("leastpriv")(f"skipped: no call was recorded in {calls} (a reused embedded AWS records nothing)")
        return True
    plan = write_applied_plan(state, reports / APPLIED_PLAN_FILE)
    options = EngineOptions(calls=calls, unused="warn")
    report = run_gate(load_plan(plan), plan, ["leastpriv"], project_exceptions(), options=options)
    if not judged(report, "leastpriv", reports):
        stage("leastpriv")("a workload made a call its role does not grant")
        return False
    unused = len(report.unresolved_warnings())
    stage("leastpriv")(f"every recorded call is granted; {unused} grant(s) no call used ({calls})")
    return True


def recorded_variables(reports: Path) -> dict[str, str]:
    """What the report's BDD suite needs to judge the run's record (CG-IAM-9), when the run left one."""
    from citygate.bdd.targets import CALLS_PLAN_VARIABLE, CALLS_VARIABLE

    calls, plan = reports / CALLS_FILE, reports / APPLIED_PLAN_FILE
    if not (calls.is_file() and plan.is_file()):
        return {}
    return {CALLS_VARIABLE: str(calls.resolve()), CALLS_PLAN_VARIABLE: str(plan.resolve())}


def promote(env: str, endpoint: str | None, reports: Path, duration: int, users: int, live_state: Path) -> int:
    """The stages after a clean apply: workloads gate, platform run, least privilege, load test, every
    environment's plan judged, then the living documentation (written even when another environment's plan fails, to show why)."""
    if not judged(workloads_gate(env), "workloads", reports):
        stage("workloads")("the workload manifests are not compliant")
        return 1
    stage("workloads")("the workload manifests are compliant")
    state = read_json_object(live_state)  # the applied state: the roles the workloads run as and are judged by
    if not platform(env, endpoint, reports, state):
        return 1
    if not least_privilege(state, reports):
        return 1
    load_args = ["loadtest", "--local", "--profile", env, "--users", str(users), "--duration", str(duration)]
    load_args += ["--csv", str(reports / "loadtest"), "--html", str(reports / "loadtest.html")]
    load_args += ["--json", str(reports / "loadtest.json")]
    code = run_child(load_args, "loadtest")
    if code != EXIT_CLEAN:
        stage("loadtest")("the SLO gate stops the promotion" if code == 1 else "the load test could not run")
        return code if code == 1 else EXIT_ERROR
    stage("loadtest")("every SLO holds")
    environments_clean = judge_environments(env, reports)
    code = run_child(report_args(env, reports, live_state), "report", recorded_variables(reports))
    stage("report")(f"{reports / 'report.html'}, report.pdf, controls.csv, report.json")
    if code not in (EXIT_CLEAN, 1):
        return EXIT_ERROR
    if not environments_clean:
        stage("environments")("an environment's plan is not compliant: see its section of the report")
        return 1
    return code


@click.command("up")
@click.option("--env", "env", type=click.Choice(ENVIRONMENTS), default="local", show_default=True)
@click.option("--reports", "reports", type=click.Path(path_type=Path), default=ROOT / "reports", show_default=True)
@click.option("--duration", "duration", type=int, default=15, show_default=True, help="Load-test seconds.")
@click.option("--users", "users", type=int, default=10, show_default=True, help="Load-test users.")
@click.option("--keep", is_flag=True, help="Leave the platform deployed (and the embedded AWS running).")
@timeout_option("up")
def up(env: str, reports: Path, duration: int, users: int, keep: bool, timeout: float) -> int:
    """synth -> plan -> gate -> apply -> verify -> workloads -> platform -> leastpriv -> loadtest -> report,
    on the embedded AWS.

    `--timeout` bounds the run up to the teardown; each stage also has its own default deadline, and
    the teardown has the destroy deadline of its own.  A stopped run (timeout, SIGINT, SIGTERM) tears
    nothing down: the embedded AWS stops with the command, and the state stays for the record.
    """
    started = time.perf_counter()
    try:
        reports.mkdir(parents=True, exist_ok=True)  # before minutes of work, not after
    except OSError as exc:
        raise CitygateError(f"cannot create the reports folder ({exc.strerror})", str(reports)) from exc
    applied = False
    calls = reports / CALLS_FILE
    calls.unlink(missing_ok=True)  # this run's record only: a reused embedded AWS records nothing
    with open_account(env, embedded=True, keep_running=keep, record_calls=calls) as account:
        try:
            with deadline("up", timeout):
                synth_file = synthesize_env(env)
                stage("synth")(str(synth_file))
                deployment = account.deployment(synth_file)
                plan_json = deployment.plan()
                stage("plan")(str(plan_json))
                verdict = gate(plan_json, env)
                write_report(environment_gate_file(reports, env), render(verdict, "json") + "\n")
                if not judged(verdict, "infrastructure", reports):
                    stage("gate")("the plan is not compliant: nothing was applied")
                    return 1
                stage("gate")("the plan is compliant")
                applied = True
                with deadline("apply", STAGE_TIMEOUTS["apply"]):
                    deployment.apply()
                stage("apply")(describe(deployment))
                code = verify_and_promote(env, deployment, reports, duration, users)
        except Stopped:
            raise
        except BaseException:
            if applied and not keep:
                teardown(deployment, after_failure=True)
            raise
        if not keep:
            teardown(deployment)
    if code != EXIT_CLEAN:
        return code
    stage("done")(f"every stage clean in {time.perf_counter() - started:.0f}s; reports in {reports}")
    return EXIT_CLEAN


def teardown(deployment: Deployment, after_failure: bool = False) -> None:
    """Destroy the applied platform within the destroy deadline.  After a failure, a teardown error is
    printed, not raised, so the error that ended the run stays the one line the user reads."""
    try:
        with deadline("destroy", STAGE_TIMEOUTS["destroy"]):
            destroyed = deployment.destroy()
    except CitygateError as exc:
        if not after_failure:
            raise
        stage("destroy")(f"the teardown failed too: {exc.line()}")
        return
    stage("destroy")(f"the embedded platform was torn down ({destroyed} resources)")


def verify_and_promote(env: str, deployment: Deployment, reports: Path, duration: int, users: int) -> int:
    """The live check of the applied platform, then the promotion stages; the first unclean one ends the run."""
    from citygate.controls import load_catalogue
    from citygate.live.verify import verify_deployment

    with deadline("verify", STAGE_TIMEOUTS["verify"]):
        live = verify_deployment(deployment, load_catalogue())
    click.echo(render(live, "text"))
    write_report(reports / "live.json", render(live, "json") + "\n")
    if live.exit_code != EXIT_CLEAN:
        stage("verify")("the deployed platform fails its controls")
        return live.exit_code
    stage("verify")(f"the deployed platform passes its live checks ({len(live.findings)} results)")
    return promote(env, deployment.endpoint, reports, duration, users, deployment.state_path)
