"""Hostile rules files (issue 12, "Rules files"): alias bombs, YAML tags, recursive
aliases, NUL bytes, deep nesting, huge selectors and numbers, files full of problems.
Each is refused at its place with `Error: FILE:LINE:COL: …` and a caret (never a
traceback), in little memory, or accepted.

Time is measured by benchmarks/hostile_rules.py; the timeouts here only stop a hang.
"""

import re
import textwrap

import pytest

from rtp_snippets import load_rules
from support.hostile import EVENTS, invoke, measured

MEMORY_LIMIT_MB = 200


# --- alias bombs ----------------------------------------------------------------


def alias_bomb(levels: int = 9) -> list[str]:
    """YAML lines defining *b<levels-1>: nine aliases of nine aliases of … of "lol"."""
    lines = ['b0: &b0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        lines.append(f"b{level}: &b{level} [" + ",".join([f"*b{level - 1}"] * 9) + "]")
    return lines


BOMB_LINE = len(alias_bomb()) + 2  # the line of the rule that uses the bomb
ALIAS_BOMBS = {
    # key: (the rule's lines, a line of the output)
    "event": (
        ["  - event: *b8", "    send: x"],
        f"Error: bomb.yml:{BOMB_LINE}:12: 'event' takes a single value, not a list",
    ),
    "once": (
        ["  - event: view", "    send: x", "    once: *b8"],
        f"Error: bomb.yml:{BOMB_LINE + 2}:11: 'once' takes a single value, not a list",
    ),
    "name": (
        ["  - event: view", "    send: x", "    name: *b8"],
        f"Error: bomb.yml:{BOMB_LINE + 2}:11: 'name' takes a single value, not a list",
    ),
    "selector": (
        ["  - event: click", "    selector: *b8", "    send: x"],
        f"Error: bomb.yml:{BOMB_LINE + 1}:15: 'selector' takes a single value, not a list",
    ),
    "a value of send": (
        ["  - event: view", "    send: [x, *b8]"],
        f"Error: bomb.yml:{BOMB_LINE + 1}:15: each item of 'send' is a single value, not a list",
    ),
    # The first item of *b8 is where b8 is defined: an alias of b7, also a list.
    "pages": (
        ["  - event: view", "    send: x", "    pages: *b8"],
        f"Error: bomb.yml:{BOMB_LINE - 2}:10: each item of 'pages' is a single value, not a list",
    ),
    "a key": (
        ["  - event: view", "    send: x", "    ? *b8", "    : 1"],
        f"Error: bomb.yml:{BOMB_LINE + 2}:7: a key is a plain word such as 'event', not a list",
    ),
}


@pytest.mark.parametrize("rule, line", ALIAS_BOMBS.values(), ids=ALIAS_BOMBS.keys())
def test_an_alias_bomb_is_refused_at_its_place_in_little_memory(tmp_path, rule, line):
    text = "\n".join([*alias_bomb(), "rules:", *rule]) + "\n"
    assert len(text.encode()) < 600
    (tmp_path / "bomb.yml").write_text(text)
    result = measured(["check", "-r", "bomb.yml"], tmp_path)
    assert result["status"] == 1
    # After the errors for the top-level keys b0 to b8, which only a rules file does not know.
    assert result["stderr"].splitlines()[0] == (
        "Error: bomb.yml:1:1: unknown key 'b0'; known keys are rtp, navigation, client_navigation, consent, rules"
    )
    assert line in result["stderr"].splitlines()
    assert "Traceback" not in result["stderr"]
    assert len(result["stderr"]) < 2000  # the expanded tree is never formatted
    assert result["megabytes"] < MEMORY_LIMIT_MB


def test_anchors_and_aliases_of_plain_values_still_work(tmp_path):
    path = tmp_path / "rtp-rules.yml"
    path.write_text(
        textwrap.dedent("""
        rules:
          - event: view
            send: &read read
            pages: &blog ["/blog/**", "/news/**"]
            once: session
          - "on scroll 50% send 'half'"
          - event: timer
            seconds: 30
            send: [*read, stayed]
            exclude: *blog
        """).lstrip()
    )
    view, _, timer = load_rules(path)
    assert view.pages == timer.exclude == ("/blog/**", "/news/**")
    assert timer.send == ("read", "stayed")


# --- tracebacks ------------------------------------------------------------------

DEEP = 500
LIST_LINE = "  - event: " + "[" * DEEP + "]" * DEEP
MAPPING_LINE = "  - event: " + "{a: " * DEEP + "x" + "}" * DEEP
PARTS = " ".join(["a"] * 20_000)
ALTERNATIVES = ",".join(["a"] * 50_000)
DIGITS = "9" * 5000


def window(line: str, caret: int) -> tuple[str, str]:
    """The echoed part of a source line over 1,000 characters and the caret line for
    0-based ``caret``: up to 100 characters either side, '…' where the line was cut."""
    start, end = max(0, caret - 100), min(len(line), caret + 100)
    shown = ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")
    return f"  {shown}", "  " + " " * (caret - start + (1 if start else 0)) + "^"


def error(place: str, message: str, line: str, caret: int) -> str:
    return "\n".join([f"Error: {place}: {message}", *window(line, caret)]) + "\n"


TRACEBACKS = {
    "python object tag": (
        "rules:\n  - event: !!python/object/apply:os.system ['echo hi']\n    send: x\n",
        """
        Error: rtp-rules.yml:2:12: the YAML tag '!!python/object/apply:os.system' is not allowed in a rules file; write the plain value
            - event: !!python/object/apply:os.system ['echo hi']
                     ^
        """,
    ),
    "custom tag as a mapping value": (
        "rules:\n  - event: !custom view\n    send: x\n",
        """
        Error: rtp-rules.yml:2:12: the YAML tag '!custom' is not allowed in a rules file; write the plain value
            - event: !custom view
                     ^
        """,
    ),
    "custom tag on a value in a list": (
        "rules:\n  - event: view\n    send: [x, !custom y]\n    once: page\n",
        """
        Error: rtp-rules.yml:3:15: the YAML tag '!custom' is not allowed in a rules file; write the plain value
              send: [x, !custom y]
                        ^
        """,
    ),
    "custom tag on a list": (
        "rules:\n  - event: view\n    send: !custom [x]\n    once: page\n",
        """
        Error: rtp-rules.yml:3:11: the YAML tag '!custom' is not allowed in a rules file; write the plain value
              send: !custom [x]
                    ^
        """,
    ),
    "custom tag in the RTP tag": (
        "rtp:\n  account: !custom x\n  script: //rtp.example/rtp.js\n"
        "rules:\n  - \"on view send 'x' once page\"\n",
        """
        Error: rtp-rules.yml:2:12: the YAML tag '!custom' is not allowed in a rules file; write the plain value
            account: !custom x
                     ^
        """,
    ),
    "a bare '=' (YAML's value tag)": (
        "rules:\n  - event: =\n    send: x\n",
        f"""
        Error: rtp-rules.yml:2:12: unknown event '='; events are {EVENTS}
            - event: =
                     ^
        """,
    ),
    "a bare '<<' (YAML's merge tag)": (
        "rules:\n  - event: <<\n    send: x\n",
        f"""
        Error: rtp-rules.yml:2:12: unknown event '<<'; events are {EVENTS}
            - event: <<
                     ^
        """,
    ),
    "a date that does not exist": (
        "rules:\n  - event: 2024-02-30\n    send: x\n",
        f"""
        Error: rtp-rules.yml:2:12: unknown event '2024-02-30'; events are {EVENTS}
            - event: 2024-02-30
                     ^
        """,
    ),
    "recursive alias as the event": (
        "rules:\n  - event: &r [*r]\n    send: x\n",
        """
        Error: rtp-rules.yml:2:12: 'event' takes a single value, not a list
            - event: &r [*r]
                     ^
        """,
    ),
    "recursive alias as the values": (
        "rules:\n  - event: view\n    send: &r [*r]\n",
        """
        Error: rtp-rules.yml:3:15: each item of 'send' is a single value, not a list
              send: &r [*r]
                        ^
        """,
    ),
    "recursive alias as a key": (
        "rules:\n  - &r {*r : 1}\n",
        f"""
        Error: rtp-rules.yml:2:5: a rule needs an event: {EVENTS}
            - &r {{*r : 1}}
              ^
        Error: rtp-rules.yml:2:5: a rule needs send: a value or a list of values
            - &r {{*r : 1}}
              ^
        Error: rtp-rules.yml:2:9: a key is a plain word such as 'event', not a mapping
            - &r {{*r : 1}}
                  ^
        """,
    ),
    "a mapping as a value": (
        "rules:\n  - event: view\n    send: {a: b}\n",
        """
        Error: rtp-rules.yml:3:11: 'send' takes a value or a list of values, not a mapping
              send: {a: b}
                    ^
        """,
    ),
    "NUL byte": (
        "rules:\n  - \"on view send 'a\x00b' once page\"\n",
        """
        Error: rtp-rules.yml:2:21: YAML does not allow the character U+0000 in a file; to send it, write \\x00 in a double-quoted string
            - "on view send 'a\\x00b' once page"
                              ^
        """,
    ),
    "ESC byte": (
        "rules:\n  - \"on view send 'a\x1b[2Jb' once page\"\n",
        """
        Error: rtp-rules.yml:2:21: YAML does not allow the character U+001B in a file; to send it, write \\x1b in a double-quoted string
            - "on view send 'a\\x1b[2Jb' once page"
                              ^
        """,
    ),
    f"{DEEP}-deep list": (
        f"rules:\n{LIST_LINE}\n    send: x\n",
        error(
            "rtp-rules.yml:2:19",
            "nested more than 10 levels deep; a rules file needs 4 at most",
            LIST_LINE,
            18,
        ),
    ),
    f"{DEEP}-deep mapping": (
        f"rules:\n{MAPPING_LINE}\n    send: x\n",
        error(
            "rtp-rules.yml:2:40",
            "nested more than 10 levels deep; a rules file needs 4 at most",
            MAPPING_LINE,
            39,
        ),
    ),
    "selector of 20,000 parts": (
        f'rules:\n  - event: click\n    selector: "{PARTS}"\n    send: x\n',
        error(
            "rtp-rules.yml:3:16",
            "a selector is at most 1000 characters; this one has 39999",
            f'    selector: "{PARTS}"',
            15,
        ),
    ),
    "selector of 50,000 alternatives": (
        f'rules:\n  - event: click\n    selector: "{ALTERNATIVES}"\n    send: x\n',
        error(
            "rtp-rules.yml:3:16",
            "a selector is at most 1000 characters; this one has 99999",
            f'    selector: "{ALTERNATIVES}"',
            15,
        ),
    ),
    "selector of 20,000 parts in a one-line rule": (
        f"rules:\n  - \"on click '{PARTS}' send 'x'\"\n",
        error(
            "rtp-rules.yml:2:16",
            "a selector is at most 1000 characters; this one has 39999",
            f"  - \"on click '{PARTS}' send 'x'\"",
            15,
        ),
    ),
    "percent of 5,000 digits": (
        f"rules:\n  - event: scroll\n    percent: {DIGITS}\n    send: x\n",
        error(
            "rtp-rules.yml:3:14",
            "percent must be a whole number from 1 to 100",
            f"    percent: {DIGITS}",
            13,
        ),
    ),
}


@pytest.mark.parametrize("text, expected", TRACEBACKS.values(), ids=TRACEBACKS.keys())
def test_a_hostile_yaml_rules_file_is_an_error_at_its_place(tmp_path, monkeypatch, text, expected):
    result = invoke(tmp_path, monkeypatch, text)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == textwrap.dedent(expected).lstrip("\n")


PLAIN = {
    "selector of 20,000 parts": (
        f"on click '{PARTS}' send 'x'",
        error(
            "site.rules:1:11",
            "a selector is at most 1000 characters; this one has 39999",
            f"on click '{PARTS}' send 'x'",
            10,
        ),
    ),
    "selector of 20,000 parts joined by '>'": (
        f"on click '{PARTS.replace(' ', '>')}' send 'x'",
        error(
            "site.rules:1:11",
            "a selector is at most 1000 characters; this one has 39999",
            f"on click '{PARTS.replace(' ', '>')}' send 'x'",
            10,
        ),
    ),
    "selector of 50,000 alternatives": (
        f"on click {ALTERNATIVES} send 'x'",
        error(
            "site.rules:1:10",
            "a selector is at most 1000 characters; this one has 99999",
            f"on click {ALTERNATIVES} send 'x'",
            9,
        ),
    ),
    "scroll percent of 5,000 digits": (
        f"on scroll {DIGITS}% send 'x'",
        error(
            "site.rules:1:11",
            "percent must be a whole number from 1 to 100",
            f"on scroll {DIGITS}% send 'x'",
            10,
        ),
    ),
    "timer of 5,000 digits": (
        f"on timer {DIGITS}s send 'x'",
        error(
            "site.rules:1:10",
            "seconds must be a number above 0 and at most 86400",
            f"on timer {DIGITS}s send 'x'",
            9,
        ),
    ),
    "an event word of 100,000 letters": (
        f"on {'x' * 100_000} send 'x'",
        error(
            "site.rules:1:4",
            f"unknown event '{'x' * 59}…'; events are {EVENTS}",
            f"on {'x' * 100_000} send 'x'",
            3,
        ),
    ),
    "NUL in a selector": (
        "on click '#a\x00' send 'x' sometimes",
        """
        Error: site.rules:1:25: unexpected 'sometimes'; after the values come once, pages, exclude, name, dynamic
          on click '#a\\x00' send 'x' sometimes
                                     ^
        """,
    ),
}


@pytest.mark.parametrize("text, expected", PLAIN.values(), ids=PLAIN.keys())
def test_a_hostile_plain_rules_file_is_an_error_at_its_place(tmp_path, monkeypatch, text, expected):
    result = invoke(tmp_path, monkeypatch, text + "\n", name="site.rules")
    assert result.exit_code == 1
    assert result.stderr == textwrap.dedent(expected).lstrip("\n")


def test_a_nul_byte_in_a_python_rules_file_is_an_error_shown_escaped(tmp_path, monkeypatch):
    # The same message on every Python version (3.10 raises ValueError, later ones
    # SyntaxError, each worded its own way), at the character's place.
    result = invoke(tmp_path, monkeypatch, "rules = [\x00]\n", name="rules.py")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: rules.py:1:10: Python does not allow the character U+0000 in a source file; "
        "to send it, write \\x00 in a string\n  rules = [\\x00]\n           ^\n"
    )


