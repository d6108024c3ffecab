"""`python -m citysense_pipeline <command>`: ingestion, the ETL steps, model promotion and the demo.

    simulate [--segments N] [--days N] [--corrupt]     readings to Kinesis and the raw zone
    <step> [--start ISO --end ISO] [--publish]          one ETL step over [start, end) (extract, transform,
                                                        data-quality, load, feature-engineering, publish-features);
                                                        by default the last complete 15-minute window (the CronJobs);
                                                        feature-engineering --publish also fills the feature store
    etl [--start ISO --end ISO]                         every ETL step in order (what the DAG runs)
    promote --version N                                 make registry version N the production model
    demo                                                simulate -> DAG -> training -> promote -> forecast

Resources come from CITYSENSE_ENV (default local) and AWS_ENDPOINT_URL. Exit 0 done, 1 a batch failed
its quality rules (quarantined), 2 any other failure, with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from citysense_pipeline import etl, quality, registry
from citysense_pipeline.config import Resources


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m citysense_pipeline", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    sim = commands.add_parser("simulate", help="deliver simulated readings, weather and reports")
    sim.add_argument("--segments", type=int, default=8)
    sim.add_argument("--days", type=int, default=14)
    sim.add_argument("--corrupt", action="store_true", help="add impossible speeds (a batch the quality rules reject)")
    for name in (*etl.STEPS, "etl"):
        step = commands.add_parser(name, help=f"run {name} over one interval")
        step.add_argument("--start", help="ISO 8601 with offset (default: the last complete 15-minute window)")
        step.add_argument("--end", help="ISO 8601 with offset, exclusive")
        if name == "feature-engineering":
            step.add_argument("--publish", action="store_true", help="then write the online features to the store")
    promote = commands.add_parser("promote", help="make a registered version the production model")
    promote.add_argument("--version", type=int, required=True)
    commands.add_parser("demo", help="the whole pipeline once on the embedded AWS")
    return parser


def run(args: argparse.Namespace) -> dict[str, Any]:
    resources = Resources.from_env()
    if args.command == "simulate":
        from citysense_pipeline.simulate import simulate

        return simulate(resources, segments=args.segments, days=args.days, corrupt=args.corrupt).as_dict()
    if args.command == "promote":
        return registry.promote(resources, args.version)
    if args.command == "demo":
        from citysense_pipeline.demo import run_all

        return run_all(resources.endpoint_url, resources.env)
    if bool(args.start) != bool(args.end):
        raise ValueError("give both --start and --end, or neither (the last complete window)")
    interval = etl.Interval.parse(args.start, args.end) if args.start else etl.Interval.last_window(datetime.now(UTC))
    if args.command == "etl":
        return etl.run_all(resources, interval)
    result = etl.STEPS[args.command](resources, interval)
    if getattr(args, "publish", False):
        result["published"] = etl.run_publish(resources, interval)
    return result


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result = run(args)
    except quality.QualityError as exc:
        print(f"error: batch quarantined: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"error: {args.command}: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    print(json.dumps(result, default=str))
    return 0 if result.get("ok", True) else 2


if __name__ == "__main__":
    sys.exit(main())
