"""The README tells the truth: commands, grammar, the seed bundle and the error example."""

import re
from pathlib import Path

import pytest

from rtp_snippets import RuleSet, build_bundle, dsl, load_rules
from rtp_snippets.cli import main

from support.cli import run

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_documented(command):
    assert main.commands[command].help
    assert f"`rtp-snippets {command} " in README
    assert f"\n.venv/bin/rtp-snippets {command} " in README  # an example in a shell block


def test_readme_grammar_is_the_parser_grammar():
    grammar = dsl.__doc__.split("\n\n")[1]
    assert "\n" + "\n".join(line[4:] for line in grammar.splitlines()) + "\n" in README


def test_readme_seed_bundle_and_size(rules_file):
    # The seed rule on line 2 of a rules file (its line is in the bundle, for the debug log).
    path = rules_file("rules:\n  - \"on click #download-whitepaper send 'download - example whitepaper'\"\n")
    seed = load_rules(path).rules[0]
    queue = build_bundle(RuleSet((seed,)))
    send = build_bundle(RuleSet((seed,), navigation="send"))
    assert f"becomes {queue.size}\nbytes ({queue.gzip_size} gzip); " \
           f"{queue.gzip_size - send.gzip_size} B gzip of that" in README
    assert f"it becomes {send.size} bytes ({send.gzip_size} gzip):\n\n```js\n{send.code}\n```" in README


def test_readme_error_example(tmp_path, monkeypatch):
    block = re.search(r"```\n\$ \.venv/bin/rtp-snippets build -r rtp-rules.yml\n(.*?)```", README,
                      re.S).group(1)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rtp-rules.yml").write_text(
        "rules:\n  - on click #download-whitepaper send 'download - example whitepaper'\n")
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
    section = README.split("## Guarantees", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "tests/" in line]
    assert len(rows) >= 10
    for row in rows:
        module = None
        for reference in re.findall(r"`((?:tests/[\w/]+\.py)?(?:::\w+)?)`", row.split(" | ")[-1]):
            path, _, name = reference.partition("::")
            module = path or module
            source = (ROOT / module).read_text()
            assert not name or f"def {name}(" in source, reference
