"""Load shapes for the promotion gate: ramp up at a fixed rate, then soak at full load."""

from __future__ import annotations

from locust import LoadTestShape


class RampSoakShape(LoadTestShape):
    """Ramp to `users` at `spawn_rate` users/s, hold them until `duration_s`, then stop.

    The soak after the ramp is what shows leaks and queueing that a short burst hides; the
    SLOs are measured over the whole run, ramp included, as production traffic ramps too.
    """

    abstract = False

    def __init__(self, users: int = 10, spawn_rate: float = 5.0, duration_s: float = 60.0) -> None:
        super().__init__()
        self.users = users
        self.spawn_rate = spawn_rate
        self.duration_s = duration_s

    def tick(self) -> tuple[int, float] | None:
        if self.get_run_time() >= self.duration_s:
            return None
        return self.users, self.spawn_rate
