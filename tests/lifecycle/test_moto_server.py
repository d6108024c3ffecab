"""The embedded AWS server: starts on a free port, resets, can be kept running and found again."""

from __future__ import annotations

import json
import os
from pathlib import Path

import boto3
import pytest

from citygate.errors import CitygateError
from citygate.moto_server import KeptServer, MotoServer, is_serving, reset


def s3_client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )


def test_server_serves_on_localhost_and_stops_on_exit() -> None:
    with MotoServer() as server:
        assert server.endpoint.startswith("http://127.0.0.1:")
        s3 = s3_client(server.endpoint)
        s3.create_bucket(Bucket="reset-me")
        reset(server.endpoint)
        assert s3.list_buckets()["Buckets"] == []
    assert not is_serving(server.endpoint)


def test_a_detached_server_is_found_by_its_record_and_stopped(tmp_path: Path) -> None:
    record = tmp_path / "moto.json"
    with MotoServer() as server:
        server.detach(record)
    kept = KeptServer.find(record)
    assert kept is not None and kept.endpoint == server.endpoint
    kept.stop()
    assert not is_serving(server.endpoint)
    assert not record.exists()


def test_a_record_of_a_dead_process_is_ignored_and_removed(tmp_path: Path) -> None:
    record = tmp_path / "moto.json"
    record.write_text('{"endpoint": "http://127.0.0.1:9", "pid": 999999999}')
    assert KeptServer.find(record) is None
    assert not record.exists()
    assert KeptServer.find(tmp_path / "absent.json") is None


def test_a_live_process_that_is_not_moto_is_an_error(tmp_path: Path) -> None:
    record = tmp_path / "moto.json"
    record.write_text(json.dumps({"endpoint": "http://127.0.0.1:9", "pid": os.getpid()}))
    with pytest.raises(CitygateError, match="does not answer"):
        KeptServer.find(record, timeout=0.1)
