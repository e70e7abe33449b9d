"""Stage 7, memo: what the last ``inject_site`` run in a process found, for the next.

A generator's serve loop writes every page again at each rebuild, almost all of them
the same bytes as before: the memo lets the next run take, for a page whose bytes are
the same, where its blocks go, its facts and its client navigation, without a scan or a
parse, and for a page whose file has not changed at all, the outcome itself.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from .files import Unreadable, read_page
from .inject import Placement
from .model import RuleSet
from .page import PageFacts, page_facts
from .render import Bundle, build_bundle

# What a run makes of one page (the site stage's outcome); the memo only keeps it.
Outcome = TypeVar("Outcome")


@dataclass
class Known(Generic[Outcome]):
    """What a run found in a page's bytes (SHA-256 ``digest``): where its blocks go (or why
    it has no place for them), its facts and its client navigation, as asked."""

    digest: bytes
    placement: Placement | str | None = None
    facts: PageFacts | None = None
    navigation: str | None = None
    # When the run left the page as it was (unchanged, or skipped for what its bytes are):
    # the file's status then (file_status) and the outcome, which a later run finding
    # the same status takes without reading the page.
    left: tuple[tuple[int, ...], Outcome] | None = None


# A file changed in the same tick of the file system's clock as a run looked at it could
# keep the change time the run saw (Git's "racy" files): only a status whose change time
# is this much older than the look is trusted to mean the same bytes.
SETTLED_NS = 2_000_000_000


def file_status(status: os.stat_result) -> tuple[int, ...]:
    """What changes with a file's bytes: device, inode, size, modification and change
    times (the change time cannot be set back)."""
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def settled(status: os.stat_result) -> bool:
    return status.st_ctime_ns < time.time_ns() - SETTLED_NS


class PageMemo(Generic[Outcome]):
    """What the last ``inject_site`` run in this process found in each page, for the next.

    A generator's serve loop writes every page again at each rebuild, almost all of them
    the same bytes as before (`mkdocs serve`): with a memo, a page whose bytes have the
    SHA-256 they had in the last run, under the same blocks, position and rules, gets its
    blocks where they went then, without a scan, and its facts without a parse. It holds
    a few numbers per page of the last run, never the pages; a run with other blocks or
    rules starts it afresh. A page that the last run left as it was, whose file still
    has the status it had then (file_status; changed over SETTLED_NS before that run
    looked), is not even read: `mkdocs serve --dirty` leaves the pages of unchanged
    sources alone. The bundles of the last run are kept too: rules seldom change between
    rebuilds. With ``prune``, whose first pass reads every page's facts, a page whose bytes
    that pass read in the last run, for the same rules, is not parsed again. For one job
    (the run's own process) only."""

    def __init__(self) -> None:
        self._key: object = None
        self._pages: dict[str, Known[Outcome]] = {}
        self._next: dict[str, Known[Outcome]] = {}
        self._bundles: dict[RuleSet, Bundle] = {}
        self._next_bundles: dict[RuleSet, Bundle] = {}
        self._facts_rules: RuleSet | None = None
        self._facts: dict[str, tuple[bytes, PageFacts]] = {}  # by path: SHA-256, facts

    def site_facts(
        self,
        root: Path,
        paths: list[str],
        ruleset: RuleSet,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[PageFacts]:
        """``read_site_facts`` with one job, where a page whose bytes the last call read
        for the same rules gets the facts found then."""
        if ruleset != self._facts_rules:
            self._facts_rules, self._facts = ruleset, {}
        found: dict[str, tuple[bytes, PageFacts]] = {}
        result = []
        for done, path in enumerate(paths, 1):
            data = read_page(str(root), path)
            if isinstance(data, Unreadable):
                facts = PageFacts.unknown(path, data.reason)
            else:
                digest = hashlib.sha256(data).digest()
                last = self._facts.get(path)
                if last is not None and last[0] == digest:
                    facts = last[1]
                else:
                    facts = page_facts(path, data, *ruleset.page_selectors(path))
                found[path] = (digest, facts)
            result.append(facts)
            if progress:
                progress(done, len(paths))
        self._facts = found
        return result

    def bundle(self, share: RuleSet) -> Bundle:
        """``build_bundle(share)``, or the last run's bundle of the same rules (the same
        rules give the same bytes)."""
        bundle = self._next_bundles.get(share) or self._bundles.get(share)
        if bundle is None:
            bundle = build_bundle(share)
        self._next_bundles[share] = bundle
        return bundle

    def begin(self, key: object) -> None:
        """A run starts; ``key`` is everything besides a page's bytes that what is kept
        depends on."""
        if key != self._key:
            self._key, self._pages = key, {}
        self._next = {}

    def get(self, path: str, digest: bytes) -> Known[Outcome] | None:
        known = self._pages.get(path)
        return known if known is not None and known.digest == digest else None

    def unchanged(self, path: str, status: os.stat_result) -> Outcome | None:
        """The last run's outcome for the page at ``path`` if that run left the page as it
        was and the file still has the status it had then (the same bytes); it is kept
        for the next run."""
        known = self._pages.get(path)
        if known is None or known.left is None or known.left[0] != file_status(status):
            return None
        self.keep(path, known)
        return known.left[1]

    def keep(self, path: str, known: Known[Outcome]) -> None:
        self._next[path] = known

    def end(self) -> None:
        """The run is over: what it found replaces the last run's (pages gone are forgotten,
        and bundles not used)."""
        self._pages, self._next = self._next, {}
        self._bundles, self._next_bundles = self._next_bundles, {}