@pytest.mark.parametrize(
    "name, text",
    [
        ("site.rules", "on view send " + ", ".join(["''"] * 50_000) + "\n"),
        ("site.rules", "x\n" * 300_000),
        ("rtp-rules.yml", "rules:\n" + "  - event: tap\n    send: x\n" * 1000),
    ],
)
def test_a_file_full_of_problems_shows_the_first_hundred(tmp_path, monkeypatch, name, text):
    result = invoke(tmp_path, monkeypatch, text, name=name)
    assert result.exit_code == 1
    blocks = result.stderr.split("Error: ")[1:]
    assert len(blocks) == 101
    assert re.fullmatch(
        rf"{re.escape(name)}:\d+:\d+: stopped after 100 problems; fix these and "
        r"run again\n.*\n.*\^\n",
        blocks[-1],
    )
    assert len(result.stderr) < 101 * 600


@pytest.mark.slow
def test_fifty_thousand_rules_are_accepted(tmp_path):
    # Values under six characters and all different: no warning, so only the loading counts.
    (tmp_path / "site.rules").write_text(
        "".join(f"on view send '{index:04x}' once page\n" for index in range(50_000))
    )
    result = measured(["check", "-r", "site.rules"], tmp_path)
    assert result["status"] == 0
    assert result["stdout"] == "site.rules: 50000 rules, 0 errors, 0 warnings\n"


