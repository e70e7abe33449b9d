"""Issue 15's triggers in the model, the one-line form, YAML, Python and the bundle's data:
several scroll depths and {percent}; visible with a share and a time; click narrowed
by the link's URL, {host} and {title}. Their run-time behaviour: tests/test_browser.py."""

import json

import pytest

from rtp_snippets import InvalidRule, Rule, RuleSet, build_bundle, load_rules
from rtp_snippets.dsl import DslError, parse_rule
from rtp_snippets.render import _records
from support.cli import run
from support.files import write_site
from support.links import LINK_GLOB_CASES


def problems(**fields):
    with pytest.raises(InvalidRule) as caught:
        Rule(**{"send": "x", **fields})
    return [(p.field, p.index, p.offset, p.message) for p in caught.value.problems]


def data(*rules, event):
    """The records of ``event`` in the readable bundle (the template's tojson data), each
    without the rule's line (its third item, for the debug log: see test_debug.py)."""
    records = []
    for rule in rules:
        for record in _records(rule) if rule.event == event else ():
            record = record.to_json()
            assert record.pop(2) == rule.source.line
            records.append(record)
    return records


# --- scroll: several depths and {percent} ---------------------------------------------


def test_one_scroll_rule_takes_several_depths_in_every_form(rules_file):
    dsl = load_rules(
        rules_file("rules:\n  - \"on scroll 25%, 50%,75% , 100% send 'read {percent}'\"\n")
    )
    mapping = load_rules(
        rules_file("""
        rules:
          - event: scroll
            percent: [25, 50, 75, 100]
            send: read {percent}
        """)
    )
    plain = load_rules(
        rules_file("on scroll 25%, 50%, 75%, 100% send 'read {percent}'\n", name="site.rules")
    )
    python = Rule(event="scroll", percent=[25, 50, 75, 100], send="read {percent}")
    assert tuple(dsl) == tuple(mapping) == tuple(plain) == (python,)
    assert python.percent == (25, 50, 75, 100) and python.percents == (25, 50, 75, 100)


def test_a_single_depth_is_the_same_rule_as_before():
    one = Rule(event="scroll", percent=50, send="x")
    assert Rule(event="scroll", percent=[50], send="x") == one
    assert parse_rule("on scroll 75% send 'read'").fields["percent"] == 75
    assert Rule(event="scroll", percent=50, send="x").percents == (50,)


# Digests of rules written before issue 15 (computed with main at 3742db2): `once` keys in
# visitors' sessionStorage and the catalogue use them, so they must not change.
@pytest.mark.parametrize(
    "rule, key",
    [
        (dict(event="scroll", percent=50, send="half"), "cf27e78afebf"),
        (
            dict(
                event="scroll",
                percent=100,
                send=["read", "{path}"],
                once="session",
                pages="/blog/**",
            ),
            "9d0382c4c74d",
        ),
        (dict(event="visible", selector="#a", send="x", once="session"), "3c22e42c164e"),
        (
            dict(event="click", selector="a.pdf", send="pdf - {attr:href}", once="page"),
            "dd49848c14fa",
        ),
        (dict(event="timer", seconds=1.5, send="t"), "0d0f80bab4be"),
    ],
)
def test_the_key_of_an_existing_rule_is_unchanged(rule, key):
    assert Rule(**rule).key == key
    if rule["event"] == "scroll":
        assert Rule(**{**rule, "percent": [rule["percent"]]}).key == key


def test_each_depth_is_its_own_record_with_percent_filled_in_at_build_time():
    rule = Rule(
        event="scroll", percent=[50, 25, 100], send=["read {percent}", "{path}"], once="session"
    )
    assert data(rule, event="scroll") == [
        [25, ["read 25", [["path"]]], {"once": "session", "key": rule.key + "@25"}],
        [50, ["read 50", [["path"]]], {"once": "session", "key": rule.key + "@50"}],
        [100, ["read 100", [["path"]]], {"once": "session", "key": rule.key + "@100"}],
    ]
    # A single depth keeps its record and key as before.
    single = Rule(event="scroll", percent=75, send="read {percent}", once="session")
    assert data(single, event="scroll") == [[75, "read 75", {"once": "session", "key": single.key}]]


