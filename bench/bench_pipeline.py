"""Pipeline throughput in one run: readings per second through transform + quality + features, ours vs plain pandas.

    python bench/bench_pipeline.py [--segments 40] [--days 7] [--repeat 3] [--no-dag]

"Ours" is the DAG's code path (`transform.transform`, the pandera rules in `quality.validate`,
`features.training_rows` + `online_features`); "plain pandas" does the same cleaning, the same range,
null, uniqueness and freshness checks as boolean masks, and the same feature joins, by hand. Both get
the same in-memory raw batch, so the ratio is the cost of declared rules and shared definitions.
Unless --no-dag, one `dag.test()` run of a day's batch on the embedded AWS is timed as well.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "workloads" / "pipeline"), str(ROOT / "workloads" / "inference")]

from citysense_inference.data import STEP_MINUTES, STEPS_PER_DAY, generate  # noqa: E402
from citysense_pipeline.extract import RawBatch  # noqa: E402
from citysense_pipeline.features import online_features, training_rows  # noqa: E402
from citysense_pipeline.quality import validate  # noqa: E402
from citysense_pipeline.transform import transform  # noqa: E402

START = datetime(2026, 11, 2, tzinfo=UTC)


def raw_batch(segments: int, days: int) -> RawBatch:
    """The simulator's traffic as a streamed batch (1 % re-sent), its weather and catalogue, in memory."""
    data = generate(segments=segments, days=days)
    step = (data.day_index * STEPS_PER_DAY + (data.hour * 60 / STEP_MINUTES).round()).astype(int)
    moments = [(START + timedelta(minutes=int(s) * STEP_MINUTES)).isoformat() for s in step]
    streamed = pd.DataFrame(
        {
            "segment_id": [f"seg-{s:04d}" for s in data.segment],
            "observed_at": moments,
            "speed_kmh": data.speed_kmh.round(2),
            "volume_vph": data.volume_vph.round(1),
            "occupancy": (data.volume_vph / data.speed_kmh * 0.0065).clip(0, 0.95).round(4),
        }
    )
    streamed = pd.concat([streamed, streamed.sample(frac=0.01, random_state=1)], ignore_index=True)
    weather = pd.DataFrame({"observed_at": moments, "rain_mm_h": data.rain_mm_h, "temperature_c": data.temperature_c})
    catalogue = pd.DataFrame({"segment_id": [f"seg-{s:04d}" for s in range(segments)]})
    catalogue["free_flow_kmh"] = pd.Series(data.free_flow_kmh).groupby(data.segment).first().to_numpy()
    empty = pd.DataFrame()
    return RawBatch(streamed, empty, weather.drop_duplicates("observed_at"), empty, catalogue)


def ours(raw: RawBatch, start: datetime, end: datetime) -> int:
    clean = transform(raw)
    validate(clean, start, end)
    return len(training_rows(clean)) + len(online_features(clean))


def plain_pandas(raw: RawBatch, start: datetime, end: datetime) -> int:
    """The same steps written directly: no schema objects, no shared feature module."""
    frame = raw.streamed.assign(observed_at=pd.to_datetime(raw.streamed["observed_at"], utc=True))
    frame = frame.drop_duplicates(["segment_id", "observed_at"]).sort_values(["observed_at", "segment_id"])
    weather = raw.weather.assign(observed_at=pd.to_datetime(raw.weather["observed_at"], utc=True))
    frame = pd.merge_asof(frame, weather.sort_values("observed_at"), on="observed_at", tolerance=pd.Timedelta("30min"))
    frame = frame.merge(raw.segments, on="segment_id", how="left")
    limits = {"speed_kmh": (0, 200), "volume_vph": (0, 20_000), "occupancy": (0, 1), "rain_mm_h": (0, 300)}
    bad = frame[list(limits)].isna().any(axis=1)
    for column, (low, high) in limits.items():
        bad |= ~frame[column].between(low, high)
    bad |= (
        frame.duplicated(["segment_id", "observed_at"]) | (frame["observed_at"] >= end) | (frame["observed_at"] < start)
    )
    if bad.any() or frame["observed_at"].max() < pd.Timestamp(end) - pd.Timedelta("30min"):
        raise ValueError("bad batch")
    speeds = frame[["segment_id", "observed_at", "speed_kmh"]]
    prev = speeds.assign(observed_at=speeds["observed_at"] + pd.Timedelta("15min")).rename(
        columns={"speed_kmh": "prev"}
    )
    future = speeds.assign(observed_at=speeds["observed_at"] - pd.Timedelta("15min")).rename(columns={"speed_kmh": "y"})
    rows = frame.merge(prev, on=["segment_id", "observed_at"]).merge(future, on=["segment_id", "observed_at"])
    latest = frame.merge(prev, on=["segment_id", "observed_at"]).groupby("segment_id").tail(1)
    return len(rows) + len(latest)


def best_of(repeat: int, run: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return min(times)


def dag_seconds() -> float:
    """Wall time of one dag.test() run (Airflow venv child process) of one day for 8 segments."""
    from citysense_pipeline.aws import ensure_resources
    from citysense_pipeline.config import Resources
    from citysense_pipeline.demo import run_dag
    from citysense_pipeline.simulate import simulate

    from citygate.moto_server import MotoServer

    with MotoServer() as server, tempfile.TemporaryDirectory() as work:
        resources = Resources.for_env("bench", server.endpoint)
        ensure_resources(resources)
        sim = simulate(resources, segments=8, days=1)
        run_dag(resources, sim, Path(work) / "airflow")  # migrates Airflow's database: not timed
        began = time.perf_counter()
        outcome = run_dag(resources, sim, Path(work) / "airflow")
        if outcome.get("state") != "success":
            raise SystemExit(f"DAG run {outcome.get('state')}: {outcome.get('tasks')}")
        return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=40)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-dag", action="store_true")
    args = parser.parse_args()
    raw = raw_batch(args.segments, args.days)
    start, end = START, START + timedelta(days=args.days)
    readings = len(raw.streamed)
    if ours(raw, start, end) != plain_pandas(raw, start, end):
        raise SystemExit("the two implementations disagree: the comparison would be meaningless")
    ours_s = best_of(args.repeat, lambda: ours(raw, start, end))
    pandas_s = best_of(args.repeat, lambda: plain_pandas(raw, start, end))
    print(f"readings: {readings:,} ({args.segments} segments x {args.days} days, 5-minute readings)")
    print(
        f"ours (transform + pandera quality + shared features): {readings / ours_s:>12,.0f} readings/s  {ours_s:.3f} s"
    )
    print(
        f"plain pandas (same steps by hand):                    {readings / pandas_s:>12,.0f} readings/s  {pandas_s:.3f} s"
    )
    print(f"ratio ours / plain pandas (time): {ours_s / pandas_s:.2f}x")
    if not args.no_dag:
        print(f"dag.test() wall time, one day x 8 segments: {dag_seconds():.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
