"""The end-to-end smoke suite: what a user of the city would notice first, checked against any base URL.

The same checks run in the release after the staging deploy (`python main.py smoke`) and in the test
suite against the local stack, so "staging works" and "the local city works" mean the same thing.
"""

from citygate.smoke.checks import SmokeResult
from citygate.smoke.suite import run_smoke

__all__ = ["SmokeResult", "run_smoke"]
