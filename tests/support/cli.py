"""Running the CLI from a test.

``run`` is the one way a test runs ``rtp-snippets`` in process: click's CliRunner,
exceptions not caught, arguments given as anything ``str`` accepts (paths). ``command``
is the command line of a child process, for the tests where the process itself is
under test: signals, a server that keeps running, memory, a pipe closed early.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading

from click.testing import CliRunner, Result

from rtp_snippets.cli import main


def run(*args, color: bool = False, input: str | bytes | None = None) -> Result:
    """``rtp-snippets ARGS`` in this process. ``color=True`` keeps the escape sequences
    that click strips from output that is not a terminal, so the output is what a
    terminal would get. Run off the session browser's event loop (``verify`` starts
    Playwright of its own)."""
    return off_the_event_loop(
        CliRunner().invoke,
        main,
        [str(arg) for arg in args],
        input=input,
        color=color,
        catch_exceptions=False,
    )


def off_the_event_loop(function, *args, **keywords):
    """``function(*args, **keywords)``, in a thread of its own when an event loop runs in
    this one, as it does once the session's ``browser`` fixture has started: Playwright's
    sync API (``verify``) refuses to start where a loop runs. What it raises is raised
    again here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop: the usual case
        return function(*args, **keywords)
    outcome: dict = {}

    def call() -> None:
        try:
            outcome["result"] = function(*args, **keywords)
        except BaseException as error:  # raised again below, in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=call)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def command(*args) -> list[str]:
    """The command line of ``rtp-snippets ARGS`` run by this Python in a child process."""
    return [sys.executable, "-m", "rtp_snippets", *(str(arg) for arg in args)]


def ctrl_c_stops() -> None:
    """preexec_fn for a server a test stops with SIGINT, as Ctrl-C would: a process
    started with SIGINT ignored (a job run in the background by a script, as CI may be)
    passes that on to its children, and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
