"""Warehouse aggregates (hourly per segment) behind one small interface: Redshift on AWS, SQLite locally.

`replace` deletes the interval's rows and inserts the new ones in one transaction, so re-running an
interval leaves the same table, never duplicates.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

TABLE = "segment_hourly"
COLUMNS = ("interval_id", "segment_id", "hour_start", "readings", "mean_speed_kmh", "vehicles", "mean_occupancy")
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (interval_id VARCHAR(64) NOT NULL, segment_id VARCHAR(64) NOT NULL, "
    "hour_start VARCHAR(32) NOT NULL, readings INTEGER NOT NULL, mean_speed_kmh DOUBLE PRECISION NOT NULL, "
    "vehicles DOUBLE PRECISION NOT NULL, mean_occupancy DOUBLE PRECISION NOT NULL)"
)


def hourly(readings: pd.DataFrame, interval: str) -> pd.DataFrame:
    """Readings per segment and hour: count, mean speed, vehicles (volume x 5 minutes), mean occupancy."""
    hours = readings.assign(hour_start=readings["observed_at"].dt.floor("h"), vehicles=readings["volume_vph"] / 12.0)
    grouped = hours.groupby(["segment_id", "hour_start"], sort=True)
    frame = grouped.agg(
        readings=("speed_kmh", "size"),
        mean_speed_kmh=("speed_kmh", "mean"),
        vehicles=("vehicles", "sum"),
        mean_occupancy=("occupancy", "mean"),
    ).reset_index()
    frame["hour_start"] = frame["hour_start"].map(lambda t: t.isoformat())
    frame.insert(0, "interval_id", interval)
    return frame[list(COLUMNS)].round(4)


class Warehouse(Protocol):
    def replace(self, interval: str, rows: pd.DataFrame) -> int:
        """Make the interval's rows exactly `rows`; returns how many were written."""

    def count(self, interval: str) -> int: ...


class SqliteWarehouse:
    """Local and test warehouse: a SQLite file with the same table and the same replace semantics."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def replace(self, interval: str, rows: pd.DataFrame) -> int:
        with sqlite3.connect(self.path) as db:
            db.execute(DDL)
            db.execute(f"DELETE FROM {TABLE} WHERE interval_id = ?", (interval,))
            marks = ", ".join("?" * len(COLUMNS))
            db.executemany(f"INSERT INTO {TABLE} VALUES ({marks})", rows.itertuples(index=False, name=None))
        return len(rows)

    def count(self, interval: str) -> int:
        with sqlite3.connect(self.path) as db:
            (n,) = db.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE interval_id = ?", (interval,)).fetchone()
        return int(n)


class RedshiftDataWarehouse:
    """Redshift Serverless through the Data API (IAM auth, no driver, no password in the pod)."""

    BATCH = 200

    def __init__(self, client: Any, workgroup: str, database: str) -> None:
        self.client, self.workgroup, self.database = client, workgroup, database

    def _run(self, sqls: Sequence[str]) -> str:
        answer = self.client.batch_execute_statement(
            WorkgroupName=self.workgroup, Database=self.database, Sqls=list(sqls)
        )
        statement = answer["Id"]
        while True:
            status = self.client.describe_statement(Id=statement)
            if status["Status"] == "FINISHED":
                return statement
            if status["Status"] in ("FAILED", "ABORTED"):
                raise RuntimeError(f"redshift statement {statement} {status['Status']}: {status.get('Error', '')}")
            time.sleep(0.5)

    def replace(self, interval: str, rows: pd.DataFrame) -> int:
        def literal(value: Any) -> str:
            return "'" + str(value).replace("'", "''") + "'" if isinstance(value, str) else repr(float(value))

        values = [f"({', '.join(map(literal, row))})" for row in rows.itertuples(index=False, name=None)]
        inserts = [
            f"INSERT INTO {TABLE} VALUES {', '.join(values[i : i + self.BATCH])}"
            for i in range(0, len(values), self.BATCH)
        ]
        # One batch is one transaction in the Data API: the delete and the inserts land together or not at all.
        self._run([DDL, f"DELETE FROM {TABLE} WHERE interval_id = {literal(interval)}", *inserts])
        return len(rows)

    def count(self, interval: str) -> int:
        statement = self._run([f"SELECT COUNT(*) FROM {TABLE} WHERE interval_id = '{interval}'"])
        return int(self.client.get_statement_result(Id=statement)["Records"][0][0]["longValue"])


def from_uri(uri: str | None, client_factory: Any = None) -> Warehouse | None:
    """`sqlite:///path/to.db` or `redshift://<workgroup>/<database>`; None (no warehouse step) when unset."""
    if not uri:
        return None
    if uri.startswith("sqlite:///"):
        return SqliteWarehouse(Path(uri.removeprefix("sqlite:///")))
    if uri.startswith("redshift://"):
        workgroup, _, database = uri.removeprefix("redshift://").partition("/")
        return RedshiftDataWarehouse(client_factory("redshift-data"), workgroup, database or "dev")
    raise ValueError(f"unknown warehouse URI {uri!r}: expected sqlite:///path or redshift://workgroup/database")
