"""`smoke`: the end-to-end smoke suite against a running city (0 nothing failed, 1 a check failed, 2 bad input)."""

from __future__ import annotations

from pathlib import Path

import click

from citygate.errors import EXIT_CLEAN, EXIT_VIOLATIONS
from citygate.smoke import run_smoke
from citygate.smoke.checks import FAILED
from citygate.smoke.report import render_table, write_json, write_junit


@click.command("smoke")
@click.option("--base-url", required=True, help="Where the city answers (https://staging.example.org).")
@click.option("--segment", required=True, help="A catalogue segment id to ask a forecast for (API -> inference).")
@click.option(
    "--ca-file", type=click.Path(dir_okay=False, path_type=Path), help="PEM CA bundle to verify TLS (default: system)."
)
@click.option("--no-waf", "no_waf", is_flag=True, help="No WAF in front of this URL: the WAF check is skipped.")
@click.option("--timeout", type=click.FloatRange(min=0.5), default=10.0, show_default=True, help="Seconds per request.")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write the results as JUnit XML here.")
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path), help="Write JSON here.")
def smoke(
    base_url: str,
    segment: str,
    ca_file: Path | None,
    no_waf: bool,
    timeout: float,
    junit: Path | None,
    json_file: Path | None,
) -> int:
    """Health, the API -> inference path, TLS 1.3, the WAF and the security headers of a running city."""
    results = run_smoke(base_url, segment=segment, ca_file=ca_file, expect_waf=not no_waf, timeout=timeout)
    click.echo(render_table(base_url, results), nl=False)
    if junit is not None:
        write_junit(junit, base_url, results)
    if json_file is not None:
        write_json(json_file, base_url, results)
    return EXIT_VIOLATIONS if any(r.status == FAILED for r in results) else EXIT_CLEAN
