"""What every site-generator integration does after a build: one call into the core."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..check import check_site
from ..model import RuleSet
from ..site import inject_site


def inject_built_site(output: str | Path, ruleset: RuleSet, warn: Callable[[str], None], *,
                      external: bool = False, position: str = "body", prune: bool = False) -> None:
    """Inject the rules into the built site and report soft problems through ``warn``:
    coverage findings of ``check``, and pages that were skipped or failed."""
    report = inject_site(output, ruleset, external=external, position=position, prune=prune,
                         jobs=1)
    for page in report.errors:
        warn(f"rtp-snippets: {page.path}: {page.reason}")
    for finding in check_site(output, ruleset, jobs=1).findings:
        warn(f"rtp-snippets: {finding}")
