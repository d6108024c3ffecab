"""Run the API with the dashboard on loopback, in this process: `with start_stack(settings) as url: ...`.

For local runs and the browser test: the dashboard's static files (`workloads/web/static` in the
repository) are served by the API app on the same origin, as nginx serves them beside the API in a
cluster.  The inference service, PostgreSQL and the AWS stores are the ones `settings` names.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import boto3
import uvicorn
from sqlalchemy import Engine

from citysense_api.app import create_app
from citysense_api.settings import Settings

HOST = "127.0.0.1"
WEB_STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
START_TIMEOUT_S = 30.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def start_stack(
    settings: Settings,
    aws: boto3.session.Session | None = None,
    engine: Engine | None = None,
    web_root: Path = WEB_STATIC,
    *,
    ssl_certfile: Path | None = None,
    ssl_keyfile: Path | None = None,
) -> Iterator[str]:
    """The API (and dashboard at `/`) under uvicorn on a free loopback port; yields its base URL, stops on exit.

    With `ssl_certfile` and `ssl_keyfile` it serves HTTPS, as the cluster's ingress does."""
    app = create_app(replace(settings, web_root=web_root), engine=engine, aws=aws)
    config = uvicorn.Config(
        app,
        host=HOST,
        port=_free_port(),
        log_level="warning",
        access_log=False,
        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="citysense-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the API did not start on {HOST}:{server.config.port}")
        time.sleep(0.05)
    try:
        yield f"{'https' if ssl_certfile else 'http'}://{HOST}:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
