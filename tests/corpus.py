"""The public real-world corpus the tests judge: `tests/corpus/` in this repository.

Every file's repository, path, commit and licence are in `tests/corpus/SOURCES.md`.  The corpus is
part of the clone, so a missing folder is an error, never zero parametrized tests.
"""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
PLANS = CORPUS / "plans"
K8S = CORPUS / "k8s"
if not PLANS.is_dir() or not K8S.is_dir():
    raise RuntimeError(f"the real-world corpus is missing at {CORPUS}: it is part of the repository")
