"""Bad rules files: exit status 1 and exact `Error: FILE:LINE:COL: …` messages with a caret."""

import textwrap

import pytest

from support import cli


def run(tmp_path, monkeypatch, text, name="rtp-rules.yml", args=("build",)):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    result = cli.run(*args, name)
    return result


CASES = {
    "yaml syntax: a key indented differently": (
        """
        rules:
          - event: click
           selector: x
        """,
        """
        Error: rtp-rules.yml:3:4: this key is indented differently from 'event' above it (column 4 vs 5); align it with 'event'
             selector: x
             ^
        """,
    ),
    "seed line cut short by a YAML comment": (
        """
        rules:
          - on click #download-whitepaper send 'download - example whitepaper'
        """,
        """
        Error: rtp-rules.yml:2:14: this rule is cut short here: in YAML ' #' starts a comment. Quote the whole rule: - "on click #download-whitepaper send 'download - example whitepaper'"
            - on click #download-whitepaper send 'download - example whitepaper'
                       ^
        """,
    ),
    "unknown key with a suggestion": (
        """
        rules:
          - event: click
            selctor: "#a"
            send: x
        """,
        """
        Error: rtp-rules.yml:2:5: a 'click' rule needs a selector or a link, e.g. selector: "#download-whitepaper" or link: "*.pdf"
            - event: click
              ^
        Error: rtp-rules.yml:3:5: unknown key 'selctor'; known keys are name, event, selector, send, pages, exclude, once, percent, seconds, link, dynamic (did you mean 'selector'?)
              selctor: "#a"
              ^
        """,
    ),
    "unknown top-level key": (
        """
        rule:
          - "on view send 'x'"
        """,
        """
        Error: rtp-rules.yml:1:1: unknown key 'rule'; known keys are rtp, navigation, client_navigation, consent, rules (did you mean 'rules'?)
          rule:
          ^
        Error: rtp-rules.yml:1:1: no 'rules:' list in the file
          rule:
          ^
        """,
    ),
    "unknown navigation setting": (
        """
        navigation: later
        rules:
          - "on view send 'x'"
        """,
        """
        Error: rtp-rules.yml:1:13: navigation must be 'queue' (the default: the calls of a click or submit that leaves the page are sent by the next page) or 'send' (sent at once)
          navigation: later
                      ^
        """,
    ),
    "unknown client_navigation setting": (
        """
        client_navigation: yes
        rules:
          - "on view send 'x'"
        """,
        """
        Error: rtp-rules.yml:1:20: client_navigation must be 'auto' (the default: on for sites built with Material for MkDocs' navigation.instant), 'on' (the site changes pages with history.pushState) or 'off'
          client_navigation: yes
                             ^
        """,
    ),
    "unknown event in a mapping": (
        """
        rules:
          - event: tap
            selector: "#a"
            send: x
        """,
        """
        Error: rtp-rules.yml:2:12: unknown event 'tap'; events are click, submit, view, visible, scroll, timer
            - event: tap
                     ^
        """,
    ),
    "unknown event in a one-line rule": (
        """
        rules:
          - "on clik '#a' send 'x'"
        """,
        """
        Error: rtp-rules.yml:2:9: unknown event 'clik'; events are click, submit, view, visible, scroll, timer (did you mean 'click'?)
            - "on clik '#a' send 'x'"
                  ^
        """,
    ),
    "missing selector in a one-line rule": (
        """
        rules:
          - "on submit send 'x'"
        """,
        """
        Error: rtp-rules.yml:2:16: a 'submit' rule needs a selector, e.g. selector: "#download-whitepaper"
            - "on submit send 'x'"
                         ^
        """,
    ),
    "invalid CSS": (
        """
        rules:
          - event: click
            selector: "a[href"
            send: x
        """,
        """
        Error: rtp-rules.yml:3:17: invalid CSS selector: Malformed attribute selector
              selector: "a[href"
                          ^
        """,
    ),
    "CSS that only soupsieve runs": (
        """
        rules:
          - "on click 'a:-soup-contains(\\"Buy\\")' send 'x'"
        """,
        """
        Error: rtp-rules.yml:2:17: ':-soup-contains()' matches text, which browser selectors cannot do; select by id, class or attribute (use {text} to send the text)
            - "on click 'a:-soup-contains(\\"Buy\\")' send 'x'"
                          ^
        """,
    ),
    "empty and non-string values": (
        """
        rules:
          - event: click
            selector: "#a"
            send: [ok, "", 2024, ~]
        """,
        """
        Error: rtp-rules.yml:4:17: values must not be empty
              send: [ok, "", 2024, ~]
                          ^
        Error: rtp-rules.yml:4:20: values must be strings, not int; put the value in quotes
              send: [ok, "", 2024, ~]
                             ^
        Error: rtp-rules.yml:4:26: values must be strings, not NoneType; put the value in quotes
              send: [ok, "", 2024, ~]
                                   ^
        """,
    ),
    "missing send": (
        """
        rules:
          - event: view
        """,
        """
        Error: rtp-rules.yml:2:5: a rule needs send: a value or a list of values
            - event: view
              ^
        """,
    ),
    "bad placeholder": (
        """
        rules:
          - event: click
            selector: "#a"
            send: "lead - {atr:product}"
        """,
        """
        Error: rtp-rules.yml:4:19: unknown placeholder '{atr:product}'; use one of {text}, {attr:NAME}, {path}, {query:NAME}, {host}, {title}, {percent}, or '{{' for a literal brace
              send: "lead - {atr:product}"
                            ^
        """,
    ),
    "element placeholder without an element": (
        """
        rules:
          - "on view send 'viewed {text}'"
        """,
        """
        Error: rtp-rules.yml:2:27: '{text}' needs an element, but this rule has no selector
            - "on view send 'viewed {text}'"
                                    ^
        """,
    ),
    "duplicate names": (
        """
        rules:
          - "on view send 'a' name home"
          - name: home
            event: view
            send: b
        """,
        """
        Error: rtp-rules.yml:3:11: duplicate name 'home'; line 2 already uses it
            - name: home
                    ^
        """,
    ),
    "DSL syntax error at its token": (
        """
        rules:
          - "on click #a send 'x' twice"
        """,
        """
        Error: rtp-rules.yml:2:27: unexpected 'twice'; after the values come once, pages, exclude, name, dynamic
            - "on click #a send 'x' twice"
                                    ^
        """,
    ),
    "bad glob": (
        """
        rules:
          - event: view
            send: x
            pages: [/ok/**, blog/*]
        """,
        """
        Error: rtp-rules.yml:4:21: page globs are site paths starting with '/': write '/blog/*'
              pages: [/ok/**, blog/*]
                              ^
        """,
    ),
    "scroll without percent, timer with a selector": (
        """
        rules:
          - event: scroll
            send: x
          - event: timer
            selector: "#a"
            seconds: 0
            send: y
        """,
        """
        Error: rtp-rules.yml:2:5: a 'scroll' rule needs percent: 1 to 100, or a list such as [25, 50, 75, 100]
            - event: scroll
              ^
        Error: rtp-rules.yml:5:16: a 'timer' rule has no selector; remove it
              selector: "#a"
                         ^
        Error: rtp-rules.yml:6:14: seconds must be a number above 0 and at most 86400
              seconds: 0
                       ^
        """,
    ),
    "rules is not a list": (
        """
        rules: on view send 'x'
        """,
        """
        Error: rtp-rules.yml:1:8: 'rules:' must be a list, one rule per '- ' item
          rules: on view send 'x'
                 ^
        """,
    ),
    "empty file": (
        "\n",
        """
        Error: rtp-rules.yml:1:1: the rules file is empty; it needs a 'rules:' list
        """,
    ),
}