def test_percent_alone_needs_no_placeholder_code():
    rule = Rule(event="scroll", percent=[25, 50], send="read {percent}")
    with_percent = build_bundle(RuleSet((rule,)))
    assert "textContent" not in with_percent.code and "getAttribute" not in with_percent.code
    assert '"read 25"' in with_percent.code and '"read 50"' in with_percent.code


DEPTH = "a depth is a whole number from 1 to 100, e.g. percent: [25, 50, 75, 100]"


@pytest.mark.parametrize(
    "fields, expected",
    [
        (
            dict(event="scroll", percent=[25, 50, 25]),
            [("percent", 2, 0, "the depth 25 is given twice; give each depth once")],
        ),
        (
            dict(event="scroll", percent=[0, 50, 101]),
            [("percent", 0, 0, DEPTH), ("percent", 2, 0, DEPTH)],
        ),
        (
            dict(event="scroll", percent=[]),
            [
                (
                    "percent",
                    None,
                    0,
                    "a 'scroll' rule needs percent: 1 to 100, or a list such as [25, 50, 75, 100]",
                )
            ],
        ),
        (dict(event="scroll", percent=[50, "75"]), [("percent", 1, 0, DEPTH)]),
        (
            dict(event="view", send="seen {percent}"),
            [
                (
                    "send",
                    0,
                    5,
                    "'{percent}' is the scroll depth reached: only a 'scroll' rule can send it",
                )
            ],
        ),
    ],
)
def test_scroll_depth_problems(fields, expected):
    assert problems(**fields) == expected


@pytest.mark.parametrize(
    "line, offset, message",
    [
        ("on scroll 25%, send 'x'", 15, "expected a depth such as 50% after ','"),
        ("on scroll 25%, 50 send 'x'", 15, "expected a depth such as 50% after ','"),
    ],
)
def test_scroll_depth_syntax_errors(line, offset, message):
    with pytest.raises(DslError) as caught:
        parse_rule(line)
    assert (caught.value.offset, caught.value.message) == (offset, message)


def test_a_repeated_depth_is_reported_at_its_place(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rtp-rules.yml").write_text(
        "rules:\n  - \"on scroll 25%, 50%, 25% send 'read {percent}'\"\n"
        "  - event: scroll\n    percent: [10, 10]\n    send: x\n"
        "  - \"on click #a send 'at {percent}'\"\n"
    )
    result = run("build", "-r", "rtp-rules.yml")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: rtp-rules.yml:2:26: the depth 25 is given twice; give each depth once\n"
        "    - \"on scroll 25%, 50%, 25% send 'read {percent}'\"\n"
        "                           ^\n"
        "Error: rtp-rules.yml:4:19: the depth 10 is given twice; give each depth once\n"
        "      percent: [10, 10]\n"
        "                    ^\n"
        "Error: rtp-rules.yml:6:27: '{percent}' is the scroll depth reached: only a 'scroll' "
        "rule can send it\n"
        "    - \"on click #a send 'at {percent}'\"\n"
        "                            ^\n"
    )


def schema_accepts(rule: dict) -> bool:
    import jsonschema

    from rtp_snippets.schema import rules_schema

    return jsonschema.Draft202012Validator(rules_schema()).is_valid({"rules": [rule]})


@pytest.mark.parametrize(
    "rule, valid",
    [
        ({"event": "scroll", "percent": [25, 50, 75, 100], "send": "read {percent}"}, True),
        ({"event": "scroll", "percent": 50, "send": "x"}, True),
        ({"event": "scroll", "percent": [25, 25], "send": "x"}, False),
        ({"event": "scroll", "percent": [], "send": "x"}, False),
        ({"event": "scroll", "percent": [0, 50], "send": "x"}, False),
        ({"event": "visible", "selector": "#a", "percent": 50, "seconds": 2, "send": "x"}, True),
        ({"event": "visible", "selector": "#a", "seconds": 0.5, "send": "x"}, True),
        ({"event": "visible", "selector": "#a", "percent": [50], "send": "x"}, False),
        ({"event": "click", "selector": "#a", "percent": 50, "send": "x"}, False),
        ({"event": "view", "seconds": 2, "send": "x"}, False),
        ({"event": "click", "link": "*.pdf", "send": "x"}, True),
        ({"event": "click", "link": "outbound", "selector": "nav a", "send": "x"}, True),
        ({"event": "click", "link": "file", "send": "x"}, True),
        ({"event": "click", "link": "https://example.com/files/*", "send": "x"}, True),
        ({"event": "click", "send": "x"}, False),
        ({"event": "click", "link": "pdf", "send": "x"}, False),
        ({"event": "click", "link": "*.pdf?x=1", "send": "x"}, False),
        ({"event": "submit", "selector": "form", "link": "*.pdf", "send": "x"}, False),
    ],
)
def test_schema_of_the_new_fields(rule, valid):
    assert schema_accepts(rule) is valid


