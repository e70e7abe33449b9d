"""What every site-generator integration shares: stopping on a rules error, and the one
call into the core after a build."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..coverage import site_coverage
from ..errors import RtpSnippetsError
from ..load import load_rules
from ..memo import PageMemo
from ..model import RuleSet
from ..site import inject_site

# Kept across the builds of one process: a serve loop's rebuild writes most pages as they
# were, and those need no scan or parse again (see PageMemo).
_MEMO: PageMemo[Any] = PageMemo()


def error_report(error: RtpSnippetsError) -> str:
    """The CLI's report of ``error``: one ``Error:`` block per problem (file:line:col, the
    source line and a caret)."""
    return "\n".join(f"Error: {message}" for message in error.messages())


def load_rules_or_exit(path: Path) -> RuleSet:
    """``load_rules``, ending the generator's run on a rules error as the CLI ends its own:
    the ``Error:`` blocks on standard error, exit status 1, no traceback.

    Neither generator has a way for a plugin to report a user's mistake without a
    traceback. Sphinx 9 prints every exception, its own ``ExtensionError`` included, with
    its version table, a traceback and a request to report a bug in Sphinx
    (``sphinx._cli.util.errors.handle_exception``; sphinx-doc/sphinx#14543). Pelican's
    ``main()`` logs every exception with ``exc_info=True``. Their loggers are no way
    out either: Sphinx puts ``ERROR:`` before the message, Pelican's rich handler a time
    stamp and the level, and under ``--fatal errors`` Pelican's logger raises
    ``RuntimeError`` (and so a traceback) from ``logger.error`` itself. Both let
    ``SystemExit`` through (they catch ``Exception``), and Python prints its message
    without a traceback, as ``sys.exit(message)`` is documented to do.
    """
    try:
        return load_rules(path)
    except RtpSnippetsError as error:
        raise SystemExit(error_report(error)) from error


def inject_built_site(
    output: str | Path,
    ruleset: RuleSet,
    warn: Callable[[str], None],
    *,
    inform: Callable[[str], None] | None = None,
    external: bool = False,
    position: str = "body",
    prune: bool = False,
) -> None:
    """Inject the rules into the built site and report soft problems through ``warn``:
    coverage findings of ``check``, and pages that were skipped or failed; and through
    ``inform`` what the user should know but need not fix (client-side navigation).

    One pass in this process: each page is read once, for its injection and its coverage
    facts together (with ``prune``, a first pass reads the facts that choose each page's
    rules; in a serve loop it parses only the pages whose bytes changed). Worker processes
    cost more than they save here: where they start a new interpreter (the spawn and
    forkserver start methods: macOS, Windows, Python 3.14 on Linux) a ``mkdocs serve``
    rebuild of 200 pages spent 1.1-1.9 s of CPU in them for 0.3 s of work
    (benchmarks/serve_overhead.py), and forking a generator's threaded process is not
    safe. Pages are rewritten in place, as the generator wrote them: a new
    file per page cost a 200-page rebuild 300-430 ms instead of 175-180 on this machine
    (creating files right after the generator deleted and wrote its output is slow here).
    A rebuild in the same process (`mkdocs serve`) does not scan or parse again the pages
    whose bytes did not change, nor build again the bundles of unchanged rules (PageMemo):
    the plugin's hooks in a 200-page rebuild took a median of 38 ms (the mkdocs theme) and
    45 ms (Material), against 159 and 230-234 ms without the memo
    (benchmarks/serve_overhead.py, 9 and 15 rounds)."""
    report = inject_site(
        output,
        ruleset,
        external=external,
        position=position,
        prune=prune,
        facts=True,
        jobs=1,
        atomic=False,
        memo=_MEMO,
    )
    if inform and report.navigation_note():
        inform(f"rtp-snippets: {report.navigation_note()}")
    for page in report.errors:
        warn(f"rtp-snippets: {page.path}: {page.reason}")
    for finding in site_coverage(ruleset, report.facts).findings:
        warn(f"rtp-snippets: {finding}")
