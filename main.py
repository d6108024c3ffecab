"""citygate entry point: the CDKTF app (bare `python main.py`, as cdktf.json's "app") and the CLI."""

from __future__ import annotations

import sys


def _synth_as_cdktf_app() -> int:
    """`cdktf synth` runs `python main.py` with no arguments: synthesize the env it asks for."""
    import os

    from citygate.cli import main as cli_main

    return cli_main(["synth", "--env", os.environ.get("CITYGATE_ENV", "local")])


if __name__ == "__main__":
    if len(sys.argv) == 1:
        sys.exit(_synth_as_cdktf_app())
    from citygate.cli import main

    sys.exit(main(sys.argv[1:]))
