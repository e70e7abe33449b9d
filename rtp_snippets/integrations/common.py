"""What every site-generator integration shares: its settings, stopping on a user's
mistake, and the one call into the core after a build.

Every plugin offers the same settings with the same defaults (``generator_settings``):
the rules file, and the site options a build can use (``options.generator_options``),
each spelled in its generator's way (``SETTING_NAMES``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..coverage import EXAMPLES, SiteCheck, site_coverage
from ..errors import InvalidOption, RtpSnippetsError, quoted
from ..load import DEFAULT_RULES_FILE, load_rules
from ..memo import PageMemo
from ..model import RuleSet
from ..options import SiteOptions, generator_options
from ..preview import counted
from ..site import Report, inject_site
from ..terminal import shown

# Kept across the builds of one process: a serve loop's rebuild writes most pages as they
# were, and those need no scan or parse again (see PageMemo).
_MEMO: PageMemo[Any] = PageMemo()

# How each site generator spells a setting's name (its own convention for a plugin's
# settings): as it is under the plugin in mkdocs.yml, prefixed in Sphinx's conf.py, and
# prefixed in capitals in Pelican's settings.
SETTING_NAMES: dict[str, Callable[[str], str]] = {
    "mkdocs": lambda name: name,
    "sphinx": lambda name: f"rtp_snippets_{name}",
    "pelican": lambda name: f"RTP_SNIPPETS_{name.upper()}",
}


def generator_settings() -> dict[str, Any]:
    """The settings every site-generator plugin offers, and their defaults: ``rules`` (the
    rules file) and the site options a build can use."""
    return {"rules": DEFAULT_RULES_FILE, **generator_options()}


def build_options(values: Mapping[str, Any]) -> SiteOptions:
    """The site options of a build, from the plugin's ``values`` of the settings (by their
    names in ``generator_settings``; ``rules`` is not one); ``InvalidOption`` names the
    option by its field name, which each plugin spells its own way."""
    return SiteOptions(**{name: value for name, value in values.items() if name != "rules"})


def error_report(error: RtpSnippetsError) -> str:
    """The CLI's report of ``error``: one ``Error:`` block per problem (file:line:col, the
    source line and a caret)."""
    return "\n".join(f"Error: {message}" for message in error.messages())


@contextlib.contextmanager
def errors_end_the_build(generator: str, where: str = "") -> Iterator[None]:
    """End the generator's run on a library error as the CLI ends its own (see
    ``load_rules_or_exit``); an option is named as the generator's settings name it,
    after ``where`` (the settings file)."""
    try:
        yield
    except InvalidOption as error:
        raise SystemExit(f"Error: {where}{error.spelled(SETTING_NAMES[generator])}") from error
    except RtpSnippetsError as error:
        raise SystemExit(error_report(error)) from error


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
    options: SiteOptions | None = None,
) -> None:
    """Inject the rules into the built site and report soft problems through ``warn``:
    coverage findings of ``check``, and pages that failed; and through ``inform`` one line
    on what the build did (``build_summary``).

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
    (benchmarks/serve_overhead.py, 9 and 15 rounds).

    ``options`` are the build's site options (``build_options``). A problem that stops the
    run (a bundle over ``max_bytes``, another run working on the site) is raised, as an
    ``RtpSnippetsError``, for the plugin to end the build with."""
    report = inject_site(output, ruleset, options, facts=True, jobs=1, atomic=False, memo=_MEMO)
    coverage = site_coverage(ruleset, report.facts)
    for page in report.errors:
        warn(f"rtp-snippets: {page.path}: {page.reason}")
    for finding in coverage.findings:
        # The generator's own level says how bad it is (its strict mode decides), so the
        # finding's "error:" or "warning:", as check prints it, is left out.
        where = f"{finding.source}: " if finding.source else ""
        warn(shown(f"rtp-snippets: {where}{finding.message}"))
    if inform:
        inform(build_summary(report, coverage))


def build_summary(report: Report, coverage: SiteCheck) -> str:
    """The one line a build logs: the pages the bundle went into, the bundle's size
    (gzip), the rules whose selector matches no element on any page they apply to (the
    warnings say more), and client-side navigation if the site has it."""
    counts = report.counts
    parts = [f"{counted(counts['injected'], 'page')} injected"]
    parts += [f"{counts[status]} {status}" for status in ("unchanged", "skipped") if counts[status]]
    sizes = sorted(bundle.gzip_size for bundle in report.bundles)
    if len(sizes) == 1:
        parts.append(f"bundle {counted(sizes[0], 'byte')} gzip")
    elif sizes:
        parts.append(f"{len(sizes)} bundles of {sizes[0]}-{sizes[-1]} bytes gzip")
    line = "rtp-snippets: " + ", ".join(parts)
    unmatched = [
        entry.rule
        for entry in coverage.coverage
        if entry.rule.element_selector is not None
        and not entry.rule.dynamic
        and entry.applies
        and not entry.pages
    ]
    if unmatched:
        named = ", ".join(
            f"line {rule.source.line}" if rule.source else quoted(rule.target)
            for rule in unmatched[:EXAMPLES]
        )
        more = f" and {len(unmatched) - EXAMPLES} more" if len(unmatched) > EXAMPLES else ""
        line += f"; {counted(len(unmatched), 'rule')} without elements ({named}{more})"
    if report.navigation_note():
        line += f"; {report.navigation_note()}"
    return shown(line)
