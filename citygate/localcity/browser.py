"""The dashboard in headless Chromium: the page loads over HTTPS, calls the API and renders a forecast.

Chromium is the one the PDF export uses (`citygate.livingdoc.exports.chromium`); it trusts exactly the
local certificate, by its SPKI pin.  Virtual time lets the page's fetches finish before the DOM is dumped.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from typing import Any

from citygate.errors import CitygateError
from citygate.livingdoc.exports import CHROMIUM_FLAGS, chromium

VIRTUAL_TIME_BUDGET_MS = 10_000
TIMEOUT_S = 120
FORECAST = re.compile(r'<div id="forecast"[^>]*data-state="ready"[^>]*>.*?<dd>(\d+\.\d) km/h</dd>', re.S)


def forecast_in(dom: str) -> float | None:
    """The forecast speed the page rendered, or None when it shows none."""
    found = FORECAST.search(dom)
    return float(found.group(1)) if found else None


def dump_dom(url: str, spki_sha256: str | None = None) -> str:
    """The page's DOM once its fetches have finished (virtual time), trusting the certificate of SPKI pin
    `spki_sha256` when given; CitygateError when Chromium is missing, fails or overruns."""
    browser = chromium()
    pin = [f"--ignore-certificate-errors-spki-list={spki_sha256}"] if spki_sha256 else []
    with tempfile.TemporaryDirectory(prefix="citygate-chromium-") as profile:
        command = [
            str(browser), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *pin,
            f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}", "--dump-dom", url,
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise CitygateError(f"chromium did not finish within {TIMEOUT_S}s", url) from None
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise CitygateError(f"chromium exited {done.returncode}: {tail}", url)
    return done.stdout


def load_dashboard(base_url: str, segment: str, spki_sha256: str) -> dict[str, Any]:
    """{"status": passed|failed|skipped, "detail", "forecast_kmh"} for `base_url/?segment=SEGMENT`."""
    try:
        chromium()
    except CitygateError as exc:
        return {"status": "skipped", "detail": str(exc), "forecast_kmh": None}
    url = f"{base_url}/?segment={segment}"
    try:
        dom = dump_dom(url, spki_sha256)
    except CitygateError as exc:
        return {"status": "failed", "detail": str(exc), "forecast_kmh": None}
    speed = forecast_in(dom)
    if speed is None:
        state = re.search(r'<div id="forecast"[^>]*data-state="(\w+)"', dom)
        shown = state.group(1) if state else "no forecast element"
        return {"status": "failed", "detail": f"{url}: the forecast is not ready ({shown})", "forecast_kmh": None}
    return {"status": "passed", "detail": f"{url} shows a forecast of {speed} km/h", "forecast_kmh": speed}
