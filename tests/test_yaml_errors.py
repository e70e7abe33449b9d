"""Broken YAML in a rules file: each common mistake named in plain words, at the line
and column where it is (not where PyYAML's parser gave up), with the source line and a
caret; anything else in PyYAML's own words, still at a file:line:col."""

import pytest

from rtp_snippets import load_rules
from rtp_snippets.errors import RulesError
from support import cli

# name: (the rules file, line, column, the message after "rtp-rules.yml:LINE:COL: ")
CASES = {
    "double quote never closed, lines before the next quote": (
        "rules:\n  - \"on view send 'a'\"\n  - \"on click #a send 'x'\n  - \"on view send 'b'\"\n",
        3,
        5,
        'this quoted string is never closed; close it with "',
    ),
    "double quote never closed, at the end of the file": (
        'rules:\n  - "on view send \'a\'"\n  - event: click\n    selector: "#a\n    send: x\n',
        4,
        15,
        'this quoted string is never closed; close it with "',
    ),
    "single quote never closed": (
        "rules:\n  - 'on click #a send x\n  - \"on view send 'y'\"\n",
        2,
        5,
        "this quoted string is never closed; close it with '",
    ),
    "[ list never closed": (
        "rules:\n  - event: click\n    selector: '#a'\n    send: [a, b\n    once: page\n",
        4,
        11,
        "this [ list is never closed; close it with ]",
    ),
    "{ mapping never closed": (
        "rules:\n  - {event: click, selector: '#a', send: x\n  - event: view\n    send: y\n",
        2,
        5,
        "this { mapping is never closed; close it with }",
    ),
    "key indented one space less than the key above": (
        "rules:\n  - event: click\n    selector: '#a'\n   send: x\n",
        4,
        4,
        "this key is indented differently from 'selector' above it (column 4 vs 5); "
        "align it with 'selector'",
    ),
    "key indented one space more than the key above": (
        "rules:\n  - event: click\n     send: x\n",
        3,
        6,
        "this key is indented differently from 'event' above it (column 6 vs 5); "
        "align it with 'event'",
    ),
    "top-level key indented": (
        "navigation: queue\n rules:\n  - \"on view send 'x'\"\n",
        2,
        2,
        "this key is indented differently from 'navigation' above it (column 2 vs 1); "
        "align it with 'navigation'",
    ),
    "first top-level key indented": (
        " rtp:\n  account: x\nrules:\n  - \"on view send 'x'\"\n",
        1,
        2,
        "this key is indented, unlike 'rules' below it; the keys at the top of the file "
        "start at column 1",
    ),
    "a key where a new rule was meant": (
        "rules:\n  - event: click\n    selector: '#a'\n    send: x\n  event: view\n",
        5,
        3,
        "a key at the column of the '- ' items above it: start a new item with '- ', "
        "or indent the key under the item it belongs to",
    ),
    "'- ' item indented differently": (
        "rules:\n- \"on view send 'x'\"\n  - \"on view send 'y'\"\n",
        3,
        3,
        "this '- ' item is indented differently from the one above it (column 3 vs 1); align it",
    ),
    "tab in the indentation": (
        "rules:\n  - event: click\n\tsend: x\n",
        3,
        1,
        "a tab in the indentation: YAML indents with spaces only",
    ),
    "key without its colon": (
        "rules:\n  - event: click\n    selector '#a'\n    send: x\n",
        3,
        5,
        "'selector' has no ':' after it; a key is written 'key: value'",
    ),
    "key:value without a space": (
        "rules:\n  - event:click\n    selector: '#a'\n",
        2,
        10,
        "a ':' after a key needs a space: write 'event: click'",
    ),
    "a value with ': ' in it": (
        "rules:\n  - event: click\n    selector: '#a'\n    send: lead: whitepaper\n",
        4,
        15,
        "a second ': ' on this line; a value with ': ' in it must be quoted, e.g. send: \"a: b\"",
    ),
    "a ] that closes nothing": (
        "rules:\n  - event: click\n    selector: '#a'\n    send: [a, b]]\n",
        4,
        17,
        "a ] with no [ before it; remove it",
    ),
    "text after the closing quote": (
        "rules:\n  - \"on view send\" 'x'\n",
        2,
        20,
        "text after the closing quote; put the whole value inside the quotes",
    ),
    "missing comma in a list over two lines": (
        "rules:\n  - event: click\n    selector: '#a'\n    send: [a,\n      'b' c]\n",
        5,
        11,
        "a ',' is missing before this item of the [ list at line 4, column 11",
    ),
    "a value starting with @": (
        "rules:\n  - event: click\n    selector: '#a'\n    send: @team\n",
        4,
        11,
        'a YAML value cannot start with @; put the value in quotes, e.g. "@…"',
    ),
    "unknown escape in double quotes": (
        "rules:\n  - \"on view send 'C:\\q'\"\n",
        2,
        22,
        "'\\q' is not an escape of a double-quoted YAML string; write \\\\ for a backslash, "
        "or put the value in single quotes",
    ),
    "anchor defined twice": (
        "rules:\n  - event: &e click\n    selector: '#a'\n    send: &e x\n",
        4,
        11,
        "the anchor &e is defined twice (first at line 2); give this one another name",
    ),
    # Anything else: PyYAML's own words, at its place, with where its context starts.
    "other errors in PyYAML's words": (
        "rules:\n  - event: click\n    selector: '#a'\n    send: |x\n",
        4,
        12,
        "YAML syntax error: expected chomping or indentation indicators, but found 'x' "
        "(while scanning a block scalar at line 4, column 11)",
    ),
}


@pytest.mark.parametrize("text, line, column, message", CASES.values(), ids=list(CASES))
def test_a_yaml_mistake_is_named_where_it_is(tmp_path, text, line, column, message):
    path = tmp_path / "rtp-rules.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    [error] = caught.value.errors
    assert (error.position.line, error.position.column) == (line, column), str(error)
    assert error.message == message, str(error)
    # The source line, and the caret under the column.
    first, source, caret = str(error).splitlines()
    assert source == "  " + text.splitlines()[line - 1]
    assert caret.index("^") == 2 + column - 1


def test_the_cli_shows_an_unclosed_quote_at_the_quote(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rtp-rules.yml").write_text(
        "rules:\n  - \"on view send 'a'\"\n  - \"on click #a send 'x'\n"
    )
    result = cli.run("build")
    assert result.exit_code == 1
    assert result.stderr == (
        'Error: rtp-rules.yml:3:5: this quoted string is never closed; close it with "\n'
        "    - \"on click #a send 'x'\n"
        "      ^\n"
    )
