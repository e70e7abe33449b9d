"""Stage 6, facts: what every page of a site says for a rule set, read once per page.

The facts of each page (the elements the selectors of the rules that run on it match,
its RTP tags, its client navigation) for the coverage check (``coverage``) and for
``inject_site``'s ``prune``, which chooses each page's rules by them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .page import PageFacts, map_pages, read_facts

if TYPE_CHECKING:
    from .model import RuleSet


def read_site_facts(
    root: str | Path,
    paths: list[str],
    ruleset: RuleSet,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[PageFacts]:
    """The facts of the pages at ``paths`` under ``root`` for the rules that run on each
    (in worker processes when jobs > 1), in the order of ``paths``."""
    tasks = [(str(root), path) for path in paths]
    return map_pages(_facts, tasks, ruleset, jobs, progress)


def _facts(ruleset: RuleSet, task: tuple[str, str]) -> PageFacts:
    root, path = task
    return read_facts(root, path, *ruleset.page_selectors(path))
