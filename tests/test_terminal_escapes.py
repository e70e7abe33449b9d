"""Nothing a rules file holds reaches the terminal raw (issue 12, "Terminal escapes"):
ESC, BEL, NUL, C1 controls and bidi overrides are shown as Python escapes in error
messages (the caret still under its column), in `check` findings and its `--site` table,
in the catalogue, and never leave the other commands raw.
"""

import re

import pytest

from support.cli import plain_labels, run
from support.files import write_site
from support.hostile import EVENTS, invoke


def test_error_messages_show_control_characters_as_escapes_with_the_caret_in_place(
    tmp_path, monkeypatch
):
    result = invoke(
        tmp_path,
        monkeypatch,
        "on click\t'#a' send 'x\x1b]0;pwned\x07', 'C:\\' sometimes\n",
        name="site.rules",
    )
    assert result.exit_code == 1
    # With a control character on the line, a backslash is doubled too: \x1b is only ever ESC.
    assert plain_labels(result.stderr) == (
        "Error: site.rules:1:41: unexpected 'sometimes'; after the values come once, pages, "
        "exclude, name, dynamic\n"
        "  on click\t'#a' send 'x\\x1b]0;pwned\\x07', 'C:\\\\' sometimes\n"
        "          \t                                      ^\n"
    )


def test_a_rules_file_name_with_control_characters_is_shown_escaped(tmp_path, monkeypatch):
    result = invoke(tmp_path, monkeypatch, "on tap #a send 'x'\n", name="a\x1b]0;pwned\x07.rules")
    assert result.exit_code == 1
    assert plain_labels(result.stderr) == (
        f"Error: a\\x1b]0;pwned\\x07.rules:1:4: unknown event 'tap'; events are {EVENTS}\n"
        "  on tap #a send 'x'\n"
        "     ^\n"
    )


def test_a_message_naming_rules_files_shows_their_control_characters_escaped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a\x1b]0;pwned\x07.rules", "b.rules"):
        (tmp_path / name).write_text("on view send 'x' once page\n")
    result = run("check", color=True)
    assert result.exit_code == 1
    assert plain_labels(result.stderr) == (
        "Error: several rules files here (a\\x1b]0;pwned\\x07.rules, b.rules); choose one "
        "with -r FILE\n"
    )


# Characters that must never reach a terminal raw: ESC, BEL, NUL, CSI (C1), DEL, and the
# bidi override U+202E, which reorders what follows it.
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]")
HOSTILE_RULES = (
    "rules:\n"
    "  - event: click\n"
    "    selector: 'a[title=\"\x1b]0;pwned\x07\u202e\"]'\n"
    '    send: "esc \\e[2J bel \\a nul \\0 csi \\x9b del \\x7f rlo \\u202e"\n'
    "    once: page\n"
    "  - event: view\n"
    '    send: "\\e]0;second\\a"\n'
)
COMMANDS = {
    "build": ["build"],
    "preview": ["preview"],
    "check": ["check"],
    "check --site": ["check", "--site", "site"],
    "check --json": ["check", "--json"],
    "catalog": ["catalog"],
    "catalog --site": ["catalog", "--site", "site"],
    "catalog --json": ["catalog", "--json"],
    "schema": ["schema"],
}


@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
def test_no_command_prints_a_raw_control_character(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    write_site(
        tmp_path, {"index.html": "<html><head></head><body><a title='x'>a</a></body></html>"}, ""
    )
    # The raw ESC and BEL inside YAML single quotes are refused by YAML itself; a .rules
    # file takes them raw.
    (tmp_path / "rtp-rules.yml").write_text(HOSTILE_RULES.replace("\x1b]0;pwned\x07", ""))
    (tmp_path / "site.rules").write_text(
        "on click 'a[title=\"\x1b]0;pwned\x07\u202e\"]' send 'esc \x1b[2J bel \x07 "
        "nul \x00 csi \x9b del \x7f rlo \u202e' once page\non view send '\x1b]0;second\x07'\n"
    )
    for rules in ("rtp-rules.yml", "site.rules"):
        result = run(*([*args, "-r", rules] if args != ["schema"] else args), color=True)
        assert result.exit_code in (0, 1), result.output
        assert not RAW_CONTROLS.search(result.stdout), (rules, result.stdout)
        assert not RAW_CONTROLS.search(plain_labels(result.stderr)), (
            rules,
            plain_labels(result.stderr),
        )


def test_catalog_and_check_table_show_the_controls_of_a_rules_file_as_escapes(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    write_site(
        tmp_path, {"index.html": "<html><head></head><body><a title='x'>a</a></body></html>"}, ""
    )
    (tmp_path / "site.rules").write_text("on click 'a[title=\"\x1b\"]' send 'x\x07' once page\n")
    table = run("check", "-r", "site.rules", "--site", "site", color=True)
    assert table.stdout.splitlines()[1].split() == ["1", "click", 'a[title="\\x1b"]', "1", "0", "0"]
    catalog = run("catalog", "-r", "site.rules", color=True)
    assert '| x\\x07 | - | 1 | click | a[title="\\x1b"] | all | page |' in catalog.stdout


HOSTILE_NAME = "a\x1b]0;pwned\x07\u202e.html"
SITE_COMMANDS = {
    "inject": ["inject", "-r", "site.rules", "site"],
    "inject --check": ["inject", "--check", "-r", "site.rules", "site"],
    "inject --external": ["inject", "--external", "-r", "site.rules", "site"],
    "remove --check": ["remove", "--check", "site"],
}


@pytest.mark.parametrize("args", SITE_COMMANDS.values(), ids=SITE_COMMANDS.keys())
def test_page_names_in_inject_and_remove_reports_are_shown_escaped(tmp_path, monkeypatch, args):
    """A site's file names are anyone's text too: a page without an RTP tag is named in a
    warning, a page with two hard links in another, a changed page by --check."""
    monkeypatch.chdir(tmp_path)
    site = write_site(tmp_path, {HOSTILE_NAME: "<html><head></head><body>x</body></html>"}, "")
    (site / "b\x1b[2J.html").write_text("<html><head></head><body>x</body></html>")
    (site / "c\x07.html").hardlink_to(site / "b\x1b[2J.html")
    (tmp_path / "site.rules").write_text("on view send 'x' once page\n")
    if args[0] == "remove":
        run("inject", "-r", "site.rules", "site")
    result = run(*args, color=True)
    assert result.exit_code in (0, 1), result.output
    assert "a\\x1b]0;pwned\\x07\\u202e.html" in result.stdout + plain_labels(result.stderr)
    assert not RAW_CONTROLS.search(result.stdout), result.stdout
    assert not RAW_CONTROLS.search(plain_labels(result.stderr)), plain_labels(result.stderr)
