"""Stage 3 for a whole built site: every page gets the bundle of the rules that apply to it.

Pages are chosen by path, rules by their ``pages``/``exclude`` globs; each
distinct set of rules is rendered once. Files are written atomically (a temp
file in the same folder, then a rename, mode kept), and a page whose bytes
would not change is not written at all. Problems are reported per page; the
other pages are still processed.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .check import page_facts
from .errors import RtpSnippetsError
from .inject import PageSkipped, insert_blocks, remove_html, rtp_tag_block, script_block
from .model import Rule, RuleSet
from .paths import site_pages
from .render import Bundle, build_bundle, build_rtp_tag

EXTERNAL_PREFIX = "rtp-snippets."
STATUSES = ("injected", "removed", "unchanged", "skipped", "error")
NO_RTP_TAG = "no RTP tag on the page"
_TEMPORARY = itertools.count()  # with the process id, names temporary files uniquely


@dataclass(frozen=True)
class PageResult:
    """What happened to one page: a status from STATUSES and, unless injected, why."""

    path: str
    status: str
    reason: str = ""
    rules: int = 0
    warning: str = ""


@dataclass
class Report:
    """The outcome of ``inject_site`` or ``remove_site``."""

    pages: list[PageResult] = field(default_factory=list)
    bundles: list[Bundle] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # bundle files written (external mode)
    rtp_tag: Bundle | None = None  # the RTP tag injected from the rules' rtp: section
    check: bool = False

    @property
    def counts(self) -> Counter:
        return Counter(page.status for page in self.pages)

    @property
    def changed(self) -> list[PageResult]:
        return [page for page in self.pages if page.status in ("injected", "removed")]

    @property
    def errors(self) -> list[PageResult]:
        return [page for page in self.pages if page.status == "error"]

    @property
    def warnings(self) -> list[PageResult]:
        return [page for page in self.pages if page.warning]

    @property
    def csp_sources(self) -> list[str]:
        """The ``script-src`` hash sources of every inline script we add, for a CSP header."""
        scripts = self.bundles + ([self.rtp_tag] if self.rtp_tag else [])
        return sorted({bundle.csp_source for bundle in scripts})

    def summary(self) -> str:
        counts = self.counts
        verb = "would change" if self.check else "changed"
        parts = [
            f"{len(self.pages)} pages: {len(self.changed)} {verb}",
            f"{counts['unchanged']} unchanged",
            f"{counts['skipped']} skipped",
            f"{counts['error']} errors",
        ]
        skipped = Counter(page.reason for page in self.pages if page.status == "skipped")
        if skipped:
            parts[2] += (
                " (" + "; ".join(f"{n} {reason}" for reason, n in skipped.most_common()) + ")"
            )
        if self.warnings:
            parts.append(f"{len(self.warnings)} without an RTP tag")
        return ", ".join(parts)

    def as_json(self) -> dict:
        return {
            "summary": dict(self.counts),
            "csp_script_src": self.csp_sources,
            "bundle_files": self.files,
            "pages": [dataclasses.asdict(page) for page in self.pages],
        }


@dataclass(frozen=True)
class _Task:
    root: str
    path: str
    block: str | None  # None: remove our blocks
    position: str
    check: bool
    rules: int = 0
    tag_block: str | None = None


def inject_site(
    root: str | Path,
    ruleset: RuleSet,
    *,
    position: str = "body",
    external: bool = False,
    base_url: str | None = None,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    check: bool = False,
    prune: bool = False,
    max_bytes: int | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Inject into every HTML page under ``root`` the bundle of the rules that apply to it.

    ``prune`` leaves out rules whose selector matches nothing on the page (rules
    without a selector, and ``dynamic`` ones, stay). ``max_bytes`` raises
    ``BudgetExceeded`` before anything is written when a bundle's gzip size is over it.
    """
    root = Path(root)
    report = Report(check=check)
    report.rtp_tag = build_rtp_tag(ruleset.rtp) if ruleset.rtp else None
    tag_block = rtp_tag_block(report.rtp_tag) if report.rtp_tag else None
    bundles: dict[tuple[Rule, ...], Bundle] = {}
    tasks: list[_Task] = []
    early: list[PageResult] = []
    paths = list(_pages(root, include, exclude, early))
    present = _present_rules(root, paths, ruleset, jobs, progress) if prune else None
    for path in paths:
        rules = tuple(rules_for_page(ruleset, path, None if present is None else present[path]))
        if not rules:
            # No rule here: the page gets no block (an old one is taken out).
            tasks.append(_Task(str(root), path, None, position, check))
            continue
        if rules not in bundles:
            bundles[rules] = build_bundle(ruleset.subset(rules))
        bundle = bundles[rules]
        src = None
        if external:
            name = f"{EXTERNAL_PREFIX}{bundle.sha256[:16]}.js"
            src = f"{base_url.rstrip('/')}/{name}" if base_url else _relative_url(path, name)
        tasks.append(
            _Task(
                str(root), path, script_block(bundle, src), position, check, len(rules), tag_block
            )
        )
    report.bundles = list(bundles.values())
    if max_bytes is not None:
        check_budget(report.bundles, max_bytes)
    if external:
        report.files = _write_bundle_files(root, report.bundles, check)
    report.pages = sorted(early + _run(tasks, jobs, progress), key=lambda page: page.path)
    return report


