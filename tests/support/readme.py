"""The shell blocks of README.md and the documentation, and running them as a newcomer would.

The documents are README.md, then the pages of docs/ in the order of mkdocs.yml's
``nav``, so a page's commands may use what the README's quick start made. Each
```sh block of a document comes right after a marker comment that says what the
test does with it:

- ``<!-- test: set-up -->``: the README's two set-up commands. They install the
  package, so the tests cannot run them; ``.ci/run`` runs them word for word
  in a fresh clone (``tests/test_docs.py`` checks that it does).
- ``<!-- test: run -->``: run with bash from the repository root, in order,
  each block in one shell; it must exit with status 0.
- ``<!-- test: serve -->``: a command that serves until Ctrl-C. It is
  started, must print the URL it serves, answer a request for it, and stop
  cleanly on SIGINT.

The blocks run in a copy of the documents and ``examples/`` (the folders the
commands name), with ``.venv`` a link to the virtualenv running the tests,
so nothing is written into the working tree. SOURCE_DATE_EPOCH pins the date
that MkDocs writes into its sitemap, so two builds of an example compare equal.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from support.cli import ctrl_c_stops

ROOT = Path(__file__).resolve().parent.parent.parent
MARKED = re.compile(r"<!-- test: ([a-z-]+) -->\n```sh\n(.*?)\n```", re.S)
SHELL_BLOCK = re.compile(r"```sh\n(.*?)\n```", re.S)
# What the example builds write inside examples/; a copy must not start with them.
BUILD_OUTPUTS = ("jinja/_site", "mkdocs/site", "pelican/output", "sphinx/_build")
ENVIRONMENT = {"SOURCE_DATE_EPOCH": "1700000000", "COLUMNS": "1000"}


@dataclass(frozen=True)
class Block:
    kind: str  # "set-up", "run" or "serve"
    commands: str


@dataclass(frozen=True)
class Outcome:
    block: Block
    status: int
    output: str  # stdout and stderr


def documents() -> list[Path]:
    """README.md, then every page of the documentation in the order of its navigation."""
    return [ROOT / "README.md"] + [ROOT / "docs" / page for page in _pages(_nav())]


def _nav() -> list:
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]


def _pages(nav) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in _pages(value)]
    return [page for item in nav for page in _pages(item)]


def blocks(text: str | None = None) -> list[Block]:
    """The marked shell blocks of ``text``, or of every document (README.md first), in order."""
    if text is None:
        return [block for path in documents() for block in blocks(path.read_text(encoding="utf-8"))]
    return [Block(kind, commands) for kind, commands in MARKED.findall(text)]


def unmarked_shell_blocks(text: str) -> list[str]:
    marked = {commands for _, commands in MARKED.findall(text)}
    return [commands for commands in SHELL_BLOCK.findall(text) if commands not in marked]


def workspace(folder: Path) -> Path:
    """A copy of what the README's commands read, with .venv linked to this virtualenv."""
    scripts = Path(sys.prefix) / "bin"
    if not (scripts / "rtp-snippets").exists():
        raise RuntimeError(
            f"{sys.prefix} has no rtp-snippets script: run the tests with the "
            "virtualenv that the README's set-up makes (.venv/bin/python -m pytest)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "README.md", folder / "README.md")
    shutil.copytree(ROOT / "docs", folder / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        ROOT / "examples", folder / "examples", ignore=shutil.ignore_patterns("__pycache__")
    )
    for output in BUILD_OUTPUTS:
        shutil.rmtree(folder / "examples" / output, ignore_errors=True)
    (folder / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    return folder


def run_block(block: Block, folder: Path) -> Outcome:
    environment = {**os.environ, **ENVIRONMENT}
    if block.kind == "serve":
        return _serve(block, folder, environment)
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", block.commands],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return Outcome(block, result.returncode, result.stdout + result.stderr)


def _serve(block: Block, folder: Path, environment: dict) -> Outcome:
    """Start the server, fetch the URL it names, stop it with SIGINT (Ctrl-C)."""
    process = subprocess.Popen(
        ["bash", "-e", "-c", "exec " + block.commands],
        cwd=folder,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=ctrl_c_stops,
    )
    assert process.stdout is not None
    lines = []
    watchdog = threading.Timer(120, process.kill)  # a server that never says where it is
    watchdog.start()
    try:
        for line in process.stdout:
            lines.append(line)
            url = re.search(r" at (http://\S+/) ", line)
            if url:
                with urllib.request.urlopen(url.group(1), timeout=30) as response:
                    page = response.read().decode("utf-8", "replace")
                lines.append(
                    f"[the test fetched {url.group(1)}: {response.status}, "
                    f"{'with' if 'data-rtp-snippets' in page else 'WITHOUT'} "
                    "the rules injected]\n"
                )
                if "data-rtp-snippets" not in page:
                    process.kill()
                    break
                os.killpg(process.pid, signal.SIGINT)
                break
        rest, _ = process.communicate(timeout=30)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    return Outcome(block, process.returncode, "".join(lines) + (rest or ""))
