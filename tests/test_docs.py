"""The README and the documentation tell the truth: commands, grammar, the example bundle,
the error example, the guarantees, and references generated from the code.

The documentation site itself is built once (``mkdocs build --strict``) and its
generated pages are checked against the click commands and the JSON Schema.
"""

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from rtp_snippets import RuleSet, build_bundle, dsl, load_rules
from rtp_snippets.cli import main
from rtp_snippets.schema import rules_schema
from support import readme
from support.cli import run

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCS = ROOT / "docs"
EVERYTHING = "\n".join(path.read_text() for path in readme.documents())


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_documented(command):
    assert main.commands[command].help
    assert f"`rtp-snippets {command} " in README  # in the README's summary of commands
    assert f"\n.venv/bin/rtp-snippets {command} " in EVERYTHING  # an example in a shell block


def test_rules_page_grammar_is_the_parser_grammar():
    grammar = dsl.__doc__.split("\n\n")[1]
    rules_page = (DOCS / "rules.md").read_text()
    assert "\n" + "\n".join(line[4:] for line in grammar.splitlines()) + "\n" in rules_page


def test_error_example(tmp_path, monkeypatch):
    page = (DOCS / "rules.md").read_text()
    block = re.search(
        r"```\n\$ \.venv/bin/rtp-snippets build -r rtp-rules.yml\n(.*?)```", page, re.S
    ).group(1)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rtp-rules.yml").write_text(
        "rules:\n  - on click #download-whitepaper send 'download - example whitepaper'\n"
    )
    result = run("build", "-r", "rtp-rules.yml")
    assert result.stderr == block


def test_readme_set_up_commands_are_the_ones_ci_runs():
    set_up = re.findall(r"<!-- test: set-up -->\n```sh\n(.*?)\n```", README)
    assert set_up == [
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && "
        ".venv/bin/rtp-snippets build -r examples/rtp-rules.yml",
        ".venv/bin/python -m pytest",
    ]
    assert re.findall(r"```sh\n(.*?)\n```", README)[:2] == set_up  # the first two shell blocks
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    for command in set_up:  # word for word, each on a line of its own
        assert command in ci


def test_every_guarantee_names_tests_that_exist():
    section = (DOCS / "guarantees.md").read_text()
    assert "## " not in section  # one table: every row below is checked
    rows = [line for line in section.splitlines() if line.startswith("| ") and "tests/" in line]
    assert len(rows) >= 10
    for row in rows:
        module = None
        for reference in re.findall(r"`((?:tests/[\w/]+\.py)?(?:::\w+)?)`", row.split(" | ")[-1]):
            path, _, name = reference.partition("::")
            module = path or module
            source = (ROOT / module).read_text()
            assert not name or f"def {name}(" in source, reference


# Words that mean something only to the project's own developers. Code (inline and
# fenced) is left out, so test names stay; the corpora's short names are refused even in
# code (CORPUS_NAMES): a reader cannot know what they are.
TEAM_WORDS = re.compile(
    r"\b(seed|issues?|goals?|the target|targets|target sets|site-a|"
    r"this machine|here|the team)\b",
    re.I,
)
CORPUS_NAMES = re.compile(r"\bsite-[a-z]\b", re.I)


@pytest.mark.parametrize(
    "path",
    [ROOT / "README.md", ROOT / "CHANGES.md", *sorted(DOCS.rglob("*.md"))],
    ids=lambda path: path.name,
)
def test_no_word_only_the_team_knows(path):
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.S | re.M)
    text = re.sub(r"`[^`\n]*`", "", re.sub(r"<!--.*?-->", "", text, flags=re.S))
    assert [line for line in text.splitlines() if TEAM_WORDS.search(line)] == []
    assert [line for line in path.read_text().splitlines() if CORPUS_NAMES.search(line)] == []


def test_readme_is_a_short_guide():
    assert len(README.splitlines()) <= 300


def test_every_page_is_in_the_navigation():
    pages = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert sorted(pages) == sorted(readme._pages(readme._nav()))


def test_ci_builds_the_documentation_strictly_after_the_tests():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert ".venv/bin/mkdocs build --strict" in ci
    assert ci.index(".venv/bin/mkdocs build --strict") > ci.index(".venv/bin/python -m pytest")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The documentation built as CI builds it (mkdocs build --strict), once."""
    folder = tmp_path_factory.mktemp("site")
    mkdocs = Path(sys.prefix) / "bin" / "mkdocs"
    result = subprocess.run(
        [str(mkdocs), "build", "--strict", "-q", "-d", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


def page_text(site: Path, page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", (site / page / "index.html").read_text()))


def test_the_example_bundle_and_its_sizes_are_built_with_the_page(site, rules_file):
    # The rule on line 2 of a rules file (its line is in the bundle, for the debug log).
    path = rules_file(
        "rules:\n  - \"on click #download-whitepaper send 'download - example whitepaper'\"\n"
    )
    rule = load_rules(path).rules[0]
    queue = build_bundle(RuleSet((rule,)))
    send = build_bundle(RuleSet((rule,), navigation="send"))
    text = " ".join(page_text(site, "runtime").split())
    assert (
        f"becomes {queue.size:,} bytes ({queue.gzip_size:,} gzip); "
        f"{queue.gzip_size - send.gzip_size:,} B gzip of that keeps the call" in text
    )
    assert f"it becomes {send.size:,} bytes ({send.gzip_size:,} gzip):" in text
    assert send.code in html.unescape(
        re.sub(r"<[^>]+>", "", (site / "runtime" / "index.html").read_text())
    )


def test_every_cli_option_is_in_the_built_reference(site):
    text = page_text(site, "reference/cli")
    commands = [(f"rtp-snippets {name}", command) for name, command in main.commands.items()]
    for title, command in [("rtp-snippets", main), *commands]:
        assert f"Usage: {title} " in text
        for parameter in command.params:
            for option in parameter.opts + parameter.secondary_opts:
                if isinstance(parameter, click.Option):
                    assert option in text, (title, option)


def test_every_schema_property_is_in_the_built_reference(site):
    text = (site / "reference" / "rules" / "index.html").read_text()

    def properties(schema):
        if isinstance(schema, dict):
            yield from schema.get("properties", {})
            for value in schema.values():
                yield from properties(value)
        elif isinstance(schema, list):
            for value in schema:
                yield from properties(value)

    names = set(properties(rules_schema()))
    assert {"rules", "consent", "event", "selector", "send"} <= names
    for name in sorted(names):
        assert f"<code>{html.escape(name)}</code>" in text, name
    for event in rules_schema()["properties"]["rules"]["items"]["oneOf"][1]["properties"]["event"][
        "enum"
    ]:
        assert html.escape(json.dumps(event)) in html.unescape(text) or json.dumps(event) in text


def test_the_built_site_carries_its_own_rules_and_the_preview_picture(site):
    assert 'data-rtp-snippets="bundle"' in (site / "index.html").read_text()
    assert "preview-panel.png" in (site / "getting-started" / "index.html").read_text()
    assert (site / "preview-panel.png").is_file()
    assert not (site / "hooks.py").exists() and not (site / "rtp-rules.yml").exists()