def remove_site(
    root: str | Path,
    *,
    check: bool = False,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Take every rtp-snippets block out of the pages under ``root`` and delete bundle files."""
    root = Path(root)
    report = Report(check=check)
    early: list[PageResult] = []
    tasks = [_Task(str(root), path, None, "body", check) for path in _pages(root, (), (), early)]
    report.pages = sorted(early + _run(tasks, jobs, progress), key=lambda page: page.path)
    report.files = _write_bundle_files(root, [], check)
    return report


def rules_for_page(ruleset: RuleSet, path: str, present: set[int] | None = None) -> Iterator[Rule]:
    """The rules for the page at ``path``, with pages/exclude decided here at build time;
    with ``present`` (rule indexes), only those rules and the ones that need no element."""
    for index, rule in enumerate(ruleset):
        if not rule.applies_to(path):
            continue
        if (
            present is not None
            and rule.selector is not None
            and not rule.dynamic
            and index not in present
        ):
            continue
        yield (
            dataclasses.replace(rule, pages=(), exclude=()) if rule.pages or rule.exclude else rule
        )


def _present_rules(
    root: Path,
    paths: list[str],
    ruleset: RuleSet,
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
) -> dict[str, set[int]]:
    """For each page, the indexes of the rules whose selector matches something on it."""
    return {
        facts.path: {index for index, count in facts.matches.items() if count}
        for facts in page_facts(root, paths, tuple(ruleset), jobs, progress)
    }


class BudgetExceeded(RtpSnippetsError):
    """A bundle is larger than ``--max-bytes`` allows."""


def check_budget(bundles: list[Bundle], max_bytes: int) -> None:
    """Raise BudgetExceeded naming the bundles whose gzip size is over ``max_bytes``."""
    over = sorted(
        (bundle for bundle in bundles if bundle.gzip_size > max_bytes),
        key=lambda bundle: bundle.gzip_size,
        reverse=True,
    )
    if len(bundles) == 1 and over:
        raise BudgetExceeded(
            f"the bundle is {over[0].gzip_size} bytes gzip, over --max-bytes {max_bytes}"
        )
    if over:
        sizes = ", ".join(f"{bundle.gzip_size} B ({bundle.sha256[:12]})" for bundle in over[:3])
        raise BudgetExceeded(
            f"{len(over)} of {len(bundles)} bundles are over --max-bytes "
            f"{max_bytes} (gzip): largest {sizes}"
        )


def _pages(
    root: Path, include: tuple[str, ...], exclude: tuple[str, ...], early: list[PageResult]
) -> list[str]:
    """The pages to process; links skipped and unlistable folders go into ``early``."""
    pages, problems = site_pages(root, include, exclude)
    early.extend(PageResult(path, status, reason) for path, status, reason in problems)
    return pages


def _relative_url(page: str, name: str) -> str:
    depth = page.count("/") - 1
    return "../" * depth + name


def _write_bundle_files(root: Path, bundles: list[Bundle], check: bool) -> list[str]:
    wanted = {f"{EXTERNAL_PREFIX}{bundle.sha256[:16]}.js": bundle for bundle in bundles}
    for stale in root.glob(f"{EXTERNAL_PREFIX}*.js"):
        if stale.name not in wanted and not check:
            stale.unlink()
    if not check:
        for name, bundle in wanted.items():
            target = root / name
            data = (bundle.code + "\n").encode("ascii")
            if not target.exists() or target.read_bytes() != data:
                _write_atomic(target, data, 0o644)
    return sorted(wanted)


def _run(tasks: list[_Task], jobs: int | None, progress) -> list[PageResult]:
    """Process the pages, in worker processes when jobs > 1; ``progress(done, total)``."""
    jobs = jobs or os.cpu_count() or 1
    results: list[PageResult] = []
    if jobs == 1 or len(tasks) < 2:
        outcomes: Iterator[PageResult] = map(_process, tasks)
        pool = None
    else:
        pool = ProcessPoolExecutor(max_workers=jobs)
        outcomes = pool.map(_process, tasks, chunksize=max(1, min(64, len(tasks) // (jobs * 4))))
    try:
        for result in outcomes:
            results.append(result)
            if progress:
                progress(len(results), len(tasks))
    finally:
        if pool is not None:
            pool.shutdown()
    return results


def _process(task: _Task) -> PageResult:
    """Inject into (or remove from) one page; never raises."""
    full = os.path.join(task.root, task.path[1:])
    try:
        with open(full, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return PageResult(task.path, "error", "the file vanished during the run")
    except OSError as error:
        return PageResult(task.path, "error", f"cannot read: {error.strerror}")
    warning = ""
    try:
        if task.block is None:
            output = remove_html(data)
        else:
            injected = insert_blocks(data, task.block, task.position, task.tag_block)
            output = injected.data
            warning = "" if injected.has_rtp_tag else NO_RTP_TAG
    except PageSkipped as skipped:
        return PageResult(task.path, "skipped", skipped.reason)
    if output == data:
        return PageResult(task.path, "unchanged", rules=task.rules, warning=warning)
    status = "injected" if task.block is not None else "removed"
    if task.check:
        return PageResult(task.path, status, rules=task.rules, warning=warning)
    try:
        mode = stat.S_IMODE(os.stat(full).st_mode)
        if not mode & 0o222:
            return PageResult(
                task.path,
                "error",
                "the file is read-only; make it writable or leave it out with --exclude",
            )
        _write_atomic(full, output, mode)
    except FileNotFoundError:
        return PageResult(task.path, "error", "the file vanished during the run")
    except OSError as error:
        return PageResult(task.path, "error", f"cannot write: {error.strerror}")
    return PageResult(task.path, status, rules=task.rules, warning=warning)


def _write_atomic(path: str | Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never a part."""
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, f".{name}.{os.getpid()}.{next(_TEMPORARY)}.rtp-snippets.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