# --- visible: a share of the element, for a time ----------------------------------------


@pytest.mark.parametrize(
    "line, fields",
    [
        (
            "on visible .pricing-table 50% for 2s send 'saw pricing'",
            {
                "event": "visible",
                "selector": ".pricing-table",
                "percent": 50,
                "seconds": 2,
                "send": ["saw pricing"],
            },
        ),
        (
            "on visible .pricing-table 50% send 'x'",
            {"event": "visible", "selector": ".pricing-table", "percent": 50, "send": ["x"]},
        ),
        (
            "on visible 'main .card' for 0.5s send 'x' once page",
            {
                "event": "visible",
                "selector": "main .card",
                "seconds": 0.5,
                "send": ["x"],
                "once": "page",
            },
        ),
    ],
)
def test_visible_share_and_time_in_the_one_line_form(line, fields):
    assert parse_rule(line).fields == fields


@pytest.mark.parametrize(
    "line, offset, message",
    [
        ("on visible .a for 2 send 'x'", 18, "'for' is followed by a time in seconds, e.g. for 2s"),
        (
            "on visible .a 50% 2s send 'x'",
            18,
            "expected 'send', got '2s'; write the time as for 2s",
        ),
        (
            "on visible .a 25%, 50% send 'x'",
            14,
            "a 'visible' rule takes one share of the element, "
            "e.g. on visible .pricing-table 50% for 2s",
        ),
    ],
)
def test_visible_syntax_errors(line, offset, message):
    with pytest.raises(DslError) as caught:
        parse_rule(line)
    assert (caught.value.offset, caught.value.message) == (offset, message)


def test_visible_share_and_time_in_every_form(rules_file):
    dsl = load_rules(
        rules_file("rules:\n  - \"on visible .pricing-table 50% for 2s send 'saw pricing'\"\n")
    )
    mapping = load_rules(
        rules_file("""
        rules:
          - event: visible
            selector: .pricing-table
            percent: 50
            seconds: 2
            send: saw pricing
        """)
    )
    python = Rule(
        event="visible", selector=".pricing-table", percent=50, seconds=2, send="saw pricing"
    )
    assert tuple(dsl) == tuple(mapping) == (python,)


@pytest.mark.parametrize(
    "fields, expected",
    [
        (
            dict(event="visible", selector="#a", percent=[25, 50]),
            [
                (
                    "percent",
                    None,
                    0,
                    "a 'visible' rule takes one percent (the share of the element in "
                    "view), not a list",
                )
            ],
        ),
        (
            dict(event="visible", selector="#a", percent=0),
            [("percent", None, 0, "percent must be a whole number from 1 to 100")],
        ),
        (
            dict(event="visible", selector="#a", seconds=0),
            [("seconds", None, 0, "seconds must be a number above 0 and at most 86400")],
        ),
        (
            dict(event="click", selector="#a", percent=50),
            [
                (
                    "percent",
                    None,
                    0,
                    "percent is only for 'scroll' rules (depths) and 'visible' rules "
                    "(the share of the element in view); remove it",
                )
            ],
        ),
        (
            dict(event="view", seconds=5),
            [
                (
                    "seconds",
                    None,
                    0,
                    "seconds is only for 'timer' rules and 'visible' rules (how long "
                    "the element stays in view); for a delay after the page loads "
                    "write event: timer",
                )
            ],
        ),
    ],
)
def test_visible_share_and_time_problems(fields, expected):
    assert problems(**fields) == expected


