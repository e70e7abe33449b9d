import pytest

from rtp_snippets import InvalidRule, Rule, load_rules
from rtp_snippets.css import selector_problems
from rtp_snippets.model import Placeholder, parse_value
from rtp_snippets.paths import matches

SEED = Rule(event="click", selector="#download-whitepaper", send="download - example whitepaper")


@pytest.mark.parametrize(
    "text, name",
    [
        (
            "rules:\n  - \"on click #download-whitepaper send 'download - example whitepaper'\"\n",
            "a.yml",
        ),
        (
            "rules:\n  - event: click\n    selector: '#download-whitepaper'\n"
            "    send: download - example whitepaper\n",
            "b.yaml",
        ),
        (
            "rules:\n  - event: click\n    selector: '#download-whitepaper'\n"
            "    send: [download - example whitepaper]\n",
            "c.yml",
        ),
        (
            "# the seed needs no quoting here\non click #download-whitepaper send "
            "'download - example whitepaper'\n",
            "d.rules",
        ),
        (
            "from rtp_snippets import Rule\nrules = [Rule(event='click', selector='#download-whitepaper',"
            " send='download - example whitepaper')]\n",
            "e.py",
        ),
    ],
)
def test_the_same_rule_compares_equal_whichever_way_it_was_written(tmp_path, text, name):
    path = tmp_path / name
    path.write_text(text)
    (rule,) = load_rules(path)
    assert rule == SEED
    assert hash(rule) == hash(SEED)
    assert rule.source.file == str(path)
    assert rule.source.line in (1, 2)


def test_every_field_is_equal_across_forms(rules_file):
    dsl = load_rules(
        rules_file(
            "rules:\n  - \"on submit form.contact send 'a', 'b {attr:x}' pages /p/** exclude /p/x "
            'once session name contact dynamic"\n'
        )
    )
    mapping = load_rules(
        rules_file("""
        rules:
          - name: contact
            event: submit
            selector: form.contact
            send: [a, "b {attr:x}"]
            pages: /p/**
            exclude: [/p/x]
            once: session
            dynamic: true
        """)
    )
    python = Rule(
        name="contact",
        event="submit",
        selector="form.contact",
        send=["a", "b {attr:x}"],
        pages="/p/**",
        exclude=["/p/x"],
        once="session",
        dynamic=True,
    )
    assert tuple(dsl) == tuple(mapping) == (python,)


def test_python_rules_know_where_they_were_written():
    rule = Rule(event="view", send="x")
    assert rule.source.file == __file__
    assert rule.source.source_line.strip() == 'rule = Rule(event="view", send="x")'


def test_invalid_python_rule_lists_every_problem():
    with pytest.raises(InvalidRule) as caught:
        Rule(event="clik", send=["", 3], once="always", pages="blog/*")
    assert [(p.field, p.message) for p in caught.value.problems] == [
        (
            "event",
            "unknown event 'clik'; events are click, submit, view, visible, scroll, timer "
            "(did you mean 'click'?)",
        ),
        ("send", "values must not be empty"),
        ("send", "values must be strings, not int; put the value in quotes"),
        ("pages", "page globs are site paths starting with '/': write '/blog/*'"),
        ("once", "once must be 'page' or 'session', not 'always'"),
    ]


@pytest.mark.parametrize(
    "value, parts",
    [
        ("plain", ("plain",)),
        ("lead - {attr:data-product}", ("lead - ", Placeholder("attr", "data-product"))),
        ("{text}", (Placeholder("text"),)),
        ("{path}?{query:q}", (Placeholder("path"), "?", Placeholder("query", "q"))),
        ("{{not a placeholder}}", ("{not a placeholder}",)),
        ("a {{b}} {text}", ("a {b} ", Placeholder("text"))),
    ],
)
def test_placeholders(value, parts):
    assert parse_value(value) == parts


