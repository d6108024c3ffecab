"""`exceptions`: the exception register as a table, with the days each entry has left.

Exit 1 when an entry has expired (it fails every gate run until renewed or removed), so CI can
run this on its own; 0 otherwise.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich import box
from rich.table import Table
from rich.text import Text

from citygate.errors import CitygateError
from citygate.exceptions import PolicyException, load_register
from citygate.paths import EXCEPTIONS_FILE
from citygate.reporters.text import console_text

COLUMNS = ("id", "target", "resource", "owner", "approver", "ticket", "created", "expires", "days left")


def row(entry: PolicyException, today: dt.date) -> tuple[str, ...]:
    left = entry.days_left(today)
    return (
        entry.id,
        entry.target,
        entry.resource,
        entry.owner,
        entry.approver,
        entry.ticket,
        entry.created.isoformat(),
        entry.expires.isoformat(),
        f"expired {-left} days ago" if left < 0 else str(left),
    )


def render_register(entries: list[PolicyException], today: dt.date) -> str:
    table = Table(box=box.SIMPLE_HEAD)
    for column in COLUMNS:
        table.add_column(column, overflow="fold")
    for entry in sorted(entries, key=lambda e: (e.expires, e.id)):
        table.add_row(*map(Text, row(entry, today)))
    return console_text(lambda console: console.print(table), width=200)


@click.command("exceptions")
@click.option(
    "--file",
    "register",
    type=click.Path(dir_okay=False, path_type=Path),
    default=EXCEPTIONS_FILE,
    show_default=True,
    help="The exception register.",
)
def exceptions(register: Path) -> int:
    """List the exception register with the days each entry has left."""
    if not register.is_file():
        raise CitygateError("no such exception register", str(register))
    today = dt.date.today()
    entries = load_register(register)
    expired = [e.id for e in entries if e.expired(today)]
    click.echo(render_register(entries, today), nl=False)
    click.echo(f"{len(entries)} exceptions, {len(expired)} expired" + (f": {', '.join(expired)}" if expired else ""))
    return 1 if expired else 0