def test_visible_records_carry_the_share_and_the_time_only_when_given():
    plain = Rule(event="visible", selector="#a", send="x")
    dwell = Rule(event="visible", selector="#a", send="x", percent=50, seconds=2, once="page")
    share = Rule(event="visible", selector="#a", send="x", percent=29)
    time = Rule(event="visible", selector="#a", send="x", seconds=0.25)
    assert data(plain, dwell, share, time, event="visible") == [
        ["#a", "x"],
        ["#a", "x", {"once": "page", "key": dwell.key, "share": 0.5, "ms": 2000}],
        ["#a", "x", {"share": 0.29}],
        ["#a", "x", {"ms": 250}],
    ]


# --- click narrowed by the link's URL; {host} and {title} ------------------------------


@pytest.mark.parametrize(
    "line, fields",
    [
        (
            "on click link '*.pdf' send 'pdf - {attr:href}'",
            {"event": "click", "link": "*.pdf", "send": ["pdf - {attr:href}"]},
        ),
        (
            "on click link outbound send 'out - {attr:href}'",
            {"event": "click", "link": "outbound", "send": ["out - {attr:href}"]},
        ),
        (
            "on click .downloads link https://example.com/files/* send 'file'",
            {
                "event": "click",
                "selector": ".downloads",
                "link": "https://example.com/files/*",
                "send": ["file"],
            },
        ),
        (
            "on click link file send 'file - {attr:href}'",
            {"event": "click", "link": "file", "send": ["file - {attr:href}"]},
        ),
        ("on click link send 'x'", {"event": "click", "selector": "link", "send": ["x"]}),
    ],
)
def test_link_in_the_one_line_form(line, fields):
    assert parse_rule(line).fields == fields


def test_link_in_every_form(rules_file):
    dsl = load_rules(rules_file("rules:\n  - \"on click link '*.pdf' send 'pdf - {attr:href}'\"\n"))
    mapping = load_rules(
        rules_file("""
        rules:
          - event: click
            link: "*.pdf"
            send: "pdf - {attr:href}"
        """)
    )
    python = Rule(event="click", link="*.pdf", send="pdf - {attr:href}")
    assert tuple(dsl) == tuple(mapping) == (python,)
    assert python.key != Rule(event="click", link="*.PDF", send="pdf - {attr:href}").key


@pytest.mark.parametrize(
    "fields, expected",
    [
        (
            dict(event="click"),
            [
                (
                    "selector",
                    None,
                    0,
                    "a 'click' rule needs a selector or a link, e.g. "
                    'selector: "#download-whitepaper" or link: "*.pdf"',
                )
            ],
        ),
        (
            dict(event="view", link="*.pdf"),
            [
                (
                    "link",
                    None,
                    0,
                    "link is only for 'click' rules; for other events select the links "
                    "with a CSS selector such as a[href$='.pdf']",
                )
            ],
        ),
        (
            dict(event="click", link="pdf"),
            [
                (
                    "link",
                    None,
                    0,
                    "a link glob matches the whole URL (https://host/path): start it with "
                    "* or the scheme, e.g. '*.pdf' or 'https://example.com/files/*', or "
                    "write outbound for links to other hosts, or file for links to files "
                    "that are not pages",
                )
            ],
        ),
        (
            dict(event="click", link="*.pdf?download=1"),
            [
                (
                    "link",
                    None,
                    5,
                    "a link glob matches the URL without its ?query and #fragment; remove them",
                )
            ],
        ),
        (
            dict(event="click", link="* .pdf"),
            [("link", None, 1, "a link glob cannot contain whitespace or control characters")],
        ),
        (
            dict(event="click", link="*" + "a*" * 20),
            [("link", None, 40, "a link glob has at most 20 '*'; this one has 21")],
        ),
        (
            dict(event="click", link=""),
            [
                (
                    "link",
                    None,
                    0,
                    "a link glob is a non-empty string such as '*.pdf', or outbound, or file",
                )
            ],
        ),
        (dict(event="view", send="on {title}"), []),
    ],
)
def test_link_problems(fields, expected):
    if expected:
        assert problems(**fields) == expected
    else:
        Rule(**{"send": "x", **fields})


@pytest.mark.parametrize("glob, url, expected", LINK_GLOB_CASES)
def test_link_globs(glob, url, expected):
    from rtp_snippets.links import link_matches

    assert link_matches(glob, url) is expected


