from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from rtp_snippets import build_bundle, load_rules
from rtp_snippets.cli import main

CHROMIUM = "/usr/bin/chromium"

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--regenerate", action="store_true",
                     help="Rewrite the golden files in tests/expected/ from the current output.")


@pytest.fixture
def regenerate(request) -> bool:
    return request.config.getoption("--regenerate")


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
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


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
