"""Stage 0, terminal: text bound for a terminal: how wide it is drawn, its control
characters made visible, its ``Error:`` and ``Warning:`` labels coloured, and its counts.

Every command prints parts of a rules file (values, selectors, globs, its own lines in
error messages) and of a site (page paths). A control character printed raw moves the
cursor, clears or retitles the terminal, or reorders the text that follows it (bidi
overrides), so whatever is printed goes through ``shown`` first. Columns are padded by
display width (what the terminal draws, not ``len``).

Colour goes only to a terminal: ``click.echo`` drops it from output that is not one, and
``labelled`` adds none when ``NO_COLOR`` is set to anything (https://no-color.org).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Collection, Sequence

import click

# Zero-width joiner and non-joiner: invisible, but they hold emoji sequences and
# Persian or Indic words together, so they are kept (as zero columns), not escaped.
_JOINERS = frozenset("\u200c\u200d")
ESCAPE_NOTE = (
    "Control and invisible characters are shown as Python escapes "
    "(\\x1b, \\n, \\u202e), and a backslash as \\\\."
)
LABEL_COLOURS = {"Error": "red", "Warning": "yellow"}


def counted(count: int, noun: str) -> str:
    """``1 rule``, ``2 rules``, ``0 rules``: the count and the noun, plural unless one."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def labelled(label: str, message: str) -> str:
    """``Error: message`` or ``Warning: message``, the label in bold red or yellow unless
    ``NO_COLOR`` is set (to anything but ""). ``message`` is printed as it is: show it
    (``shown``) first, as escaping the whole line would escape the colour too."""
    head = f"{label}:"
    if not os.environ.get("NO_COLOR"):
        head = click.style(head, fg=LABEL_COLOURS[label], bold=True)
    return f"{head} {message}"


def display_width(text: str) -> int:
    """The terminal columns ``text`` takes: two for wide and fullwidth East Asian
    characters (CJK, most emoji), none for combining marks and format characters
    (categories Mn, Me, Cf), one for the rest.

    Ambiguous-width characters (East Asian width A, e.g. ``±``) count as one, as
    terminals draw them outside CJK locales. An emoji sequence joined by U+200D
    counts as the sum of its parts; terminals differ in how they draw those.
    """
    return sum(_character_width(character) for character in text)


def _character_width(character: str) -> int:
    if unicodedata.combining(character) or unicodedata.category(character) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def is_control(character: str) -> bool:
    """True for a character that must not reach a terminal raw: C0 and C1 controls and
    DEL (Cc), line and paragraph separators, lone surrogates, and format characters
    (Cf: bidi overrides such as U+202E, zero-width spaces) other than the joiners."""
    category = unicodedata.category(character)
    return category in ("Cc", "Zl", "Zp", "Cs") or (category == "Cf" and character not in _JOINERS)


def escaped(text: str, keep: str = "") -> str:
    """``text`` with controls and backslashes as Python escapes: ``\\x1b``, ``\\n``,
    ``\\u202e``, ``\\\\``, so that every escape reads back as exactly one character.
    Characters in ``keep`` (a tab, a newline) stay as they are."""
    return "".join(
        character.encode("unicode_escape").decode("ascii")
        if (character == "\\" or is_control(character)) and character not in keep
        else character
        for character in text
    )


def needs_escaping(text: str, keep: str = "") -> bool:
    """Whether ``text`` holds a control character other than those in ``keep``."""
    return any(is_control(character) and character not in keep for character in text)


def shown(text: str, keep: str = "") -> str:
    """``text`` as it is printed: unchanged when it holds no control character (outside
    ``keep``), else ``escaped``. Escaping then doubles backslashes as well, so that in
    the printed text ``\\x1b`` is always ESC and never four typed characters; text
    without controls keeps its backslashes readable (a CSS escape ``.md\\:hidden``).
    Showing shown text again changes nothing."""
    return escaped(text, keep) if needs_escaping(text, keep) else text


def shown_cells(rows: Sequence[Sequence[str]]) -> tuple[list[list[str]], bool]:
    """The cells of a table as they are printed, and whether they were escaped: if any
    cell holds a control character, every cell is escaped, so that a backslash means
    the same throughout the table."""
    escaping = any(needs_escaping(cell) for row in rows for cell in row)
    return [[escaped(cell) if escaping else cell for cell in row] for row in rows], escaping


def table(rows: Sequence[Sequence[str]], right: Collection[int] = ()) -> str:
    """``rows`` (the first is the header) as aligned columns, padded by display width,
    the columns numbered in ``right`` aligned right. If any cell holds a control
    character, every cell is escaped (so a backslash means the same throughout the
    table) and ESCAPE_NOTE follows the table."""
    body, escaping = shown_cells(rows[1:])
    rows = [rows[0], *body]
    widths = [max(display_width(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for column, (cell, width) in enumerate(zip(row, widths, strict=True)):
            padding = " " * (width - display_width(cell))
            cells.append(padding + cell if column in right else cell + padding)
        lines.append("  ".join(cells).rstrip())
    text = "\n".join(lines)
    return f"{text}\n\n{ESCAPE_NOTE}" if escaping else text
