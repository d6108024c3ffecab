"""Traffic of the citysense inference service as the city's sensor gateways produce it.

Most calls are single-segment predictions, a share are batches from corridor aggregators, and
the platform's probes poll health. Responses are checked, not only status codes: a 200 with the
wrong number of predictions is a failure. Run directly with Locust or through
`python main.py loadtest`, which adds SLO gating:

    locust -f loadtests/locustfile.py --headless -u 10 -r 5 -t 30s --host http://127.0.0.1:8080
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from typing import Any

from locust import FastHttpUser, between, task

CITY_TZ = timezone(timedelta(hours=1))
FREE_FLOW_KMH = (30.0, 50.0, 70.0, 90.0, 110.0)
SEGMENTS = 500
JSON_HEADERS = {"content-type": "application/json"}


def sensor_reading(rng: random.Random) -> dict[str, Any]:
    """A plausible 5-minute aggregate for a random segment at a random time of the week."""
    free_flow = rng.choice(FREE_FLOW_KMH)
    speed = free_flow * rng.uniform(0.2, 1.05)
    moment = datetime(2026, 11, 23, tzinfo=CITY_TZ) + timedelta(minutes=5 * rng.randrange(7 * 288))
    return {
        "segment_id": f"seg-{rng.randrange(SEGMENTS):04d}",
        "timestamp": moment.isoformat(),
        "speed_kmh": round(speed, 1),
        "speed_prev_kmh": round(min(200.0, speed * rng.uniform(0.85, 1.15)), 1),
        "volume_vph": round(rng.uniform(50.0, 3500.0)),
        "rain_mm_h": round(rng.choice((0.0, 0.0, 0.0, rng.uniform(0.2, 8.0))), 1),
        "temperature_c": round(rng.uniform(-5.0, 30.0), 1),
        "free_flow_kmh": free_flow,
    }


class SensorGatewayUser(FastHttpUser):
    """One gateway: predicts, sometimes in batches, with a short think time between calls."""

    wait_time = between(0.05, 0.25)

    def on_start(self) -> None:
        self.rng = random.Random()

    def _predict(self, body: dict[str, Any], expected: int, name: str) -> None:
        with self.client.post(
            "/v1/predict", data=json.dumps(body), headers=JSON_HEADERS, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            answer = response.json()
            got = len(answer["predictions"]) if "predictions" in answer else int("prediction" in answer)
            if got != expected:
                response.failure(f"expected {expected} predictions, got {got}")

    @task(12)
    def predict_single(self) -> None:
        self._predict(sensor_reading(self.rng), 1, "POST /v1/predict [single]")

    @task(3)
    def predict_batch(self) -> None:
        size = self.rng.randint(8, 64)
        body = {"instances": [sensor_reading(self.rng) for _ in range(size)]}
        self._predict(body, size, "POST /v1/predict [batch]")

    @task(1)
    def liveness(self) -> None:
        self.client.get("/healthz")

    @task(1)
    def readiness(self) -> None:
        self.client.get("/readyz")
