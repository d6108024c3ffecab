"""Rendering the living documentation page with jinja2 (autoescaped: feature text is data).

The page is rendered twice: once with its volatile parts blank to compute its hash, then with the
hash and the sign-off verdict (which depends on the hash) filled in.  Both renders blank to the same
text, which `render_sealed` checks, so the stated hash is the page's own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from citygate.errors import CitygateError
from citygate.livingdoc.document import Document
from citygate.livingdoc.provenance import Provenance, page_hash
from citygate.livingdoc.signoff import SignOff, SignOffCheck
from citygate.livingdoc.summary import Changes

_ENVIRONMENT = Environment(
    loader=PackageLoader("citygate.livingdoc", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
FRAMEWORK_NAMES = {
    "fsbp": "AWS FSBP",
    "cis_aws_v3": "CIS AWS v3.0.0",
    "cis_eks_v1_5": "CIS EKS v1.5.0",
    "nist_800_53": "NIST 800-53",
}


@dataclass(frozen=True)
class PageContext:
    """What the page says about its own making, besides the document."""

    scope: str = ""
    generated: str = ""
    provenance: Provenance | None = None
    evidence_folder: str = ""
    signoff: SignOff | None = None
    signoff_check: SignOffCheck | None = None
    changes: Changes | None = None


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def render(document: Document, context: PageContext, report_hash: str = "") -> str:
    template = _ENVIRONMENT.get_template("livingdoc.html.j2")
    return template.render(
        doc=document,
        counts=document.counts(),
        scope=context.scope,
        generated=context.generated,
        page=context,
        report_hash=report_hash,
        frameworks=FRAMEWORK_NAMES,
        today=dt.date.today(),
    )


def render_sealed(document: Document, context: PageContext) -> tuple[str, str, SignOffCheck | None]:
    """(page, its hash, the sign-off checked against that hash)."""
    digest = page_hash(render(document, context))
    check = SignOffCheck(context.signoff, digest) if context.signoff else None
    page = render(document, replace(context, signoff_check=check), digest)
    if page_hash(page) != digest:
        raise CitygateError("the page's hash changed with its volatile parts filled in", "livingdoc.html.j2")
    return page, digest, check
