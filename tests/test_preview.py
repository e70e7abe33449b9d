"""`rtp-snippets preview` on a terminal: the rules table, call splits, sizes, then the JS."""

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from rtp_snippets import build_bundle, load_rules
from rtp_snippets.preview import VALUES_PER_CALL, counted, preview_text
from rtp_snippets.terminal import ESCAPE_NOTE, display_width, is_control
from support.cli import run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "rtp-rules.yml"


@pytest.fixture
def ruleset_of(rules_file):
    """The RuleSet of rules given as dicts, written one per line from line 2 on (JSON is
    YAML; characters YAML will not take raw are written as \\u escapes)."""

    def load(*rules: dict):
        lines = []
        for rule in rules:
            text = json.dumps(rule, ensure_ascii=False)
            lines.append(
                "".join(
                    character
                    if character.isprintable()
                    else f"\\U{ord(character):08x}"
                    if ord(character) > 0xFFFF
                    else f"\\u{ord(character):04x}"
                    for character in text
                )
            )
        return load_rules(rules_file("rules:\n" + "".join(f"  - {line}\n" for line in lines)))

    return load


def sections(text: str) -> list[str]:
    """The preview's blank-line separated sections, the readable JS last."""
    head, _, code = text.partition("\n\n(function")
    return [*head.split("\n\n"), "(function" + code]


def test_preview_shows_table_and_sizes_then_code(rules_file):
    path = rules_file("""
        rules:
          - "on click #download-whitepaper send 'download - example whitepaper'"
          - name: contact
            event: submit
            selector: form.contact
            send: [contact form, "lead - {attr:data-product}"]
            once: session
          - "on scroll 75% send 'read' pages /blog/** exclude /blog/drafts/**"
          - "on timer 2.5s send 'stayed'"
        """)
    result = run("preview", path)
    bundle = build_bundle(load_rules(path))
    assert result.exit_code == 0
    table, sizes, code = result.stdout.split("\n\n")
    assert table.splitlines() == [
        "line  name     event   selector              values                                     pages                            once",
        "2     -        click   #download-whitepaper  download - example whitepaper              all                              -",
        "3     contact  submit  form.contact          contact form | lead - {attr:data-product}  all                              session",
        "8     -        scroll  75%                   read                                       /blog/** except /blog/drafts/**  -",
        "9     -        timer   2.5s                  stayed                                     all                              -",
    ]
    assert sizes == (
        f"4 rules; minified bundle: {bundle.size} bytes, {bundle.gzip_size} bytes gzip\n"
        "calls of a click or submit that leaves the page: kept in sessionStorage for "
        "the next page (navigation: queue)"
    )
    assert code == build_bundle(load_rules(path), minify=False).code.rstrip() + "\n"


def test_preview_highlights_the_code_on_a_terminal():
    ruleset = load_rules(EXAMPLE)
    plain, colored = preview_text(ruleset), preview_text(ruleset, color=True)
    assert "\x1b[" in colored and "\x1b[" not in plain
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain
    assert colored.startswith(plain.partition("\n\n(function")[0])  # table and sizes stay plain


@pytest.mark.parametrize(
    "text, width",
    [
        ("abc", 3),
        ("日本語", 6),  # CJK ideographs: wide
        ("한국어", 6),  # Hangul syllables: wide
        ("ｶﾀｶﾅ", 4),  # halfwidth katakana: narrow
        ("ＡＢ", 4),  # fullwidth Latin: wide
        ("👍", 2),  # emoji: wide
        ("e\u0301", 1),  # e + combining acute accent
        ("\u20dd", 0),  # combining enclosing circle (Me)
        ("a\u200db", 2),  # zero-width joiner (Cf)
        ("±", 1),  # East Asian ambiguous: narrow outside CJK locales
    ],
)
def test_display_width(text, width):
    assert display_width(text) == width


def column_starts(row: str, cells: list[str]) -> list[int]:
    """The display column where each of ``cells`` begins in ``row``, found left to right."""
    starts, position = [], 0
    for cell in cells:
        position = row.index(cell, position)
        starts.append(display_width(row[:position]))
        position += len(cell)
    return starts


