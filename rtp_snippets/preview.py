"""Stage 8, preview: what ``rtp-snippets preview`` shows: a table of the rules, how rules with many
values are split into calls, the sizes, and last the readable JS.

Values and selectors may hold any Unicode, and the text goes to a terminal. So
columns are padded by display width (what the terminal draws, not ``len``), and
characters that would move the cursor, recolour the terminal or reorder the
text (controls, bidi overrides) are shown as Python escapes, never raw.
"""

from __future__ import annotations

from .model import Rule, RuleSet
from .render import build_bundle
from .terminal import counted, table

COLUMNS = ("line", "name", "event", "selector", "values", "pages", "once")
# RTP takes at most four values in one call; the bundle's send() (templates/runtime/send.js)
# sends more as consecutive calls of four and the rest.
VALUES_PER_CALL = 4


def call_sizes(count: int) -> tuple[int, ...]:
    """How many of a rule's ``count`` values go into each rtp call: ``(4, 4, 1)`` for 9."""
    return tuple(min(VALUES_PER_CALL, count - start) for start in range(0, count, VALUES_PER_CALL))


def calls_note(rule: Rule) -> str | None:
    """``6 values → 2 calls: 4 + 2`` for a rule with more values than one call takes."""
    sizes = call_sizes(len(rule.send))
    if len(sizes) < 2:
        return None
    note = (
        f"{counted(len(rule.send), 'value')} → {counted(len(sizes), 'call')}: "
        f"{' + '.join(str(size) for size in sizes)}"
    )
    if rule.placeholders:
        # The bundle leaves out a value whose placeholder comes out empty.
        note += " (if every placeholder is filled)"
    return note


def rules_table(ruleset: RuleSet) -> str:
    """A table with one row per rule, aligned by display width; if any cell holds a
    control character, every cell is escaped and a note under the table says so
    (terminal.table)."""
    rows: list[tuple[str, ...]] = [COLUMNS]
    for rule in ruleset:
        pages = ", ".join(rule.pages) or "all"
        if rule.exclude:
            pages += " except " + ", ".join(rule.exclude)
        rows.append(
            (
                str(rule.source.line) if rule.source else "-",
                rule.name or "-",
                rule.event,
                rule.target,
                " | ".join(rule.send),
                pages,
                rule.once or "-",
            )
        )
    return table(rows)


def calls_notes(ruleset: RuleSet) -> str:
    """A line for each rule whose values take more than one rtp call (empty if none)."""
    lines = []
    for number, rule in enumerate(ruleset, start=1):
        note = calls_note(rule)
        if note is None:
            continue
        if rule.source:
            label = f"line {rule.source.line}" + (f" ({rule.name})" if rule.name else "")
        else:
            label = rule.name or f"rule {number}"
        lines.append(f"  {label}: {note}")
    if not lines:
        return ""
    return f"RTP takes at most {counted(VALUES_PER_CALL, 'value')} per call:\n" + "\n".join(lines)


def preview_text(ruleset: RuleSet, color: bool = False) -> str:
    """The rules table, how values split into calls, the sizes, what happens to the calls
    of a page that leaves, and last the readable bundle (highlighted for a terminal
    when ``color``), as blank-line separated sections."""
    minified = build_bundle(ruleset)
    summary = (
        f"{counted(len(ruleset), 'rule')}; minified bundle: {counted(minified.size, 'byte')}, "
        f"{counted(minified.gzip_size, 'byte')} gzip"
    )
    if ruleset.can_leave:
        leaving = "kept in sessionStorage for the next page" if ruleset.queues else "sent at once"
        summary += (
            f"\ncalls of a click or submit that leaves the page: {leaving} "
            f"(navigation: {ruleset.navigation})"
        )
    readable = build_bundle(ruleset, minify=False).code
    if color:  # pygments is only imported for a terminal
        from pygments import highlight
        from pygments.formatters import TerminalFormatter
        from pygments.lexers import JavascriptLexer

        readable = highlight(readable, JavascriptLexer(), TerminalFormatter())
    sections = [rules_table(ruleset), calls_notes(ruleset), summary, readable.rstrip()]
    return "\n\n".join(section for section in sections if section) + "\n"