@pytest.mark.parametrize("text, expected", CASES.values(), ids=CASES.keys())
def test_yaml_errors(tmp_path, monkeypatch, text, expected):
    result = run(tmp_path, monkeypatch, text)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == textwrap.dedent(expected).lstrip("\n")


def test_plain_rules_file_errors_for_every_bad_line(tmp_path, monkeypatch):
    result = run(
        tmp_path,
        monkeypatch,
        """
        # comments only at the start of a line
        on click #download-whitepaper send 'download - example whitepaper'
        on click #a send 'x' # not a comment
        on hover #a send 'x'
        """,
        name="site.rules",
    )
    assert result.exit_code == 1
    assert result.stderr == textwrap.dedent("""
        Error: site.rules:3:22: unexpected '#'; after the values come once, pages, exclude, name, dynamic
          on click #a send 'x' # not a comment
                               ^
        Error: site.rules:4:4: unknown event 'hover'; events are click, submit, view, visible, scroll, timer
          on hover #a send 'x'
             ^
        """).lstrip("\n")


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "from rtp_snippets import Rule\n\nrules = [\n    Rule(event='click', send='x'),\n]\n",
            """
     Error: rules.py:4:5: selector: a 'click' rule needs a selector or a link, e.g. selector: "#download-whitepaper" or link: "*.pdf"
           Rule(event='click', send='x'),
           ^
     """,
        ),
        (
            "rules = [1/0]\n",
            """
     Error: rules.py:1:1: running the rules file failed: ZeroDivisionError: division by zero
       rules = [1/0]
       ^
     """,
        ),
        (
            "rulez = []\n",
            """
     Error: rules.py:1:1: a Python rules file must set 'rules' to a list of rtp_snippets.Rule
       rulez = []
       ^
     """,
        ),
        (
            "rules = ['on view send 1']\n",
            """
     Error: rules.py:1:1: rules[0] is a str, not an rtp_snippets.Rule
       rules = ['on view send 1']
       ^
     """,
        ),
        (
            "from rtp_snippets import Rule\nrules = [Rule(event='view', send='a', name='x'),\n"
            "         Rule(event='view', send='b', name='x')]\n",
            """
     Error: rules.py:3:10: duplicate name 'x'; line 2 already uses it
                Rule(event='view', send='b', name='x')]
                ^
     """,
        ),
        (
            "from rtp_snippets import Rule\n\nnavigation = 'never'\nrules = [Rule(event='view', send='x')]\n",
            """
     Error: rules.py:3:1: navigation must be 'queue' (the default: the calls of a click or submit that leaves the page are sent by the next page) or 'send' (sent at once)
       navigation = 'never'
       ^
     """,
        ),
        (
            "from rtp_snippets import Rule\n\nclient_navigation = True\n"
            "rules = [Rule(event='view', send='x')]\n",
            """
     Error: rules.py:3:1: client_navigation must be 'auto' (the default: on for sites built with Material for MkDocs' navigation.instant), 'on' (the site changes pages with history.pushState) or 'off'
       client_navigation = True
       ^
     """,
        ),
    ],
)
def test_python_rules_file_errors(tmp_path, monkeypatch, text, expected):
    result = run(tmp_path, monkeypatch, text, name="rules.py")
    assert result.exit_code == 1
    assert result.stderr == textwrap.dedent(expected).lstrip("\n")