@pytest.mark.parametrize(
    "text", ["日本語", "한국어", "ｶﾀｶﾅ", "ＡＢ", "👍👍", "e\u0301e\u0301", "a\u200db", "👨\u200d💻"]
)
def test_columns_align_for_wide_and_zero_width_characters(ruleset_of, text):
    ruleset = ruleset_of(
        {
            "event": "click",
            "selector": f'[title="{text}"]',
            "send": [text, "x"],
            "pages": [f"/{text}/**"],
        },
        {"event": "click", "selector": "#plain", "send": "plain value", "once": "page"},
    )
    header, wide, plain = sections(preview_text(ruleset))[0].splitlines()
    columns = ["line", "name", "event", "selector", "values", "pages", "once"]
    assert (
        column_starts(
            wide, ["2", "-", "click", f'[title="{text}"]', f"{text} | x", f"/{text}/**", "-"]
        )
        == column_starts(plain, ["3", "-", "click", "#plain", "plain value", "all", "page"])
        == column_starts(header, columns)
    )


def test_wide_characters_pad_by_display_width(ruleset_of):
    ruleset = ruleset_of(
        {"event": "click", "selector": "#a", "send": "日本語", "name": "wide"},
        {"event": "click", "selector": "#b", "send": "abcdef", "name": "narrow"},
    )
    assert sections(preview_text(ruleset))[0].splitlines() == [
        "line  name    event  selector  values  pages  once",
        "2     wide    click  #a        日本語  all    -",
        "3     narrow  click  #b        abcdef  all    -",
    ]


@pytest.mark.parametrize(
    "character, shown",
    [
        ("\x1b", r"\x1b"),  # ESC: starts colour and cursor sequences
        ("\r", r"\r"),  # carriage return: overwrites the line
        ("\n", r"\n"),
        ("\t", r"\t"),
        ("\x00", r"\x00"),  # NUL
        ("\x08", r"\x08"),  # backspace
        ("\x7f", r"\x7f"),  # DEL
        ("\x85", r"\x85"),  # C1: next line
        ("\x9b", r"\x9b"),  # C1: control sequence introducer
        ("\u202e", r"\u202e"),  # bidi: right-to-left override
        ("\u2066", r"\u2066"),  # bidi: left-to-right isolate
        ("\u200f", r"\u200f"),  # bidi: right-to-left mark
        ("\u200b", r"\u200b"),  # zero-width space
        ("\ufeff", r"\ufeff"),  # byte order mark
        ("\u2028", r"\u2028"),  # line separator
        ("\u2029", r"\u2029"),  # paragraph separator
    ],
)
def test_control_characters_are_shown_escaped(ruleset_of, character, shown):
    ruleset = ruleset_of(
        {
            "event": "click",
            "selector": "#a",
            "name": "odd",
            "send": [f"red{character}[31m", "c:\\temp"],
            "pages": "/日本/**",
        }
    )
    table, note, summary, code = sections(preview_text(ruleset))
    header, row = table.splitlines()
    cells = ["2", "odd", "click", "#a", f"red{shown}[31m | c:\\\\temp", "/日本/**", "-"]
    assert re.split(r"  +", row) == cells
    assert column_starts(row, cells) == column_starts(header, re.split(r"  +", header))
    assert note == ESCAPE_NOTE
    assert not any(
        is_control(found) for found in "\n\n".join((table, note, summary)).replace("\n", "")
    )
    # The JS is the bundle as built: its strings escape controls, only a tab stays raw.
    assert not any(is_control(found) for found in code.replace("\n", "").replace("\t", ""))


@pytest.mark.parametrize(
    "character, shown",
    [("\x1b", r"\x1b"), ("\x00", r"\x00"), ("\x9b", r"\x9b"), ("\u202e", r"\u202e")],
)
def test_control_characters_in_selectors_are_shown_escaped(ruleset_of, character, shown):
    ruleset = ruleset_of({"event": "click", "selector": f'[title="a{character}b"]', "send": "x"})
    header, row = sections(preview_text(ruleset))[0].splitlines()
    assert re.split(r"  +", row) == ["2", "-", "click", f'[title="a{shown}b"]', "x", "all", "-"]


