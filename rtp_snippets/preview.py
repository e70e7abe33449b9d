"""Stage 8, preview: what ``rtp-snippets preview`` shows: a table of the rules, how rules with many
values are split into calls, the sizes, and last the readable JS.

Values and selectors may hold any Unicode, and the text goes to a terminal. So
columns are padded by display width (what the terminal draws, not ``len``), and
characters that would move the cursor, recolour the terminal or reorder the
text (controls, bidi overrides) are shown as Python escapes, never raw.

The text fits the terminal, as ``ls`` and ``git`` lay out columns: its width is
``COLUMNS`` when that is set, else the terminal's when standard output is one. Output
that goes to a pipe or a file, with no ``COLUMNS``, keeps every line whole, so that
``grep`` and scripts see whole selectors and values. Cells too long for their column
are wrapped onto more lines (at spaces where there are some), never cut. Only the
readable JavaScript is left as it is: it is code.
"""

from __future__ import annotations

import os
import sys
from typing import Literal

from .model import Rule, RuleSet
from .render import build_bundle
from .terminal import ESCAPE_NOTE, counted, display_width, shown_cells, table

COLUMNS = ("line", "name", "event", "selector", "values", "pages", "once")
# RTP takes at most four values in one call; the bundle's send() (templates/runtime/send.js)
# sends more as consecutive calls of four and the rest.
VALUES_PER_CALL = 4
# The narrowest layout: every header still fits, and a few characters of each long cell.
MIN_WIDTH = 60
# Columns that keep their width; the others (name, selector, values, pages) are wrapped.
FIXED_COLUMNS = frozenset({"line", "event", "once"})
GAP = "  "


def output_width() -> int | None:
    """The width the text is laid out for: ``COLUMNS`` when it is set to a number, else
    the terminal's when standard output is a terminal, else None (no limit: piped output
    keeps whole lines). Never under MIN_WIDTH."""
    columns = os.environ.get("COLUMNS", "")
    if columns.strip().isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    try:
        if not sys.stdout.isatty():
            return None
        width = os.get_terminal_size(sys.stdout.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return None
    return max(width, MIN_WIDTH) if width > 0 else None


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


def rules_table(ruleset: RuleSet, width: int | None = None) -> str:
    """A table with one row per rule, aligned by display width; if any cell holds a
    control character, every cell is escaped and a note under the table says so
    (terminal.table). With ``width``, no line is wider: long cells wrap (fitted_table)."""
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
    return fitted_table(rows, width)


def fitted_table(rows: list[tuple[str, ...]], width: int | None) -> str:
    """``rows`` as terminal.table lays them out when that fits in ``width`` (or ``width``
    is None); else the wide columns are narrowed until it fits, and their cells wrapped
    onto as many lines as they need, each row's lines kept together."""
    whole = table(rows)
    if width is None:
        return whole
    text, _, note = whole.partition("\n\n")  # the escape note, if any, follows a blank line
    if all(display_width(line) <= width for line in text.splitlines()):
        return f"{text}\n\n{fitted(note, width)}" if note else text
    header = rows[0]
    body, escaping = shown_cells(rows[1:])
    cells = [list(header), *body]
    natural = [max(display_width(row[column]) for row in cells) for column in range(len(header))]
    widths = _narrowed(header, natural, width - len(GAP) * (len(header) - 1))
    lines = []
    for row in cells:
        wrapped = [_wrapped(cell, limit) for cell, limit in zip(row, widths, strict=True)]
        for number in range(max(len(parts) for parts in wrapped)):
            parts = [part[number] if number < len(part) else "" for part in wrapped]
            padded = [
                part + " " * (column_width - display_width(part))
                for part, column_width in zip(parts, widths, strict=True)
            ]
            lines.append(GAP.join(padded).rstrip())
    text = "\n".join(lines)
    return f"{text}\n\n{fitted(ESCAPE_NOTE, width)}" if escaping else text


def _narrowed(header: tuple[str, ...], natural: list[int], room: int) -> list[int]:
    """Column widths that add up to at most ``room``: fixed columns keep their natural
    width; the room left is shared among the others, a column narrower than its share
    keeping its own width and leaving the rest to the wider ones. No column is
    narrower than its heading."""
    widths = list(natural)
    flexible = [column for column, name in enumerate(header) if name not in FIXED_COLUMNS]
    left = room - sum(natural[column] for column in range(len(header)) if column not in flexible)
    waiting = sorted(flexible, key=lambda column: natural[column])
    while waiting:
        share = left // len(waiting)
        column = waiting.pop(0)
        widths[column] = max(min(natural[column], share), display_width(header[column]))
        left -= widths[column]
    return widths


def _wrapped(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` as lines of at most ``width`` display columns, broken at spaces where it
    has them, else within a word; lines after the first begin with ``indent``."""
    if display_width(text) <= width:
        return [text]
    lines: list[str] = []
    stripped = text.lstrip(" ")
    line = text[: len(text) - len(stripped)]  # the text's own indent stays
    for word in stripped.split(" "):
        candidate = f"{line} {word}" if line.strip() else line + word
        if display_width(candidate) <= width:
            line = candidate
            continue
        if line.strip():
            lines.append(line)
            line = indent
        for character in word:
            if display_width(line + character) > width and line.strip():
                lines.append(line)
                line = indent
            line += character
    lines.append(line)
    return lines


def fitted(text: str, width: int | None, indent: str = "  ") -> str:
    """``text``'s lines wrapped at ``width`` (None: as they are); a line wrapped goes on
    indented by ``indent`` more than it began."""
    if width is None:
        return text
    lines = []
    for line in text.splitlines():
        start = line[: len(line) - len(line.lstrip(" "))]
        lines.extend(_wrapped(line, width, start + indent))
    return "\n".join(lines)


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


def preview_text(
    ruleset: RuleSet, color: bool = False, width: int | Literal["output"] | None = "output"
) -> str:
    """The rules table, how values split into calls, the sizes, what happens to the calls
    of a page that leaves, and last the readable bundle (highlighted for a terminal
    when ``color``), as blank-line separated sections.

    Every line but the JavaScript's fits in ``width`` columns: by default the width of
    the output (``output_width``), None for no limit."""
    if width == "output":
        width = output_width()
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
    sections = [
        rules_table(ruleset, width),
        fitted(calls_notes(ruleset), width),
        fitted(summary, width),
        readable.rstrip(),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"