@pytest.mark.parametrize(
    "value, offset, message",
    [
        ("a {b", 2, "unclosed '{'; write '{{' for a literal brace"),
        ("a } b", 2, "a lone '}' must be written '}}'"),
        (
            "{thing}",
            0,
            "unknown placeholder '{thing}'; use one of {text}, {attr:NAME}, {path}, "
            "{query:NAME}, {host}, {title}, {percent}, or '{{' for a literal brace",
        ),
        ("{attr}", 0, "'{attr:NAME}' needs a name, e.g. '{attr:data-product}'"),
        ("{query:}", 0, "'{query:NAME}' needs a name, e.g. '{query:data-product}'"),
        ("{text:x}", 0, "'{text}' takes no name"),
        ("x {attr:a b}", 2, "'a b' is not a valid attribute name"),
    ],
)
def test_bad_placeholders(value, offset, message):
    with pytest.raises(ValueError) as caught:
        parse_value(value)
    assert (caught.value.offset, caught.value.message) == (offset, message)


@pytest.mark.parametrize(
    "selector",
    [
        "#download-whitepaper",
        "form.contact",
        "a[href^='/pricing']",
        "nav a:not(.external)",
        "ul > li:nth-child(2n+1)",
        "div:has(> p)",
        "#id\\:with-colon",
        "a, button",
        "[data-x|=en]",
        "input:checked + label",
    ],
)
def test_selectors_browsers_run(selector):
    assert selector_problems(selector) == []


@pytest.mark.parametrize(
    "selector, offset, message",
    [
        ("a[", 1, "invalid CSS selector: Malformed attribute selector"),
        (
            "p:contains(x)",
            1,
            "':contains()' matches text, which browser selectors cannot do; select by "
            "id, class or attribute (use {text} to send the text)",
        ),
        (
            "a[rel!=nofollow]",
            5,
            "'!=' is a soupsieve extension browsers do not support; use :not([name=value]) instead",
        ),
        (
            "svg|a",
            3,
            "namespace prefixes ('ns|tag') cannot be declared in a browser; drop the prefix",
        ),
        (
            "a::before",
            1,
            "pseudo-element '::before' never matches an element; select the element itself",
        ),
        (
            "a:local-link",
            1,
            "':local-link' does not run in every current browser (soupsieve accepts it; "
            "Chromium, Firefox or Safari do not); select by id, class or attribute instead",
        ),
        (
            "input:valid",
            5,
            "':valid' cannot be checked here (soupsieve, which rtp-snippets checks "
            "selectors with, does not support it); select by id, class or attribute instead",
        ),
    ],
)
def test_selectors_refused(selector, offset, message):
    assert selector_problems(selector) == [(offset, message)]


def test_a_dangling_combinator_is_invalid_css():
    # soupsieve's wording and column for this differ between its versions.
    ((offset, message),) = selector_problems("a >")
    assert message.startswith("invalid CSS selector: ") and offset in (1, 2, 3)


@pytest.mark.parametrize(
    "globs, path, expected",
    [
        (["/pricing/**"], "/pricing", True),
        (["/pricing/**"], "/pricing/", True),
        (["/pricing/**"], "/pricing/a/b.html", True),
        (["/pricing/**"], "/pricing/index.html", True),
        (["/pricing/**"], "/pricingx", False),
        (["/blog/*"], "/blog/post.html", True),
        (["/blog/*"], "/blog/2024/post.html", False),
        (["/blog/*/"], "/blog/2024/index.html", True),
        (["/a/**/z.html"], "/a/z.html", True),
        (["/a/**/z.html"], "/a/b/c/z.html", True),
        (["/file?.html"], "/file1.html", True),
        (["/file?.html"], "/file/.html", False),
        (["/a.b"], "/axb", False),
        (["/(x)+[y]"], "/(x)+[y]", True),
        (["/index.html"], "/", True),
        (["/x", "/y/**"], "/y/z", True),
    ],
)
def test_page_globs(globs, path, expected):
    assert matches(globs, path) is expected


def test_lone_surrogates_are_refused():
    with pytest.raises(InvalidRule) as caught:
        Rule(event="click", selector="#a", send=["ok", "broken \ud800 text"])
    assert [(p.field, p.index, p.offset, p.message) for p in caught.value.problems] == [
        ("send", 1, 7, "lone surrogate U+D800 cannot be sent as text")
    ]
