from __future__ import annotations

import difflib
import signal
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from rtp_snippets import build_bundle, load_rules
from rtp_snippets.cli import main

from corpora import extract_corpus  # tests/ is on sys.path

CHROMIUM = "/usr/bin/chromium"
# No GPU process, and none of the background traffic this machine's closed network refuses.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--regenerate", action="store_true",
                     help="Rewrite the golden files in tests/expected/ from the current output.")


@pytest.fixture
def regenerate(request) -> bool:
    return request.config.getoption("--regenerate")


def compare_with_golden(golden: Path, text: str, regenerate: bool) -> None:
    """Fail with a diff when ``text`` differs from the golden file; --regenerate rewrites it."""
    if regenerate:
        golden.write_text(text, encoding="utf-8", newline="\n")
    expected = golden.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True),
                                            text.splitlines(keepends=True),
                                            f"tests/expected/{golden.name}", "current output"))
        pytest.fail(f"{golden.name} differs from the current output; run pytest --regenerate "
                    f"after a deliberate change.\n{diff}", pytrace=False)


@pytest.fixture(scope="session")
def site_a(tmp_path_factory) -> Path:
    """site-a on disk, extracted once per run and made read-only like the corpus it
    stands for: a test that writes works on its own copy (``extract_corpus``)."""
    root = extract_corpus("site-a", tmp_path_factory.mktemp("corpus") / "site-a")
    for path in sorted(root.rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    return root


@pytest.fixture
def rules_file(tmp_path):
    """Write a rules file and return its path: rules_file(text, name='rtp-rules.yml')."""

    def write(text: str, name: str = "rtp-rules.yml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def bundle_of(rules_file):
    """The minified bundle for DSL lines: bundle_of("on click #a send 'x'", …)."""

    def build(*lines: str, minify: bool = True):
        path = rules_file("\n".join(lines) + "\n", name="test.rules")
        return build_bundle(load_rules(path), minify=minify)

    return build


@pytest.fixture(scope="session")
def browser():
    """One Chromium (Debian's, at /usr/bin/chromium) for the whole test session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def ctrl_c_stops() -> None:
    """preexec_fn for a server a test stops with SIGINT, as Ctrl-C would: a process
    started with SIGINT ignored (a job run in the background by a script, as CI may be)
    passes that on to its children, and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run(*args):
    """The CLI through click's CliRunner, exceptions not caught."""
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)


def write_site(folder: Path, pages: dict[str, str], rules: str) -> Path:
    """folder/site with the pages, and folder/rtp-rules.yml; returns the site folder."""
    root = folder / "site"
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (folder / "rtp-rules.yml").write_text(rules)
    return root


# Case counts of the property tests, printed at the end of the run.
CASE_COUNTS: dict[str, int] = {}


def pytest_terminal_summary(terminalreporter):
    if CASE_COUNTS:
        terminalreporter.write_sep("-", "property test cases")
        for name, count in sorted(CASE_COUNTS.items()):
            terminalreporter.write_line(f"{name}: {count}")


@pytest.fixture(scope="session")
def readme_run(tmp_path_factory):
    """Every runnable shell block of README.md, run once per test run in a copy of the
    repository's examples (see tests/readme.py). The example sites the README builds
    are reused by the integration tests, so each is built once per run."""
    import readme

    folder = readme.workspace(tmp_path_factory.mktemp("readme"))
    outcomes = [readme.run_block(block, folder) for block in readme.blocks()
                if block.kind != "set-up"]
    return folder, outcomes


def serve_folder(context, root: Path, origin: str) -> None:
    """Serve the folder ``root`` under ``origin`` in a Playwright browser context, each file
    with its type (a folder's index.html for the folder); every other request fails
    (there is no network here)."""
    import mimetypes
    from urllib.parse import unquote

    def handle(route):
        url = route.request.url
        if not url.startswith(origin + "/"):
            route.abort()
            return
        path = root / unquote(url[len(origin) + 1:].split("?")[0].split("#")[0])
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            route.fulfill(status=404, body="not found")
            return
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=path.read_bytes(), headers={"content-type": kind})

    context.route("**/*", handle)
