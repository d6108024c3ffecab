"""The Redshift warehouse's SQL, run for real: each Data API batch executes in a real PostgreSQL (Redshift speaks
PostgreSQL's dialect for these statements) in one transaction, as the Data API runs a batch.

The stand-in implements only the three Data API calls `RedshiftDataWarehouse` makes; what is judged is the SQL it
sends (it must parse and run), its replace semantics (idempotent per interval) and its atomicity (a failing
batch leaves the previous rows).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd
import psycopg
import pytest
from citysense_pipeline.warehouse import COLUMNS, RedshiftDataWarehouse, from_uri

from citygate.localcity.postgres import LocalPostgres


class PostgresDataApi:
    """`batch_execute_statement`, `describe_statement` and `get_statement_result` over one PostgreSQL database."""

    def __init__(self, connect: dict[str, Any]) -> None:
        self.connect = connect
        self.batches: list[dict[str, Any]] = []
        self._results: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    def batch_execute_statement(self, WorkgroupName: str, Database: str, Sqls: Sequence[str]) -> dict[str, str]:
        statement = f"stmt-{next(self._ids)}"
        self.batches.append({"workgroup": WorkgroupName, "database": Database, "sqls": list(Sqls)})
        rows: list[tuple[Any, ...]] = []
        try:
            with psycopg.connect(**self.connect) as db, db.transaction(), db.cursor() as cursor:
                for sql in Sqls:
                    cursor.execute(sql.encode())
                rows = cursor.fetchall() if cursor.description else []
            self._results[statement] = {"Status": "FINISHED", "Rows": rows}
        except psycopg.Error as exc:
            self._results[statement] = {"Status": "FAILED", "Error": str(exc).splitlines()[0]}
        return {"Id": statement}

    def describe_statement(self, Id: str) -> dict[str, Any]:
        return {key: value for key, value in self._results[Id].items() if key != "Rows"}

    def get_statement_result(self, Id: str) -> dict[str, Any]:
        return {"Records": [[{"longValue": int(value)} for value in row] for row in self._results[Id]["Rows"]]}


@pytest.fixture(scope="module")
def data_api() -> Iterator[PostgresDataApi]:
    with LocalPostgres() as server:
        login = server.login
        yield PostgresDataApi(
            {
                "host": login.host,
                "port": login.port,
                "user": login.user,
                "password": login.password,
                "dbname": "postgres",
            }
        )


def hourly_rows(interval: str, segments: int, mean_speed: float = 42.5) -> pd.DataFrame:
    rows = [
        (interval, f"seg-{n:04d}", "2026-11-30T08:00:00+00:00", 12, mean_speed, 150.0, 0.31) for n in range(segments)
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def test_replacing_an_interval_twice_leaves_one_copy_of_its_rows(data_api: PostgresDataApi) -> None:
    warehouse = RedshiftDataWarehouse(data_api, "citygate-dev", "city")
    warehouse.BATCH = 2  # five rows: three INSERT statements in the same batch as the delete
    assert warehouse.replace("20261130T08", hourly_rows("20261130T08", 5)) == 5
    assert warehouse.replace("20261130T08", hourly_rows("20261130T08", 5)) == 5
    assert warehouse.replace("20261130T09", hourly_rows("20261130T09", 3)) == 3
    assert warehouse.count("20261130T08") == 5 and warehouse.count("20261130T09") == 3
    sent = data_api.batches[0]
    assert (sent["workgroup"], sent["database"]) == ("citygate-dev", "city")
    assert [sql.split()[0] for sql in sent["sqls"]] == ["CREATE", "DELETE", "INSERT", "INSERT", "INSERT"]


def test_a_failing_batch_keeps_the_rows_it_was_replacing(data_api: PostgresDataApi) -> None:
    warehouse = RedshiftDataWarehouse(data_api, "citygate-dev", "city")
    warehouse.replace("20261130T10", hourly_rows("20261130T10", 4))
    broken = hourly_rows("20261130T10", 2).astype({"readings": object})
    broken.loc[1, "readings"] = "twelve"  # a text value in an INTEGER column: the INSERT fails, so does the batch
    with pytest.raises(RuntimeError, match="FAILED"):
        warehouse.replace("20261130T10", broken)
    assert warehouse.count("20261130T10") == 4


def test_a_quote_in_a_value_is_data_not_sql(data_api: PostgresDataApi) -> None:
    warehouse = RedshiftDataWarehouse(data_api, "citygate-dev", "city")
    warehouse.replace("20261130T12", hourly_rows("20261130T12", 2))
    rows = hourly_rows("20261130T11", 1)
    rows.loc[0, "segment_id"] = "seg-'; DROP TABLE segment_hourly; --"
    assert warehouse.replace("20261130T11", rows) == 1
    assert warehouse.count("20261130T11") == 1 and warehouse.count("20261130T12") == 2


def test_a_redshift_uri_names_the_workgroup_and_database() -> None:
    made: list[str] = []
    warehouse = from_uri("redshift://citygate-prod/analytics", lambda service: made.append(service) or object())
    assert isinstance(warehouse, RedshiftDataWarehouse)
    assert (warehouse.workgroup, warehouse.database, made) == ("citygate-prod", "analytics", ["redshift-data"])