def test_link_globs_take_linear_time_on_a_hostile_url():
    import time

    from rtp_snippets.links import link_matches

    url = "https://x/" + "a" * 2_000_000
    glob = "*" + "a*" * 19 + "b"
    start = time.perf_counter()
    assert link_matches(glob, url) is False
    assert time.perf_counter() - start < 0.5


def test_link_records_and_page_placeholders():
    pdf = Rule(event="click", link="*.PDF", send="pdf - {attr:href}")
    out = Rule(event="click", selector="nav a", link="outbound", send="out on {host}: {title}")
    assert data(pdf, out, event="click") == [
        ["a[href],area[href]", [["pdf - ", ["attr", "href"]]], {"link": ["", ".pdf"]}],
        [
            ":is(a[href],area[href]):is(nav a)",
            [["out on ", ["host"], ": ", ["title"]]],
            {"link": "outbound"},
        ],
    ]


def test_check_counts_the_links_a_link_rule_would_send_for(tmp_path):
    page = (
        "<html><head><title>t</title></head><body>"
        "<a href='/files/a.pdf'>a</a> <a href='b.PDF?x=1#y'>b</a> <a href='/view?f=c.pdf'>c</a>"
        "<a href='https://other.example/'>out</a> <a href='http://example.com/'>own</a>"
        "<a href='/about/'>about</a> <a name=anchor>no href</a></body></html>"
    )
    root = write_site(
        tmp_path,
        {"index.html": page, "docs/index.html": "<p><a href='x.pdf'>x</a>"},
        "rules:\n"
        "  - \"on click link '*.pdf' send 'pdf'\"\n"
        "  - \"on click link outbound send 'out'\"\n"
        "  - \"on click link '*.zip' send 'zip'\"\n"
        "  - \"on click link 'https://example.com/files/*' send 'files'\"\n"
        "  - \"on click '#nav a' link '*.pdf' send 'nav pdf'\"\n",
    )
    result = run("check", "-r", tmp_path / "rtp-rules.yml", "--site", root, "--json")
    report = json.loads(result.stdout)
    counts = {
        entry["link"] + " " + str(entry["selector"]): (entry["matches"], entry["elements"])
        for entry in report["rules"]
    }
    assert counts == {
        "*.pdf None": (2, 3),  # a.pdf, b.PDF (query and fragment dropped); docs/x.pdf
        "outbound None": (1, 2),  # other.example, and example.com: check cannot know the host
        "*.zip None": (0, 0),
        "https://example.com/files/* None": (0, 0),  # relative links are on an unknown host
        "*.pdf #nav a": (0, 0),
    }
    assert "stand-in host, site.invalid" in report["links_note"]
    messages = [finding["message"] for finding in report["findings"]]
    assert "\"link '*.zip'\" (links whose URL matches) matches nothing on any page" in messages
    text = run("check", "-r", tmp_path / "rtp-rules.yml", "--site", root).stdout
    assert "click link '*.pdf'" in text and "Link rules: each page's links" in text


# --- bundles without the new triggers are byte for byte what they were ------------------

SEED = Rule(event="click", selector="#download-whitepaper", send="download - example whitepaper")
KINDS = [  # benchmarks/bundle_size.py's "mixed" series before issue 15
    lambda i: Rule(event="click", selector=f"a.product-{i}", send=[f"product {i}", "{text}"]),
    lambda i: Rule(
        event="submit",
        selector=f"form#form-{i}",
        once="session",
        send=[f"form {i}", "lead - {attr:data-product}", "{query:utm_campaign}"],
    ),
    lambda i: Rule(
        event="view",
        send=f"viewed section {i}",
        pages=f"/section-{i}/**",
        exclude="/section-0/archive/**",
        once="page",
    ),
    lambda i: Rule(event="visible", selector=f"#case-study-{i}", send=f"saw case study {i}"),
    lambda i: Rule(event="scroll", percent=25 + i % 4 * 25, send=f"read {i}", pages="/blog/**"),
    lambda i: Rule(event="timer", seconds=10 + i, send=[f"stayed {i}", "{path}"]),
    lambda i: Rule(
        event="click", selector=f"#share-{i}", send=["share", "a", "b", "c", "d", f"{i}"]
    ),
]
PARTS = [  # and its "what each part adds" rules
    Rule(event="submit", selector="form", send="x"),
    Rule(event="click", selector="#b", send=["x", "y"]),
    Rule(event="click", selector="#b", send="{attr:a}"),
    Rule(event="click", selector="#b", send="{text}"),
    Rule(event="click", selector="#b", send="{path}"),
    Rule(event="click", selector="#b", send="{query:q}"),
    Rule(event="click", selector="#b", send="x", once="page"),
    Rule(event="click", selector="#b", send="x", once="session"),
    Rule(event="click", selector="#b", send="x", pages="/a/**"),
    Rule(event="view", send="x"),
    Rule(event="visible", selector="#v", send="x"),
    Rule(event="scroll", percent=50, send="x"),
    Rule(event="timer", seconds=5, send="x"),
]


