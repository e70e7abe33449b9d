"""Stage 1, errors: the library's exceptions: one base class, errors that know where they are."""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import dataclass

from .terminal import display_width, escaped, needs_escaping, shown

# A message quotes at most this many characters of what the rules file says.
ECHO_LIMIT = 60
# A longer message (a YAML parser's, a Python exception's) is cut; none of ours is.
MESSAGE_LIMIT = 500
# A source line longer than LINE_LIMIT (a hostile file's megabyte line) is shown as the
# LINE_SIDE characters either side of the caret, '…' marking what is left out.
LINE_LIMIT, LINE_SIDE = 1000, 100

_QUOTING = reprlib.Repr()
_QUOTING.maxstring = _QUOTING.maxother = ECHO_LIMIT
_QUOTING.maxlevel = 2
_QUOTING.maxlist = _QUOTING.maxtuple = _QUOTING.maxset = _QUOTING.maxdict = 4


def cut(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text``, or its first ``limit - 1`` characters and '…': a message quotes what the
    rules file says, never all of a word that may be a megabyte long."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(value: object) -> str:
    """``value`` as Python writes it (quotes, escapes), cut like ``cut`` and at most four
    items and two levels of a list: a message never formats all of a large or
    self-containing value (a YAML alias bomb, a recursive list)."""
    return _QUOTING.repr(value)


class RtpSnippetsError(Exception):
    """Base class of every error rtp-snippets raises on purpose."""

    def messages(self) -> list[str]:
        """One message per problem; the CLI prints each behind ``Error:``."""
        return [str(self)]


@dataclass(frozen=True)
class Position:
    """A place in a rules file: 1-based line and column, and the line's text."""

    file: str
    line: int
    column: int
    source_line: str = ""

    def __str__(self) -> str:
        # Line 0 stands for the file as a whole (it is missing or unreadable).
        return f"{self.file}:{self.line}:{self.column}" if self.line else self.file


class RuleError(RtpSnippetsError):
    """One problem in a rules file, shown with its line and a caret."""

    def __init__(self, position: Position, message: str):
        super().__init__(message)
        self.position = position
        self.message = message

    def __str__(self) -> str:
        text = f"{self.position}: {cut(self.message, MESSAGE_LIMIT)}"
        line = self.position.source_line.rstrip("\r\n")
        if not line:
            return shown(text)
        caret = self.position.column - 1
        start, end = 0, len(line)
        if len(line) > LINE_LIMIT:
            start, end = max(0, caret - LINE_SIDE), min(len(line), caret + LINE_SIDE)
        before = ("…" if start else "") + line[start:caret]
        after = line[caret:end] + ("…" if end < len(line) else "")
        # The rules file's own text may hold control characters: the message (which may
        # quote it, or name a file) and the line are each escaped if they do (see
        # terminal.shown), and the caret is placed on the escaped line.
        text = shown(text)
        if needs_escaping(before + after, keep="\t"):
            before, after = escaped(before, keep="\t"), escaped(after, keep="\t")
        # Keep tabs so the caret lines up under the same column on a terminal.
        indent = "".join(c if c == "\t" else " " * display_width(c) for c in before)
        return f"{text}\n  {before}{after}\n  {indent}^"


class RulesError(RtpSnippetsError):
    """Every problem found in one rules file, reported together."""

    def __init__(self, errors: list[RuleError]):
        self.errors = tuple(errors)
        super().__init__("\n".join(str(error) for error in self.errors))

    def messages(self) -> list[str]:
        return [str(error) for error in self.errors]


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field of a rule; the loader turns it into a RuleError.

    ``index`` points into list fields (``send``, ``pages``, ``exclude``),
    ``offset`` at a character inside the value.
    """

    field: str
    message: str
    index: int | None = None
    offset: int = 0


class InvalidRule(RtpSnippetsError, ValueError):
    """A Rule built with invalid fields (raised by ``Rule(...)`` itself)."""

    def __init__(self, problems: list[Problem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))


class BundleError(RtpSnippetsError):
    """The JavaScript could not be produced (template, esbuild or minifier failure)."""


class SyntaxProblem(RtpSnippetsError, ValueError):
    """A syntax error at ``offset`` (0-based) in a text; the loader places it in the file."""

    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset
        self.message = message


class ValueSyntaxError(SyntaxProblem):
    """A malformed placeholder in a value to send."""


class DslError(SyntaxProblem):
    """A syntax error in a one-line rule."""


class RulesFileNotFound(RtpSnippetsError):
    """No rules file was named and none (or several) are in the folder."""


class PageSkipped(RtpSnippetsError):
    """The page cannot take the block; ``reason`` says why (it is left as it is)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class PageReplaced(RtpSnippetsError):
    """A page is no longer the file that was read: another process replaced or changed it
    during the run, so it is left as that process wrote it (the run reports it skipped)."""


class SiteBusy(RtpSnippetsError):
    """Another rtp-snippets run is working on the site."""


_OPTION_LABELS = {"base_url": "base URL"}  # how the library's own messages name options


class InvalidOption(RtpSnippetsError, ValueError):
    """An option of a site run (``options.SiteOptions``) that cannot work.

    ``option`` is the field's name, ``value`` the value refused and ``problem`` why, with
    what to give instead; or, with ``needs``, the name of the option without which this
    one does nothing. Each shell names options its own way (the CLI ``--base-url``,
    Sphinx ``rtp_snippets_base_url``): ``spelled`` gives the message in its words, and
    ``str()`` in the library's.
    """

    def __init__(self, option: str, value: object, problem: str = "", needs: str = ""):
        self.option, self.value, self.problem, self.needs = option, value, problem, needs
        super().__init__(self.spelled(lambda name: _OPTION_LABELS.get(name, name)))

    def spelled(self, spell: Callable[[str], str]) -> str:
        """The message, each option named by ``spell(field name)``."""
        if self.needs:
            return f"{spell(self.option)} only applies with {spell(self.needs)}"
        return f"{spell(self.option)} {self.value!r}: {self.problem}"


class InvalidBaseUrl(InvalidOption):
    """A ``base_url`` that pages could not load the bundle files from."""


class InvalidGlob(InvalidOption):
    """An ``include``/``exclude`` glob that can match no page."""


class BudgetExceeded(RtpSnippetsError):
    """A bundle is larger than ``--max-bytes`` allows."""


class VerifyError(RtpSnippetsError):
    """``verify`` cannot run: no Playwright, no browser."""
