"""The platform's environments, by name: the one list every command, check and test iterates.

Their sizes and settings live with the stacks (`stacks.config.ENVIRONMENTS`, one record per name
here, in this order; a stacks test keeps the two in step).
"""

from __future__ import annotations

ENVIRONMENTS = ("local", "dev", "staging", "prod")

# Every stack citygate synthesizes, plans and applies: the environments, then the account's delivery
# foundations (remote state, the GitHub OIDC provider, the CI roles; `stacks/bootstrap.py`).
BOOTSTRAP = "bootstrap"
STACKS = (*ENVIRONMENTS, BOOTSTRAP)
