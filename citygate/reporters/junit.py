"""JUnit XML for CI test views: a suite per engine, a test case per rule x resource.

Violations that fail the gate are failures; resolved findings (dismissed with proof, excepted, not
applicable) are skipped with how and why;
warnings and violations below `--fail-on` pass with their message in system-out.  Each engine also gets a case of its own, so a clean run still shows what
was checked and an engine that errored is an error, not an empty suite.
"""

from __future__ import annotations

from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

from citygate.findings import EngineRun, Finding, GateReport


def finding_case(finding: Finding, failing: bool) -> TestCase:
    case = TestCase(name=f"{finding.id} {finding.resource}", classname=f"citygate.{finding.engine}", time=0)
    text = f"{finding.message}\nfix: {finding.fix}" if finding.fix else finding.message
    if finding.resolved:
        case.result = [Skipped(message=f"{finding.resolution}: {finding.reason}")]
    elif failing:
        failure = Failure(message=f"[{finding.severity.name.lower()}] {finding.title}", type_=finding.id)
        failure.text = text
        case.result = [failure]
    else:
        case.system_out = f"{finding.status}: {text}"
    return case


def engine_case(run: EngineRun) -> TestCase:
    case = TestCase(name=f"engine {run.engine} ran", classname=f"citygate.{run.engine}", time=round(run.seconds, 3))
    if run.status == "error":
        case.result = [Error(message=run.detail or "engine failed", type_="EngineError")]
    elif run.status == "skipped":
        case.result = [Skipped(message=run.detail or "skipped")]
    return case


def render_junit(report: GateReport) -> str:
    xml = JUnitXml(name=f"citygate {report.target}")
    failing = {id(f) for f in report.failing()}
    engines = list(dict.fromkeys([*(e.engine for e in report.engines), *(f.engine for f in report.findings)]))
    for engine in engines:
        suite = TestSuite(f"citygate.{engine}")
        suite.add_testcases([engine_case(e) for e in report.engines if e.engine == engine])
        suite.add_testcases([finding_case(f, id(f) in failing) for f in report.findings if f.engine == engine])
        suite.update_statistics()
        xml.add_testsuite(suite)
    xml.update_statistics()
    return xml.tostring().decode("utf-8")
