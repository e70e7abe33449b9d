"""The library's exceptions: one base class, errors that know where they are."""

from __future__ import annotations

from dataclasses import dataclass


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
        text = f"{self.position}: {self.message}"
        line = self.position.source_line.rstrip("\r\n")
        if line:
            # Keep tabs so the caret lines up under the same column on a terminal.
            indent = "".join(c if c == "\t" else " " for c in line[: self.position.column - 1])
            text += f"\n  {line}\n  {indent}^"
        return text


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