@pytest.mark.parametrize("character", ["\u200d", "\u200c", "\u00a0", "\u3000"])
def test_joiners_and_spaces_are_not_escaped(character):
    assert not is_control(character)


def test_backslashes_are_shown_as_written_when_nothing_is_escaped(ruleset_of):
    ruleset = ruleset_of({"event": "click", "selector": ".md\\:hidden", "send": "\\x1b is typed"})
    table = sections(preview_text(ruleset))[0]
    assert table.splitlines()[1] == "2     -     click  .md\\:hidden  \\x1b is typed  all    -"
    assert ESCAPE_NOTE not in preview_text(ruleset)


def test_a_typed_backslash_escape_and_a_real_control_read_differently(ruleset_of):
    ruleset = ruleset_of({"event": "click", "selector": "#a", "send": ["\\x1b", "\x1b"]})
    assert (
        sections(preview_text(ruleset))[0].splitlines()[1]
        == "2     -     click  #a        \\\\x1b | \\x1b  all    -"
    )


@pytest.mark.parametrize(
    "count, noun, text",
    [
        (0, "rule", "0 rules"),
        (1, "rule", "1 rule"),
        (2, "rule", "2 rules"),
        (1, "value", "1 value"),
        (6, "value", "6 values"),
        (1, "call", "1 call"),
        (3, "call", "3 calls"),
        (1, "byte", "1 byte"),
        (1934, "byte", "1934 bytes"),
    ],
)
def test_counted(count, noun, text):
    assert counted(count, noun) == text


@pytest.mark.parametrize(
    "rules, summary",
    [
        (1, "1 rule; minified bundle: "),
        (2, "2 rules; minified bundle: "),
    ],
)
def test_summary_counts_rules(ruleset_of, rules, summary):
    ruleset = ruleset_of(*({"event": "view", "send": f"value {number}"} for number in range(rules)))
    assert sections(preview_text(ruleset))[-2].startswith(summary)


@pytest.mark.parametrize(
    "values, note",
    [
        (1, None),
        (4, None),
        (5, "5 values → 2 calls: 4 + 1"),
        (6, "6 values → 2 calls: 4 + 2"),
        (8, "8 values → 2 calls: 4 + 4"),
        (9, "9 values → 3 calls: 4 + 4 + 1"),
        (13, "13 values → 4 calls: 4 + 4 + 4 + 1"),
    ],
)
def test_rules_with_more_than_four_values_say_how_they_are_split(ruleset_of, values, note):
    ruleset = ruleset_of(
        {"event": "view", "send": "one"},
        {"event": "view", "send": [f"v{number}" for number in range(values)], "name": "many"},
    )
    found = [
        section for section in sections(preview_text(ruleset)) if section.startswith("RTP takes")
    ]
    if note is None:
        assert found == []
    else:
        assert found == [f"RTP takes at most 4 values per call:\n  line 3 (many): {note}"]


def test_split_notes_name_each_rule_by_line_and_warn_about_placeholders(ruleset_of):
    ruleset = ruleset_of(
        {"event": "click", "selector": "#a", "send": list("abcdef")},
        {"event": "view", "send": "one"},
        {"event": "click", "selector": "#b", "send": [*"abcd", "{text}"], "name": "filled"},
    )
    assert sections(preview_text(ruleset))[1] == (
        "RTP takes at most 4 values per call:\n"
        "  line 2: 6 values → 2 calls: 4 + 2\n"
        "  line 4 (filled): 5 values → 2 calls: 4 + 1 (if every placeholder is filled)"
    )


def test_the_split_is_the_one_the_bundle_makes():
    template = resources.files("rtp_snippets.templates").joinpath("runtime", "send.js").read_text()
    assert (
        f"for (var i = 0; i < list.length; i += {VALUES_PER_CALL}) "
        f"call(list.slice(i, i + {VALUES_PER_CALL}));"
    ) in template
