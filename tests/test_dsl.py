import pytest

from rtp_snippets.dsl import DslError, parse_rule


@pytest.mark.parametrize(
    "line, fields",
    [
        (
            "on click #download-whitepaper send 'download - example whitepaper'",
            {
                "event": "click",
                "selector": "#download-whitepaper",
                "send": ["download - example whitepaper"],
            },
        ),
        (
            'on click "nav a.cta" send "it\'s"',
            {"event": "click", "selector": "nav a.cta", "send": ["it's"]},
        ),
        (
            "on submit form.contact send 'contact form', 'lead - {attr:data-product}' once session",
            {
                "event": "submit",
                "selector": "form.contact",
                "send": ["contact form", "lead - {attr:data-product}"],
                "once": "session",
            },
        ),
        (
            "on view send 'viewed pricing' pages /pricing/**, '/plans/*' exclude /pricing/old/** once page",
            {
                "event": "view",
                "send": ["viewed pricing"],
                "pages": ["/pricing/**", "/plans/*"],
                "exclude": ["/pricing/old/**"],
                "once": "page",
            },
        ),
        ("on view .product send 'x'", {"event": "view", "selector": ".product", "send": ["x"]}),
        (
            "on visible #case-study send 'seen' name case-study",
            {"event": "visible", "selector": "#case-study", "send": ["seen"], "name": "case-study"},
        ),
        ("on scroll 75% send 'read'", {"event": "scroll", "percent": 75, "send": ["read"]}),
        ("on timer 30s send 'stayed'", {"event": "timer", "seconds": 30, "send": ["stayed"]}),
        ("on timer 1.5s send 'stayed'", {"event": "timer", "seconds": 1.5, "send": ["stayed"]}),
        (
            "on click .menu-item send 'menu' dynamic",
            {"event": "click", "selector": ".menu-item", "send": ["menu"], "dynamic": True},
        ),
        (
            "on click a,button send 'any'",
            {"event": "click", "selector": "a,button", "send": ["any"]},
        ),
        (
            "on click 'a[title=''x y'']' send 'it''s', \"say \"\"hi\"\"\"",
            {"event": "click", "selector": "a[title='x y']", "send": ["it's", 'say "hi"']},
        ),
        (
            "  on   click   #a   send   'x'  ,  'y'  ",
            {"event": "click", "selector": "#a", "send": ["x", "y"]},
        ),
        (
            "on click #id\\:with-colon send 'x'",
            {"event": "click", "selector": "#id\\:with-colon", "send": ["x"]},
        ),
    ],
)
def test_parses(line, fields):
    assert parse_rule(line).fields == fields


@pytest.mark.parametrize(
    "line, offset, message",
    [
        (
            "click #a send 'x'",
            0,
            "a rule starts with 'on', e.g. on click #download-whitepaper send "
            "'download - example whitepaper'",
        ),
        (
            "on clik #a send 'x'",
            3,
            "unknown event 'clik'; events are click, submit, view, visible, "
            "scroll, timer (did you mean 'click'?)",
        ),
        ("on", 2, "unknown event nothing; events are click, submit, view, visible, scroll, timer"),
        (
            "on click nav a send 'x'",
            13,
            "expected 'send', got 'a'; quote a selector that contains spaces",
        ),
        ("on click", 8, "expected 'send', got the end of the line"),
        (
            "on click #a send download",
            17,
            "expected a value in quotes, got 'download'; e.g. send 'download - example whitepaper'",
        ),
        (
            "on click #a send 'x",
            17,
            "unterminated '…' string; close it with ' (write '' for a ' inside)",
        ),
        (
            "on click #a send 'x',",
            21,
            "expected a value in quotes, got the end of the line; "
            "e.g. send 'download - example whitepaper'",
        ),
        (
            "on click #a send 'x' twice",
            21,
            "unexpected 'twice'; after the values come once, pages, exclude, name, dynamic",
        ),
        (
            "on click #a send 'x' onse page",
            21,
            "unexpected 'onse'; after the values come once, pages, "
            "exclude, name, dynamic (did you mean 'once'?)",
        ),
        ("on click #a send 'x' once always", 26, "'once' is followed by 'page' or 'session'"),
        ("on click #a send 'x' once page once session", 31, "'once' is given twice"),
        ("on click #a send 'x' name", 25, "'name' is followed by the rule's name"),
        ("on click #a send 'x' pages", 26, "expected a page glob such as /blog/**"),
        ("on scroll send 'x'", 10, "'on scroll' is followed by its percent, e.g. on scroll 50%"),
        ("on timer 30 send 'x'", 9, "'on timer' is followed by its seconds, e.g. on timer 30s"),
    ],
)
def test_syntax_errors_point_at_the_bad_token(line, offset, message):
    with pytest.raises(DslError) as caught:
        parse_rule(line)
    assert (caught.value.offset, caught.value.message) == (offset, message)
