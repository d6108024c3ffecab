"""The page's other forms: `controls.csv` (one row per requirement, control and environment) and a PDF
printed by headless Chromium with the page's print stylesheet (every detail open, matrices wrapped)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from citygate.errors import CitygateError
from citygate.livingdoc.matrix import RequirementRow
from citygate.outputs import write_report

CSV_COLUMNS = ("requirement", "control", "environment", "status", "evidence")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PRINT_TIMEOUT = 180


def csv_rows(rows: list[RequirementRow], page: str, environments: list[str]) -> list[dict[str, str]]:
    """A requirement without controls is one row per environment with its disposition as the status."""
    out = []
    for row in rows:
        req = row.requirement
        for env in environments:
            if not row.controls:
                status = row.status
                out.append(dict(zip(CSV_COLUMNS, (req.id, "", env, status, f"{page}#{req.id}"), strict=True)))
            for control in row.controls:
                status = control.cells[env].status
                link = f"{page}#ctl-{control.control.id}-{env}"
                out.append(dict(zip(CSV_COLUMNS, (req.id, control.control.id, env, status, link), strict=True)))
    return out


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return write_report(path, buffer.getvalue())


def chromium() -> Path:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise CitygateError(
            "chromium not found: the PDF is printed by headless Chromium (make deps installs it)", "pdf"
        )
    return Path(found)


def print_pdf(page: Path, pdf: Path) -> Path:
    """Print `page` to `pdf` in a throwaway browser profile; fail closed if Chromium wrote nothing."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.unlink(missing_ok=True)  # a stale PDF must not pass for this one
    with tempfile.TemporaryDirectory(prefix="citygate-chromium-") as profile:
        command = [
            str(chromium()),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf.resolve()}",
            page.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PRINT_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise CitygateError(f"chromium did not print within {PRINT_TIMEOUT}s", str(pdf)) from None
    if done.returncode != 0 or not pdf.is_file() or pdf.read_bytes()[:5] != b"%PDF-":
        tail = " ".join(done.stderr.strip().splitlines()[-2:])[-300:]
        raise CitygateError(f"chromium printed no PDF (exit {done.returncode}: {tail})", str(pdf))
    return pdf
