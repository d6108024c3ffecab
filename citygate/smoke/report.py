"""The smoke results for people (a table), CI test views (JUnit: skipped checks are skipped cases) and machines (JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from junitparser import Failure, JUnitXml, Skipped, TestCase, TestSuite
from rich import box
from rich.table import Table
from rich.text import Text

from citygate.outputs import write_report
from citygate.reporters.text import console_text
from citygate.smoke.checks import FAILED, SKIPPED, SmokeResult


def render_table(base_url: str, results: list[SmokeResult]) -> str:
    table = Table(box=box.SIMPLE_HEAD, title=f"smoke {base_url}", title_justify="left")
    for column in ("check", "status", "detail"):
        table.add_column(column, overflow="fold")
    for result in results:
        table.add_row(Text(result.name), Text(result.status.upper()), Text(result.detail))
    counts = {status: sum(1 for r in results if r.status == status) for status in ("passed", FAILED, SKIPPED)}
    summary = ", ".join(f"{count} {status}" for status, count in counts.items())
    return console_text(lambda console: console.print(table), width=160) + summary + "\n"


def write_junit(path: Path, base_url: str, results: list[SmokeResult]) -> None:
    suite = TestSuite("citygate.smoke")
    for result in results:
        case = TestCase(name=result.name, classname="citygate.smoke", time=0)
        if result.status == FAILED:
            case.result = [Failure(message=result.detail, type_="SmokeFailure")]
        elif result.status == SKIPPED:
            case.result = [Skipped(message=result.detail)]
        else:
            case.system_out = result.detail
        suite.add_testcase(case)
    suite.add_property("base_url", base_url)
    suite.update_statistics()
    xml = JUnitXml(name=f"citygate smoke {base_url}")
    xml.add_testsuite(suite)
    xml.update_statistics()
    write_report(path, xml.tostring().decode("utf-8"))


def write_json(path: Path, base_url: str, results: list[SmokeResult]) -> None:
    document = {
        "base_url": base_url,
        "passed": all(r.status != FAILED for r in results),
        "results": [asdict(r) for r in results],
    }
    write_report(path, json.dumps(document, indent=2) + "\n")
