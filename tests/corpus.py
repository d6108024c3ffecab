"""Where the public real-world corpus lives: `shared/corpus` beside the repository (CI lays it there).

`CITYGATE_CORPUS` overrides it.  A missing corpus is an error, not zero parametrized tests.
"""

from __future__ import annotations

import os
from pathlib import Path

from citygate.paths import ROOT

CORPUS = Path(os.environ.get("CITYGATE_CORPUS", ROOT.parent / "shared" / "corpus"))
if not (CORPUS / "plans").is_dir() or not (CORPUS / "k8s").is_dir():
    raise RuntimeError(f"the real-world corpus is missing at {CORPUS} (set CITYGATE_CORPUS)")
PLANS = CORPUS / "plans"
K8S = CORPUS / "k8s"
