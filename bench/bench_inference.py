"""Inference service vs a no-op FastAPI endpoint, same server, same client, same run, on loopback.

    .venv/bin/python bench/bench_inference.py [--concurrency 8] [--seconds 5] [--rounds 3]

Both apps run under the same uvicorn (one worker, httptools + uvloop, no access log) and get the
same single-prediction POST from a closed-loop client at fixed concurrency. The no-op endpoint is
the framework's own ceiling on this machine; the goal is >= 70 % of its throughput with the
service's p95 <= 25 ms. Rounds alternate between the two so that load from other processes on a
shared machine hits both alike; each side's numbers pool all its rounds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import gevent  # noqa: E402
import numpy as np  # noqa: E402
import psutil  # noqa: E402
from fastapi import FastAPI, Request  # noqa: E402
from fastapi.responses import Response  # noqa: E402
from geventhttpclient import HTTPClient  # noqa: E402

from citygate.loadtest.local_service import LocalService  # noqa: E402

READING = {
    "segment_id": "seg-0042",
    "timestamp": "2026-11-23T08:15:00+01:00",
    "speed_kmh": 38.5,
    "speed_prev_kmh": 44.0,
    "volume_vph": 1650,
    "rain_mm_h": 1.2,
    "temperature_c": 7.5,
    "free_flow_kmh": 50.0,
}
GOAL_RATIO, GOAL_P95_MS = 0.70, 25.0


def noop_app() -> FastAPI:
    """The floor: same routes, body read and ignored, constant answer."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    answer = b'{"ok":true}'

    @app.post("/v1/predict")
    async def predict(request: Request) -> Response:
        await request.body()
        return Response(answer, media_type="application/json")

    @app.get("/readyz")
    async def readyz() -> Response:
        return Response(answer, media_type="application/json")

    return app


@dataclass(frozen=True)
class Result:
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    server_cpu_us: float  # per request: robust to other load on a shared machine, unlike rps


class Target:
    """One server under test; accumulates latencies, errors and the server's CPU time over its rounds."""

    def __init__(self, server: LocalService) -> None:
        self.url = server.url
        self.process = psutil.Process(server.pid)
        self.latencies: list[float] = []
        self.errors = 0
        self.elapsed = 0.0
        self.cpu_s = 0.0

    def _cpu(self) -> float:
        times = self.process.cpu_times()
        return float(times.user + times.system)

    def hammer(self, concurrency: int, seconds: float, record: bool = True) -> None:
        """Closed loop: `concurrency` keep-alive connections, each sending its next request on each answer."""
        body = json.dumps(READING).encode()
        headers = {"content-type": "application/json"}

        def user(stop_at: float) -> None:
            client = HTTPClient.from_url(self.url, concurrency=1, connection_timeout=5, network_timeout=10)
            while time.perf_counter() < stop_at:
                start = time.perf_counter()
                response = client.post("/v1/predict", body=body, headers=headers)
                response.read()
                if record:
                    self.latencies.append(time.perf_counter() - start)
                    self.errors += response.status_code != 200
            client.close()

        started, cpu_before = time.perf_counter(), self._cpu()
        gevent.joinall([gevent.spawn(user, started + seconds) for _ in range(concurrency)])
        if record:
            self.elapsed += time.perf_counter() - started
            self.cpu_s += self._cpu() - cpu_before

    def result(self) -> Result:
        ms = np.asarray(self.latencies) * 1000.0
        percentiles = (float(np.percentile(ms, q)) for q in (50, 95, 99))
        return Result(len(ms), self.errors, len(ms) / self.elapsed, *percentiles, self.cpu_s / len(ms) * 1e6)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0, help="per target and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with (
        LocalService(app=f"{Path(__file__).stem}:noop_app", app_dir=Path(__file__).parent) as noop_server,
        LocalService() as service_server,
    ):
        noop, service = Target(noop_server), Target(service_server)
        for target in (noop, service):
            target.hammer(args.concurrency, 1.0, record=False)  # warm-up
        for _ in range(args.rounds):
            for target in (noop, service):
                target.hammer(args.concurrency, args.seconds)
    floor, ours = noop.result(), service.result()

    print(
        f"concurrency {args.concurrency}, {args.rounds} x {args.seconds:g}s per target, "
        "single-prediction POST on loopback"
    )
    header = f"{'target':<22}{'requests':>10}{'errors':>8}{'rps':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
    print(f"{header}{'server CPU us/req':>19}")
    for name, r in (("no-op FastAPI", floor), ("citysense inference", ours)):
        print(
            f"{name:<22}{r.requests:>10}{r.errors:>8}{r.rps:>8.0f}{r.p50_ms:>8.2f}{r.p95_ms:>8.2f}{r.p99_ms:>8.2f}"
            f"{r.server_cpu_us:>19.1f}"
        )
    ratio = ours.rps / floor.rps
    met = ratio >= GOAL_RATIO and ours.p95_ms <= GOAL_P95_MS and ours.errors == 0
    print(f"throughput ratio {ratio:.2f} (goal >= {GOAL_RATIO}), p95 {ours.p95_ms:.2f} ms (goal <= {GOAL_P95_MS:g})")
    print(f"server CPU per request ratio (no-op / service) {floor.server_cpu_us / ours.server_cpu_us:.2f}")
    print("goal met" if met else "goal NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
