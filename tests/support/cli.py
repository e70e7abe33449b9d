"""Running the CLI from a test.

``run`` is the one way a test runs ``rtp-snippets`` in process: click's CliRunner,
exceptions not caught, arguments given as anything ``str`` accepts (paths). ``command``
is the command line of a child process, for the tests where the process itself is
under test: signals, a server that keeps running, memory, a pipe closed early.
"""

from __future__ import annotations

import signal
import sys

import click
from click.testing import CliRunner, Result

from rtp_snippets.cli import main
from rtp_snippets.terminal import LABEL_COLOURS


def run(*args, color: bool = False, input: str | bytes | None = None) -> Result:
    """``rtp-snippets ARGS`` in this process. ``color=True`` keeps the escape sequences
    that click strips from output that is not a terminal, so the output is what a
    terminal would get."""
    return CliRunner().invoke(
        main, [str(arg) for arg in args], input=input, color=color, catch_exceptions=False
    )


def plain_labels(text: str) -> str:
    """``text`` with the colour of its ``Error:`` and ``Warning:`` labels taken out, and
    no other: a test of what reaches a terminal can then look for any other escape."""
    for label, colour in LABEL_COLOURS.items():
        text = text.replace(click.style(f"{label}:", fg=colour, bold=True), f"{label}:")
    return text


def with_plain_labels(result: Result) -> Result:
    """``result`` with the colour of its labels taken out of its output (plain_labels)."""
    for name in ("stdout_bytes", "stderr_bytes", "output_bytes"):
        data = getattr(result, name)
        for label, colour in LABEL_COLOURS.items():
            styled = click.style(f"{label}:", fg=colour, bold=True).encode("ascii")
            data = data.replace(styled, f"{label}:".encode("ascii"))
        setattr(result, name, data)
    return result


def command(*args) -> list[str]:
    """The command line of ``rtp-snippets ARGS`` run by this Python in a child process."""
    return [sys.executable, "-m", "rtp_snippets", *(str(arg) for arg in args)]


def ctrl_c_stops() -> None:
    """preexec_fn for a server a test stops with SIGINT, as Ctrl-C would: a process
    started with SIGINT ignored (a job run in the background by a script, as CI may be)
    passes that on to its children, and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