@pytest.mark.parametrize(
    "name, settings",
    [
        ("before-issue-15.min.js", {}),
        ("before-issue-15.navigate.min.js", {"client_navigation": "on", "navigation": "send"}),
    ],
)
def test_bundles_without_the_new_triggers_are_byte_identical(name, settings, regenerate):
    # The triggers' branch proved these bytes equal to 3742db2's. Merged with the debug
    # log (which adds code and each rule's line to every bundle), they were made again
    # from the merge, after 1,488 bundles without the triggers (minified and readable,
    # preview, consent, both navigation settings, client navigation) had come out
    # identical from the code before and after the merge. Regenerate them (--regenerate)
    # only for a change that is meant to alter bundles that use none of the triggers.
    from dataclasses import replace
    from pathlib import Path

    from rtp_snippets import Position

    rules = (SEED, *(KINDS[index % len(KINDS)](index) for index in range(1, 15)), *PARTS)
    # Each rule on line 1: the bundle carries each rule's line, not this file's lines.
    rules = tuple(replace(rule, source=Position("rules.py", 1, 1)) for rule in rules)
    code = build_bundle(RuleSet(rules, **settings)).code + "\n"
    expected = Path(__file__).parent / "expected" / name
    if regenerate:
        expected.write_text(code, encoding="ascii")
    assert code == expected.read_text(encoding="ascii")


@pytest.mark.parametrize(
    "value, column, problem",
    [
        ("*.pdf", 12, "expected alphabetic or numeric character, but found '.'"),
        ("*pdf", 11, "found undefined alias 'pdf'"),
    ],
)
def test_an_unquoted_link_glob_in_yaml_says_to_quote_it(
    tmp_path, monkeypatch, value, column, problem
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rtp-rules.yml").write_text(
        f"rules:\n  - event: click\n    link: {value}\n    send: x\n"
    )
    result = run("build", "-r", "rtp-rules.yml")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Error: rtp-rules.yml:3:{column}: YAML syntax error: {problem}; a value that starts "
        'with * must be quoted, e.g. link: "*.pdf"'
    )


def test_the_catalogue_lists_each_depth_of_a_scroll_rule_as_it_is_sent(rules_file):
    from rtp_snippets.catalog import catalog_rows

    ruleset = load_rules(
        rules_file(
            "on scroll 50%, 25% send 'read {percent} of {path}', '{{percent}}'\n"
            "on scroll 75% send 'three quarters'\n",
            name="site.rules",
        )
    )
    assert [row["value"] for row in catalog_rows(ruleset)] == [
        "read 25 of {path}",
        "{{percent}}",
        "read 50 of {path}",
        "{{percent}}",
        "three quarters",
    ]


def test_inject_prune_keeps_a_link_rule_only_on_pages_with_a_matching_link(tmp_path):
    root = write_site(
        tmp_path,
        {
            "index.html": "<html><body><a href='/a.pdf'>a</a></body></html>",
            "other.html": "<html><body><a href='/a.html'>a</a><p class=x>x</p></body></html>",
        },
        "rules:\n  - \"on click link '*.pdf' send 'pdf - {attr:href}'\"\n"
        "  - \"on click .x send 'x'\"\n",
    )
    assert run("inject", root, "-r", tmp_path / "rtp-rules.yml", "--prune").exit_code == 0
    assert "pdf - " in (root / "index.html").read_text()
    assert "pdf - " not in (root / "other.html").read_text()