def test_missing_rules_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli.run("build", "-r", "rtp-rules.yml")
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: rtp-rules.yml: no such rules file; create it or give the path of one\n"
    )
    result = cli.run("build")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no rules file here: looked for rtp-rules.yml, rtp-rules.yaml "
        "and *.rules; create one or give its path with -r FILE\n"
    )


def test_rules_file_that_is_not_utf8(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rtp-rules.yml").write_bytes(b"rules:\n  - \"on view send '\xe9t\xe9'\"\n")
    result = cli.run("build")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: rtp-rules.yml:2:20: the rules file is not UTF-8 text\n"
        "    - \"on view send '\ufffdt\ufffd'\"\n"
        "                     ^\n"
    )


def test_misuse_of_the_command_line_is_exit_2():
    result = cli.run("build", "--no-such-flag")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: No such option '--no-such-flag'.\n")


def test_python_rules_file_that_raises_file_not_found_is_not_a_missing_rules_file(
    tmp_path, monkeypatch
):
    result = run(tmp_path, monkeypatch, "open('missing.csv')\nrules = []\n", name="rules.py")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: rules.py:1:1: running the rules file failed: FileNotFoundError: "
    )


def test_python_rules_file_with_a_syntax_error(tmp_path, monkeypatch):
    result = run(tmp_path, monkeypatch, "rules = [\n", name="rules.py")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: rules.py:1:1: running the rules file failed: SyntaxError: "
    )


def test_every_library_exception_lives_in_errors_and_derives_from_the_base():
    """Issue 14: one base class for every error the library raises, all in errors.py, so a
    caller (the CLI, a plugin) catches RtpSnippetsError and nothing else."""
    import ast
    import importlib
    from pathlib import Path

    import rtp_snippets
    from rtp_snippets import errors

    package = Path(rtp_snippets.__file__).parent
    defined = []
    for source in sorted(package.rglob("*.py")):
        # The CLI and the plugins turn library errors into their own (click's, MkDocs').
        if source.name in ("errors.py", "__main__.py", "cli.py") or "integrations" in source.parts:
            continue
        module_name = "rtp_snippets." + ".".join(source.relative_to(package).with_suffix("").parts)
        module = importlib.import_module(module_name)
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            # A private class that never leaves its module (load's _TooDeep) is no API.
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                value = getattr(module, node.name, None)
                if isinstance(value, type) and issubclass(value, BaseException):
                    defined.append(f"{module_name}.{node.name}")
    assert defined == []
    for name in dir(errors):
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, BaseException):
            assert issubclass(value, errors.RtpSnippetsError), name


def test_a_malformed_placeholder_raises_a_library_error_with_its_offset():
    from rtp_snippets.errors import RtpSnippetsError, ValueSyntaxError
    from rtp_snippets.model import parse_value

    with pytest.raises(ValueSyntaxError) as caught:
        parse_value("x {attr:a b}")
    assert isinstance(caught.value, RtpSnippetsError)
    assert (caught.value.offset, caught.value.message) == (2, "'a b' is not a valid attribute name")
