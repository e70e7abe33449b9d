"""Stage 8, site: every page gets the bundle of the rules that apply to it.

Pages are chosen by path, rules by their ``pages``/``exclude`` globs; each
distinct set of rules is rendered once. On a site that changes pages without
loading them (client navigation: the rules file says so, or the pages do) every
page gets one bundle with every rule, which decides the globs in the browser.
Each page is read once (the page stage), in worker processes with several jobs.
Files are written atomically, or in place for the integrations (``atomic=False``),
by the files stage (``files``: how, and the thread that closes pages once replaced), and
a page whose bytes would not change is not written at all. Problems are reported per
page; the other pages are still processed. What a run is asked is one ``SiteOptions``
(``options``), checked before anything is read; what the last run in this process found
can save the next a scan or a parse (``memo.PageMemo``).

A run that writes holds the site's lock (``files.site_lock``) from before it lists the
pages until its last deletion. With external bundles the order keeps every
page loadable at every moment: new bundle files first, then the pages, then the
bundle files no page names any more, and only those this tool wrote.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import html
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal, get_args
from urllib.parse import urljoin, urlsplit

from .errors import InvalidOption, PageReplaced, PageSkipped, RtpSnippetsError
from .facts import read_site_facts
from .files import (
    WORKER_CLOSER,
    Closer,
    Unreadable,
    hard_links_warning,
    not_a_regular_file,
    page_opener,
    read_page,
    site_lock,
    write_atomic,
    write_in_place,
)
from .inject import Injected, Placement, place_blocks, remove_html, rtp_tag_block, script_block
from .links import CHECK_HOST
from .memo import Known, PageMemo, file_status, settled
from .model import RuleSet
from .options import SiteOptions
from .page import PageFacts, base_href, client_navigation, is_fixed_base, map_pages, page_facts
from .render import Bundle, build_bundle, build_rtp_tag, check_budget
from .terminal import counted
from .walk import site_folder_problem, site_pages

EXTERNAL_PREFIX = "rtp-snippets."
# What happened to a page: the block went in, or came out; its bytes stayed as they were;
# it was left alone, for a reason that is not an error (a link, no <body>); it failed.
PageStatus = Literal["injected", "removed", "unchanged", "skipped", "error"]
STATUSES: tuple[PageStatus, ...] = get_args(PageStatus)
NO_RTP_TAG = "no RTP tag on the page"
# With several jobs, pages larger than this are left by the workers and done by the run's
# own process, one at a time, after them: N workers would otherwise hold N large pages
# (each up to three times its size) at once.
LARGE_PAGE = 16 * 1024 * 1024
# The name of an external bundle file: the first 16 hex digits of the code's SHA-256.
_BUNDLE_FILE = re.compile(r"rtp-snippets\.([0-9a-f]{16})\.js")
_BUNDLE_FILE_BYTES = re.compile(_BUNDLE_FILE.pattern.encode("ascii"))


@dataclass(frozen=True)
class PageResult:
    """What happened to one page: its status (PageStatus) and, unless injected, why."""

    path: str  # the page's site path, /blog/index.html
    status: PageStatus
    reason: str = ""  # why it was skipped or failed
    rules: int = 0  # how many rules its bundle carries
    warning: str = ""  # about the page's content: it has no RTP tag
    file_warning: str = ""  # about the file: hard links split, an owner not kept


@dataclass
class Report:
    """The outcome of ``inject_site`` or ``remove_site``: a ``PageResult`` per page, and
    what the run wrote and deleted besides. ``summary()`` is the command line's last line,
    ``as_json()`` its ``--json`` report."""

    pages: list[PageResult] = field(default_factory=list)  # sorted by path
    bundles: list[Bundle] = field(default_factory=list)  # each different bundle injected
    files: list[str] = field(default_factory=list)  # bundle files written (external mode)
    deleted: list[str] = field(default_factory=list)  # unused bundle files of ours deleted
    rtp_tag: Bundle | None = None  # the RTP tag injected from the rules' rtp: section
    check: bool = False  # a dry run: nothing was written
    # Why every page got one bundle that treats each page shown as a page (client-side
    # navigation), or "".
    client_navigation: str = ""
    prune_unused: bool = False  # --prune was asked for but cannot work with client navigation
    # With inject_site(facts=True): what each page says for the rules (coverage.site_coverage).
    facts: list[PageFacts] = field(default_factory=list)

    def navigation_note(self) -> str:
        """One line on client-side navigation for the user, or ""."""
        if not self.client_navigation:
            return ""
        note = (
            f"Client-side navigation ({self.client_navigation}): one bundle for every page, "
            "pages/exclude checked in the browser for each page shown"
        )
        if self.prune_unused:
            note += "; --prune not used (a page's bundle must serve every page shown after it)"
        return note

    @property
    def counts(self) -> Counter:
        """How many pages have each status."""
        return Counter(page.status for page in self.pages)

    @property
    def changed(self) -> list[PageResult]:
        """The pages written (with ``check``: that would be)."""
        return [page for page in self.pages if page.status in ("injected", "removed")]

    @property
    def errors(self) -> list[PageResult]:
        """The pages that failed; the command line exits 1 when there is one."""
        return [page for page in self.pages if page.status == "error"]

    @property
    def warnings(self) -> list[PageResult]:
        """The pages without an RTP tag, where rtp() calls go nowhere."""
        return [page for page in self.pages if page.warning]

    def failed(self, strict: bool = False) -> bool:
        """Whether the command line exits 1: a page failed, ``check`` found a page to
        change, or, with ``strict``, there is a warning (the pages are written all the same)."""
        warned = self.warnings or self.file_warnings
        return bool(self.errors or (self.check and self.changed) or (strict and warned))

    @property
    def file_warnings(self) -> list[PageResult]:
        """The pages whose file lost something in the write (a hard link, its owner)."""
        return [page for page in self.pages if page.file_warning]

    @property
    def csp_sources(self) -> list[str]:
        """The ``script-src`` hash sources of every inline script we add, for a CSP header."""
        scripts = self.bundles + ([self.rtp_tag] if self.rtp_tag else [])
        return sorted({bundle.csp_source for bundle in scripts})

    def summary(self) -> str:
        """One line: how many pages changed, were unchanged, skipped (why) or failed."""
        counts = self.counts
        verb = "would change" if self.check else "changed"
        parts = [
            f"{counted(len(self.pages), 'page')}: {len(self.changed)} {verb}",
            f"{counts['unchanged']} unchanged",
            f"{counts['skipped']} skipped",
            counted(counts["error"], "error"),
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
        """The machine-readable report of ``inject --json`` and ``remove --json``."""
        return {
            "summary": dict(self.counts),
            "csp_script_src": self.csp_sources,
            "bundle_files": self.files,
            "deleted_files": self.deleted,
            "client_navigation": self.client_navigation or None,
            "pages": [dataclasses.asdict(page) for page in self.pages],
        }


@dataclass(frozen=True)
class _Task:
    """One page of a run (what all its pages share is in _Shared)."""

    path: str
    block: int | None  # the number of its block in _Shared.blocks; None: remove our blocks
    rules: int = 0


def inject_site(
    root: str | Path,
    ruleset: RuleSet,
    options: SiteOptions | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    facts: bool = False,
    atomic: bool = True,
    memo: PageMemo | None = None,
    **settings: Any,
) -> Report:
    """Inject into every HTML page under ``root`` the bundle of the rules that apply to it.

    ``options`` (``SiteOptions``) says how: position, external bundle files and their base
    URL, prune, include/exclude globs, the size limit, a dry run (``check``), jobs. Its
    fields may also be given as keyword arguments (``inject_site(root, ruleset,
    prune=True)``), alone or to change some of ``options``; a value that cannot work
    raises ``InvalidOption`` (``InvalidGlob`` for an ``include``/``exclude`` glob that can
    match no page, ``InvalidBaseUrl`` for a ``base_url`` the pages could not load from)
    before anything is read. ``progress(done, total)`` is called after each page.

    ``facts`` also reads, in the same pass, what each page says for the rules (the
    elements their selectors match, its RTP tags) into ``Report.facts``, for
    ``coverage.site_coverage`` (or ``coverage.unmatched_selectors``, as ``inject`` warns):
    a build checks its coverage without reading pages again. With ``prune`` the facts are
    read anyway, before the pages are injected.

    Pages are replaced atomically (a new file renamed over the old: a reader sees the old
    page or the new one). ``atomic=False`` rewrites each page in place instead, with its
    space reserved first so a full disk fails before a byte changes: for output that a
    site generator has just written itself, in place, where creating a new file per
    page costs more than the generator's own writes (the integrations use it). A page
    with several hard links is still replaced.

    ``memo`` (with one job only; see PageMemo) lets a page whose bytes are what they were in
    the memo's last run go without a scan and, with ``facts``, without a parse.

    ``prune`` leaves out rules whose selector matches nothing on the page (rules
    without a selector, and ``dynamic`` ones, stay). ``max_bytes`` raises
    ``BudgetExceeded`` before anything is written when a bundle's gzip size is over it.
    Raises ``SiteBusy`` while another run works on the site (``check`` runs need no lock).
    """
    options = options or SiteOptions()
    if settings:
        options = options.replace(**settings)
    root = Path(root)
    with _hold(root, options.check):
        early: list[PageResult] = []
        paths = list(_pages(root, options.include, options.exclude, early))
        # Known before the pages are read: from the rules file, or from the first page (a
        # site built with Material's navigation.instant says so on every page).
        navigation = _client_navigation(root, paths[:1], ruleset)
        run = _SiteRun(
            root, ruleset, options, atomic, memo if options.jobs == 1 else None, progress, facts
        )
        report, outcomes = run.inject(paths, early, navigation)
        if not navigation and ruleset.client_navigation == "auto":
            # A later page says so: then every page needs the bundle of every rule. Rare
            # (the site would say so on every page), and only this case reads pages twice.
            navigation = next(
                (f"{o.navigation} on {o.page.path}" for o in outcomes if o.navigation), ""
            )
            if navigation:
                report, _ = run.inject(paths, early, navigation)
        return report


@dataclass(frozen=True)
class _SiteRun:
    """What one inject_site run is asked, for each of its passes."""

    root: Path
    ruleset: RuleSet
    options: SiteOptions
    atomic: bool
    memo: PageMemo[_Outcome] | None
    progress: Callable[[int, int], None] | None
    facts: bool

    def inject(
        self, paths: list[str], early: list[PageResult], navigation: str
    ) -> tuple[Report, list[_Outcome]]:
        """Inject into ``paths``; ``navigation`` says why the site changes pages without
        loading them ("" when it does not, as far as is known)."""
        root, ruleset, options = self.root, self.ruleset, self.options
        check, prune, jobs, progress = options.check, options.prune, options.jobs, self.progress
        report = Report(check=check, client_navigation=navigation)
        report.rtp_tag = (
            build_rtp_tag(ruleset.rtp, consent=ruleset.consent) if ruleset.rtp else None
        )
        tag_block = rtp_tag_block(report.rtp_tag) if report.rtp_tag else None
        if navigation:
            # Pages shown without a load run the bundle of the page loaded first: every
            # page carries every rule, and the bundle decides pages/exclude as it goes.
            ruleset = dataclasses.replace(ruleset, client_navigation="on")
            report.prune_unused, prune = prune, False
        if prune:
            # The pages' facts come first: they decide each page's bundle.
            if self.memo is not None:
                report.facts = self.memo.site_facts(root, paths, ruleset, progress)
            else:
                report.facts = read_site_facts(root, paths, ruleset, jobs, progress)
        present = {page.path: page.matches for page in report.facts} if prune else None
        everything = tuple(range(len(ruleset)))
        bundles: dict[tuple[int, ...], Bundle] = {}
        blocks: dict[str, int] = {}  # each block, and its number in _Shared.blocks
        tasks: list[_Task] = []
        chosen: list[tuple[str, tuple[int, ...]]] = []  # each page and its rules' indexes
        for path in paths:
            if navigation:
                indexes = everything
            else:
                indexes = ruleset.for_page(path)
                if present is not None:
                    indexes = _present(ruleset, indexes, present[path])
            chosen.append((path, indexes))
        # Where some page's rules store calls for the next page to send, a page on which no
        # rule runs gets the bundle that only sends them (the page share of no rules): a
        # click there may lead here.
        stores = any(ruleset.page_share(indexes).queues for indexes in {i for _, i in chosen})
        for path, indexes in chosen:
            if not indexes and not stores:
                # No rule here: the page gets no block (an old one is taken out).
                tasks.append(_Task(path, None))
                continue
            if indexes not in bundles:
                share = ruleset.subset(ruleset.rules) if navigation else ruleset.page_share(indexes)
                bundles[indexes] = self.memo.bundle(share) if self.memo else build_bundle(share)
            bundle = bundles[indexes]
            src = None
            if options.external:
                name = f"{EXTERNAL_PREFIX}{bundle.sha256[:16]}.js"
                src = (
                    f"{options.base_url.rstrip('/')}/{name}"
                    if options.base_url
                    else _relative_url(path, name)
                )
            block = blocks.setdefault(script_block(bundle, src), len(blocks))
            tasks.append(_Task(path, block, len(indexes)))
        report.bundles = list(bundles.values())
        if options.max_bytes is not None:
            pages_of: dict[tuple[int, ...], list[str]] = {indexes: [] for indexes in bundles}
            for path, indexes in chosen:
                pages_of.get(indexes, []).append(path)
            check_budget(report.bundles, options.max_bytes, list(pages_of.values()))
        if options.external:
            # Before any page names them.
            report.files = _write_bundle_files(root, report.bundles, check)
        stale = [name for name in _bundle_files_of_ours(root) if name not in report.files]
        with_facts = self.facts and not prune  # with prune, the facts were read first
        detect = not navigation and ruleset.client_navigation == "auto"
        # What every page needs goes to each worker once, not with every page.
        shared = _Shared(
            str(root),
            options.position,
            check,
            ruleset,
            tuple(blocks),
            tag_block,
            bool(stale),
            with_facts,
            detect,
            self.atomic,
            memo=self.memo,
            relative_src=options.external and not options.base_url,
        )
        if self.memo is not None:
            self.memo.begin(
                (options.position, shared.blocks, tag_block, ruleset, with_facts, detect)
            )
        outcomes = _pages_done(tasks, shared, jobs, progress)
        if self.memo is not None:
            self.memo.end()
        report.pages = sorted(early + [outcome.page for outcome in outcomes], key=_by_path)
        if with_facts:
            report.facts = [
                outcome.facts or PageFacts.unknown(outcome.page.path, outcome.page.reason)
                for outcome in outcomes
            ]
        left_out = (
            _left_out_pages(root, outcomes)
            if stale and (options.include or options.exclude)
            else []
        )
        report.deleted = _delete_unused_bundle_files(root, stale, outcomes, left_out, check)
        return report, outcomes


def remove_site(
    root: str | Path,
    options: SiteOptions | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    **settings: Any,
) -> Report:
    """Take every rtp-snippets block out of the pages under ``root``, then delete the bundle
    files this tool wrote that no page names any more.

    ``options`` is the ``SiteOptions`` record ``inject_site`` takes (its fields may also be
    given as keyword arguments): ``check`` makes a dry run, ``jobs`` sets the worker
    processes, and what only shapes an injection (position, external, prune…) changes
    nothing here. ``include``/``exclude`` raise ``InvalidOption``: a bundle file is deleted
    only when no page names it, which a run over some of the pages cannot know.
    """
    options = options or SiteOptions()
    if settings:
        options = options.replace(**settings)
    for name in ("include", "exclude"):
        if getattr(options, name):
            raise InvalidOption(
                name,
                getattr(options, name),
                "remove takes the blocks out of every page; give no page globs",
            )
    root = Path(root)
    with _hold(root, options.check):
        report = Report(check=options.check)
        early: list[PageResult] = []
        pages = _pages(root, (), (), early)
        stale = _bundle_files_of_ours(root)
        tasks = [_Task(path, None) for path in pages]
        shared = _Shared(str(root), "body", options.check, names=bool(stale))
        outcomes = _pages_done(tasks, shared, options.jobs, progress)
        report.pages = sorted(early + [outcome.page for outcome in outcomes], key=_by_path)
        report.deleted = _delete_unused_bundle_files(root, stale, outcomes, [], options.check)
        return report


def _hold(root: Path, check: bool) -> contextlib.AbstractContextManager[None]:
    """The site's lock for a run that writes; a run that only checks writes nothing, not
    even the lock file (it may run on a read-only copy), and needs no lock: every file it
    reads is replaced whole, so it sees each page either before or after a change."""
    problem = site_folder_problem(root)
    if problem:
        raise RtpSnippetsError(problem)
    return contextlib.nullcontext() if check else site_lock(root)


def _present(
    ruleset: RuleSet, indexes: tuple[int, ...], matches: dict[int, int]
) -> tuple[int, ...]:
    """Of the rules at ``indexes``, those --prune keeps on a page where their selectors
    matched ``matches`` elements: the ones that matched, and those that need no element."""
    rules = ruleset.rules
    return tuple(
        index
        for index in indexes
        if rules[index].element_selector is None or rules[index].dynamic or matches.get(index)
    )


def _client_navigation(root: Path, paths: list[str], ruleset: RuleSet) -> str:
    """Why the site changes pages without loading them, or "" (see CLIENT_NAVIGATION):
    the rules file says so, or with ``auto`` a page says so (the first found is named)."""
    if ruleset.client_navigation != "auto":
        return (
            "client_navigation: on in the rules file" if ruleset.client_navigation == "on" else ""
        )
    for path in paths:
        data = read_page(str(root), path)
        if isinstance(data, Unreadable):
            continue  # why it was not read is reported when the page itself is processed
        found = client_navigation(data)
        if found:
            return f"{found} on {path}"
    return ""


def _pages(
    root: Path, include: tuple[str, ...], exclude: tuple[str, ...], early: list[PageResult]
) -> list[str]:
    """The pages to process; links skipped and unlistable folders go into ``early``."""
    pages, problems = site_pages(root, include, exclude)
    early.extend(PageResult(path, status, reason) for path, status, reason in problems)
    return pages


def _by_path(page: PageResult) -> str:
    return page.path


def _relative_url(page: str, name: str) -> str:
    depth = page.count("/") - 1
    return "../" * depth + name


def _write_bundle_files(root: Path, bundles: list[Bundle], check: bool) -> list[str]:
    """Write the external bundle files (code and a newline, named after the code's hash)."""
    wanted = {f"{EXTERNAL_PREFIX}{bundle.sha256[:16]}.js": bundle for bundle in bundles}
    if not check:
        for name, bundle in wanted.items():
            target = root / name
            data = (bundle.code + "\n").encode("ascii")
            if target.is_dir() and not target.is_symlink():
                raise RtpSnippetsError(
                    f"{target}: cannot write the bundle file: it is a folder; move it away "
                    "and run inject again"
                )
            if target.is_symlink() or not target.is_file() or target.read_bytes() != data:
                write_atomic(target, data, 0o644)
    return sorted(wanted)


def _bundle_files_of_ours(root: Path) -> list[str]:
    """The bundle files at the site root that this tool wrote, as far as a file can tell:
    a regular file whose name has the exact pattern, holding code and a newline whose
    SHA-256 starts with the name's 16 hex digits. A file of the user's would have to be a
    byte-for-byte copy of one of ours to pass; no list of written files is needed, which
    would have to sit in the deployed site and could be lost or copied between sites."""
    names: list[str] = []
    try:
        entries = list(os.scandir(root))
    except OSError:  # an unlistable root: its pages are reported, no file is deleted
        return names
    for entry in entries:
        match = _BUNDLE_FILE.fullmatch(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        try:
            with open(entry.path, "rb", opener=page_opener) as handle:
                data = handle.read()
        except OSError:
            continue
        code = data[:-1]
        if data.endswith(b"\n") and hashlib.sha256(code).hexdigest()[:16] == match[1]:
            names.append(entry.name)
    return sorted(names)


def _bundle_names(data: bytes) -> frozenset[str]:
    """The bundle file names a page mentions (in a ``src``, or anywhere: then it is kept).
    About 25 µs a page of site-a, so only done when a bundle file may be deleted."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", "replace")
        return frozenset(match[0] for match in _BUNDLE_FILE.finditer(text))
    return frozenset(match[0].decode("ascii") for match in _BUNDLE_FILE_BYTES.finditer(data))


def _left_out_pages(root: Path, outcomes: list[_Outcome]) -> list[str]:
    """The pages of the site that ``--include``/``--exclude`` kept out of this run."""
    done = {outcome.page.path for outcome in outcomes}
    return [path for path in site_pages(root)[0] if path not in done]


def _delete_unused_bundle_files(
    root: Path,
    stale: list[str],
    outcomes: list[_Outcome],
    left_out: Iterable[str],
    check: bool,
) -> list[str]:
    """Delete (with ``check``, only list) the ``stale`` bundle files of ours (those this run
    does not write) that no page names now.

    Runs after the pages are written, so a page is never left naming a deleted file. A
    page this run did not change (left out, skipped, failed) keeps the files it names; if
    one could not be read at all, nothing is deleted.
    """
    if not stale:
        return []
    used: set[str] = set()
    for outcome in outcomes:
        if outcome.names is None:
            return []
        used |= outcome.names
    for path in left_out:
        try:
            with open(os.path.join(root, path[1:]), "rb", opener=page_opener) as handle:
                used |= _bundle_names(handle.read())
        except OSError:
            return []
    unused = [name for name in stale if name not in used]
    if not check:
        for name in unused:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(root / name)
    return unused


@dataclass(frozen=True)
class _Outcome:
    """A page's result, and the bundle files it names now (None: it could not be read)."""

    page: PageResult
    names: frozenset[str] | None = frozenset()
    facts: PageFacts | None = None  # with _Shared.facts, when the page could be read
    # With _Shared.navigation (or facts): what makes the page change pages without a load.
    navigation: str | None = None
    left: bool = False  # a large page a worker left for the run's own process (_Shared.large)


def _pages_done(
    tasks: list[_Task],
    shared: _Shared,
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
) -> list[_Outcome]:
    """Every task's outcome: by map_pages, then, with workers, the large pages they left."""
    several = (jobs or os.cpu_count() or 1) > 1 and len(tasks) > 1
    closer = Closer()  # for the pages this process replaces; started at its first page
    try:
        if not several:
            return map_pages(
                functools.partial(_process, closer=closer), tasks, shared, jobs, progress
            )
        outcomes = map_pages(
            _process,
            tasks,
            dataclasses.replace(shared, large=LARGE_PAGE),
            jobs,
            progress,
            finished=lambda outcome: not outcome.left,
        )
        alone = dataclasses.replace(shared, large=None)
        done = sum(not outcome.left for outcome in outcomes)
        for index, (task, outcome) in enumerate(zip(tasks, outcomes, strict=True)):
            if outcome.left:
                outcomes[index] = _process(alone, task, closer)
                done += 1
                if progress:
                    progress(done, len(tasks))
        return outcomes
    finally:
        closer.finish()


@dataclass(frozen=True)
class _Shared:
    """What every page of a run needs, given to each worker process once."""

    root: str
    position: str
    check: bool
    ruleset: RuleSet | None = None
    blocks: tuple[str, ...] = ()
    tag_block: str | None = None
    names: bool = False  # list the bundle files each page names (some may be deleted)
    facts: bool = False  # also read each page's facts for the rules
    navigation: bool = False  # also say whether each page changes pages without a load
    atomic: bool = True  # replace each page (else rewrite it in place, see inject_site)
    large: int | None = None  # leave pages larger than this (LARGE_PAGE) to the run's process
    memo: PageMemo[_Outcome] | None = None  # with one job: what the last run found in each page
    # The blocks load bundle files by a src relative to each page (external, no base URL):
    # a page's <base href> decides what that src means.
    relative_src: bool = False


def _process(shared: _Shared, task: _Task, closer: Closer = WORKER_CLOSER) -> _Outcome:
    """Inject into (or remove from) one page; never raises. A page replaced is closed by
    ``closer``: the run's process passes its own, workers use theirs."""
    full = os.path.join(shared.root, task.path[1:])
    try:
        handle = open(full, "rb", opener=page_opener)
    except FileNotFoundError:
        return _Outcome(PageResult(task.path, "error", "the file vanished during the run"))
    except OSError as error:
        return _Outcome(PageResult(task.path, "error", f"cannot read: {error.strerror}"), None)
    try:
        outcome = _read_and_inject(shared, task, full, handle)
    except BaseException:
        handle.close()
        raise
    # The page read is still open: if it was replaced, closing it frees it (see Closer).
    if shared.atomic and not shared.check and outcome.page.status in ("injected", "removed"):
        closer.close(handle)
    else:
        handle.close()
    return outcome


def _read_and_inject(shared: _Shared, task: _Task, full: str, handle: BinaryIO) -> _Outcome:
    """_process for the page at ``full``, open in ``handle``."""
    names = _bundle_names if shared.names else _no_names
    try:
        before = os.fstat(handle.fileno())
        kind = not_a_regular_file(before.st_mode)
        if kind:  # it was replaced after the pages were listed
            return _Outcome(PageResult(task.path, "skipped", kind))
        if shared.large is not None and before.st_size > shared.large:
            return _Outcome(PageResult(task.path, "skipped", "large"), left=True)
        if shared.memo is not None:
            same = shared.memo.unchanged(task.path, before)
            if same is not None:
                return same
        data = handle.read()
    except FileNotFoundError:
        return _Outcome(PageResult(task.path, "error", "the file vanished during the run"))
    except OSError as error:
        return _Outcome(PageResult(task.path, "error", f"cannot read: {error.strerror}"), None)
    known = None
    if shared.memo is not None:
        digest = hashlib.sha256(data).digest()
        known = shared.memo.get(task.path, digest) or Known(digest)
    outcome = _inject(shared, task, full, data, before, names, known)
    if shared.facts:
        assert shared.ruleset is not None
        facts = known.facts if known is not None else None
        if facts is None:
            facts = page_facts(task.path, data, *shared.ruleset.page_selectors(task.path))
        outcome = _Outcome(outcome.page, outcome.names, facts, facts.navigation)
    elif shared.navigation:
        navigation = known.navigation if known is not None else None
        if navigation is None:
            navigation = client_navigation(data)
        outcome = _Outcome(outcome.page, outcome.names, navigation=navigation)
    if shared.memo is not None and known is not None:
        known.facts, known.navigation = outcome.facts, outcome.navigation
        left = outcome.page.status in ("unchanged", "skipped") and not shared.names
        known.left = (file_status(before), outcome) if left and settled(before) else None
        shared.memo.keep(task.path, known)
    return outcome


def _inject(
    shared: _Shared,
    task: _Task,
    full: str,
    data: bytes,
    before: os.stat_result,
    names: Callable[[bytes], frozenset[str]],
    known: Known[_Outcome] | None = None,
) -> _Outcome:
    """The page ``data`` (read from ``full``, whose status was ``before``) with its block,
    written back unless ``shared.check``; ``known``: what the memo knows of these bytes,
    and where to keep what is found."""
    warning = ""
    try:
        if task.block is None:
            output = remove_html(data)
        else:
            block = shared.blocks[task.block]
            if shared.relative_src:
                block = _under_base(block, task.path, data)
            injected = _insert(shared, block, data, known)
            output = injected.data
            warning = "" if injected.has_rtp_tag else NO_RTP_TAG
    except PageSkipped as skipped:
        return _Outcome(PageResult(task.path, "skipped", skipped.reason), names(data))
    if output == data:
        page = PageResult(task.path, "unchanged", rules=task.rules, warning=warning)
        return _Outcome(page, names(data))
    status: PageStatus = "injected" if task.block is not None else "removed"
    if shared.check:
        return _Outcome(
            PageResult(task.path, status, rules=task.rules, warning=warning),
            names(output),
        )
    try:
        mode = stat.S_IMODE(before.st_mode)
        if not mode & 0o222:
            return _Outcome(
                PageResult(
                    task.path,
                    "error",
                    "the file is read-only; make it writable or leave it out with --exclude",
                ),
                names(data),
            )
        if not shared.atomic and before.st_nlink == 1:
            write_in_place(full, output, before)
            file_warnings = []
        else:
            file_warnings = [hard_links_warning(before.st_nlink)]
            owner = (before.st_uid, before.st_gid)
            file_warnings.append(write_atomic(full, output, mode, owner, before))
    except PageReplaced:
        page = PageResult(
            task.path, "skipped", "the page was replaced during the run; run inject again"
        )
        return _Outcome(page)
    except FileNotFoundError:
        page = PageResult(task.path, "error", "the file vanished during the run")
        return _Outcome(page)
    except OSError as error:
        page = PageResult(task.path, "error", f"cannot write: {error.strerror}")
        return _Outcome(page, names(data))
    file_warning = "; ".join(filter(None, file_warnings))
    page = PageResult(
        task.path, status, rules=task.rules, warning=warning, file_warning=file_warning
    )
    return _Outcome(page, names(output))


_SRC = re.compile(r'src="([^"]*)"')


def _under_base(block: str, path: str, data: bytes) -> str:
    """The block of the page at ``path`` (``data``), its src made relative to the page's
    <base href> when it has one; PageSkipped when that base names a place in the URL space
    (a path from the root, another host), which depends on where the site is served."""
    base = base_href(data)
    if base is None:
        return block
    if is_fixed_base(base):
        raise PageSkipped(
            "its <base href> decides where the bundle's src loads from, and where the site "
            "is served is not known here: give --base-url (the URL of the site's root)"
        )
    found = _SRC.search(block)
    assert found is not None  # an external block has a src
    name = html.unescape(found.group(1)).rsplit("/", 1)[-1]
    folder = urlsplit(urljoin(f"https://{CHECK_HOST}{path}", base)).path
    src = _relative_url(folder, name)
    return block[: found.start(1)] + html.escape(src) + block[found.end(1) :]


def _insert(shared: _Shared, block: str, data: bytes, known: Known[_Outcome] | None) -> Injected:
    """``data`` with ``block`` (and the RTP tag block): where the memo knows the page's
    placement, without a scan; else found, and kept in ``known``."""
    if known is not None and isinstance(known.placement, Placement):
        return known.placement.insert(data, block, shared.tag_block)
    if known is not None and isinstance(known.placement, str):
        raise PageSkipped(known.placement)
    try:
        injected, placement = place_blocks(data, block, shared.position, shared.tag_block)
    except PageSkipped as skipped:
        if known is not None:
            known.placement = skipped.reason
        raise
    if known is not None:
        known.placement = placement
    return injected


def _no_names(data: bytes) -> frozenset[str]:
    return frozenset()
