"""What ``rtp-snippets preview`` shows: the readable JS, a table of rules, the sizes."""

from __future__ import annotations

from pygments import highlight
from pygments.formatters import TerminalFormatter
from pygments.lexers import JavascriptLexer

from .model import RuleSet
from .render import build_bundle

COLUMNS = ("line", "name", "event", "selector", "values", "pages", "once")


def rules_table(ruleset: RuleSet) -> str:
    """An aligned plain-text table with one row per rule."""
    rows = [COLUMNS]
    for rule in ruleset:
        if rule.event == "scroll":
            target = f"{rule.percent}%"
        elif rule.event == "timer":
            target = f"{rule.seconds:g}s"
        else:
            target = rule.selector or "-"
        pages = ", ".join(rule.pages) or "all"
        if rule.exclude:
            pages += " except " + ", ".join(rule.exclude)
        rows.append((
            str(rule.source.line) if rule.source else "-",
            rule.name or "-",
            rule.event,
            target,
            " | ".join(rule.send),
            pages,
            rule.once or "-",
        ))
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows
    )


def preview_text(ruleset: RuleSet, color: bool = False) -> str:
    """The readable bundle (highlighted for a terminal when ``color``), the rules and sizes."""
    readable = build_bundle(ruleset, minify=False).code
    if color:
        readable = highlight(readable, JavascriptLexer(), TerminalFormatter())
    minified = build_bundle(ruleset)
    leaving = ""
    if ruleset.can_leave:
        leaving = ("kept in sessionStorage for the next page" if ruleset.queues
                   else "sent at once")
        leaving = (f"calls of a click or submit that leaves the page: {leaving} "
                   f"(navigation: {ruleset.navigation})\n")
    return (
        f"{readable.rstrip()}\n\n"
        f"{rules_table(ruleset)}\n\n"
        f"{len(ruleset)} rules; minified bundle: {minified.size} bytes, "
        f"{minified.gzip_size} bytes gzip\n{leaving}"
    )