WRONG_TYPES = {
    "a number as pages": (
        "rules:\n  - event: view\n    send: x\n    once: page\n    pages: 404\n",
        """
        Error: rtp-rules.yml:5:12: 'pages' takes a page glob or a list of them, e.g. pages: "/blog/**"
              pages: 404
                     ^
        """,
    ),
    "true as exclude": (
        "rules:\n  - event: view\n    send: x\n    once: page\n    exclude: true\n",
        """
        Error: rtp-rules.yml:5:14: 'exclude' takes a page glob or a list of them, e.g. exclude: "/blog/**"
              exclude: true
                       ^
        """,
    ),
    "a number as send": (
        "rules:\n  - event: view\n    send: 12\n    once: page\n",
        """
        Error: rtp-rules.yml:3:11: values must be strings, not int; put the value in quotes
              send: 12
                    ^
        """,
    ),
}


@pytest.mark.parametrize("text, expected", WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_a_value_of_the_wrong_type_is_an_error_at_its_place(tmp_path, monkeypatch, text, expected):
    result = invoke(tmp_path, monkeypatch, text)
    assert result.exit_code == 1
    assert result.stderr == textwrap.dedent(expected).lstrip("\n")


@pytest.mark.parametrize(
    "ending, shown",
    [
        ("sys.exit(3)", "SystemExit: 3"),
        ("sys.exit()", "SystemExit: "),
        ("raise SystemExit('bye')", "SystemExit: bye"),
    ],
)
def test_a_python_rules_file_that_exits_is_an_error_not_our_exit(
    tmp_path, monkeypatch, ending, shown
):
    result = invoke(tmp_path, monkeypatch, f"import sys\n{ending}\n", name="rules.py")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: rules.py:2:1: running the rules file failed: {shown}\n  {ending}\n  ^\n"
    )
