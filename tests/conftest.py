from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from corpora import extract_corpus

from rtp_snippets import build_bundle, load_rules
from support import contexts, properties, readme
from support.browser import CHROMIUM, CHROMIUM_ARGS, Site


def pytest_addoption(parser):
    parser.addoption(
        "--regenerate",
        action="store_true",
        help="Rewrite the golden files in tests/expected/ from the current output.",
    )


def pytest_collection_modifyitems(items):
    # The slow job in .ci/run runs the property tests again, with the thorough profile.
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)


def pytest_terminal_summary(terminalreporter):
    if properties.CASE_COUNTS:
        terminalreporter.write_sep("-", "property test cases")
        for name, count in sorted(properties.CASE_COUNTS.items()):
            terminalreporter.write_line(f"{name}: {count}")


@pytest.fixture(autouse=True)
def no_columns(monkeypatch):
    """Every test starts without COLUMNS, as in a plain pytest run: pytest-xdist's worker
    processes have COLUMNS=80, which would lay out the CLI's text for 80 columns. A test
    about widths sets it itself (monkeypatch or a subprocess's env)."""
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture
def regenerate(request) -> bool:
    return request.config.getoption("--regenerate")


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
    """One Chromium (Debian's, at /usr/bin/chromium) for the whole test session; each
    test opens its own context, which closing cleans and keeps for the next test
    (support.contexts)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield contexts.Browser(browser)
        browser.close()


@pytest.fixture
def site(browser):
    """Pages served under support.browser.ORIGIN in a clean context, 800 × 600; no console
    error may occur."""
    context = browser.new_context(viewport={"width": 800, "height": 600})
    served = Site(context)
    yield served
    context.close()
    assert served.errors == [], "console errors"


@pytest.fixture(scope="session")
def readme_run(tmp_path_factory):
    """Every runnable shell block of README.md, run once per test run in a copy of the
    repository's examples (see tests/support/readme.py). The example sites the README
    builds are reused by the integration tests, so each is built once per run."""
    folder = readme.workspace(tmp_path_factory.mktemp("readme"))
    outcomes = [
        readme.run_block(block, folder) for block in readme.blocks() if block.kind != "set-up"
    ]
    return folder, outcomes
