"""Values reach rtp exactly: arbitrary Unicode through build, inject and Chromium.

Each hypothesis example is one page with many rules (one button each); clicking
every button must give the spy rtp exactly the original strings, in order,
chunked in fours. The same holds for calls that a click on a link queues in
sessionStorage and the next page sends.
"""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtp_snippets import Rule, RuleSet, build_bundle
from rtp_snippets.inject import inject_html
from rtp_snippets.text import FORMAT
from support.properties import CASE_COUNTS, examples

pytestmark = pytest.mark.browser

SPY = "<script>window.calls = []; window.rtp = function () { calls.push(Array.from(arguments)); };</script>"
NASTY = [
    "</script>",
    "<!--",
    "-->",
    "]]>",
    "'",
    '"',
    "`",
    "\\",
    "${x}",
    "{{",
    "}}",
    "\u2028",
    "\u2029",
    "\x00",
    "\u200f",
    "\U0001f600",
    "</SCRIPT >",
    "<script>",
    "&amp;",
    "\r\n",
]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=24)
VALUE = st.one_of(
    TEXT,
    st.sampled_from(NASTY),
    st.lists(st.sampled_from(NASTY), min_size=2, max_size=5).map("".join),
)
RULES = st.lists(st.lists(VALUE.filter(str.strip), min_size=1, max_size=9), min_size=1, max_size=25)
# What JavaScript's \s matches, for the {text} placeholder's collapse and trim.
JS_SPACES = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
JS_WHITESPACE = re.compile(f"[{JS_SPACES}]+")


def literal(value: str) -> str:
    """The value written in a rule: braces doubled, so no placeholder is read."""
    return value.replace("{", "{{").replace("}", "}}")


def expected_calls(values: list[str]) -> list:
    if len(values) == 1:
        return [["send", "event", {"value": values[0]}]]
    return [
        ["send", "event", {"value": values[index : index + 4]}]
        for index in range(0, len(values), 4)
    ]


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context()
    context.set_default_timeout(5000)
    page = context.new_page()
    yield page
    context.close()


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rules=RULES)
def test_arbitrary_values_reach_rtp_exactly(page, rules):
    ruleset = RuleSet(
        tuple(
            Rule(event="click", selector=f"#b{index}", send=[literal(v) for v in values])
            for index, values in enumerate(rules)
        )
    )
    buttons = "".join(f"<button id=b{index}>{index}</button>" for index in range(len(rules)))
    html = (
        f"<!doctype html><html><head><meta charset=utf-8>{SPY}</head><body>{buttons}</body></html>"
    )
    page.set_content(inject_html(html.encode(), build_bundle(ruleset)).decode())
    page.evaluate("() => document.querySelectorAll('button').forEach(b => b.click())")
    assert page.evaluate("window.calls") == [
        call for values in rules for call in expected_calls(values)
    ]
    CASE_COUNTS["values that reached rtp exactly"] = CASE_COUNTS.get(
        "values that reached rtp exactly", 0
    ) + sum(map(len, rules))
    CASE_COUNTS["pages of values"] = CASE_COUNTS.get("pages of values", 0) + 1


ORIGIN = "http://rtp.test"


@pytest.fixture(scope="module")
def two_pages(browser):
    """A tab on ORIGIN whose pages "/" and "/next" are set by the test (PAGES[path])."""
    pages: dict[str, str] = {}
    context = browser.new_context()
    context.set_default_timeout(5000)
    context.route(
        f"{ORIGIN}/**",
        lambda route: route.fulfill(
            body=pages[route.request.url[len(ORIGIN) :]], headers={"content-type": "text/html"}
        ),
    )
    page = context.new_page()
    yield page, pages
    context.close()


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rules=RULES)
def test_values_queued_by_leaving_clicks_reach_rtp_exactly_on_the_next_page(two_pages, rules):
    # One link to /next matches every rule (class r0 r1 …): its click queues all
    # their calls in sessionStorage, and the next page's bundle sends them, in order.
    page, pages = two_pages
    ruleset = RuleSet(
        tuple(
            Rule(event="click", selector=f".r{index}", send=[literal(v) for v in values])
            for index, values in enumerate(rules)
        )
    )
    bundle = build_bundle(ruleset)
    classes = " ".join(f"r{index}" for index in range(len(rules)))
    link = f'<a id=link class="{classes}" href=/next>next</a>'
    for path, body in (("/", link), ("/next", "")):
        html = (
            f"<!doctype html><html><head><meta charset=utf-8>{SPY}</head><body>{body}</body></html>"
        )
        pages[path] = inject_html(html.encode(), bundle).decode()
    page.goto(ORIGIN + "/")
    with page.expect_navigation(url=ORIGIN + "/next"):
        page.click("#link")
    assert page.evaluate("window.calls") == [
        call for values in rules for call in expected_calls(values)
    ]
    CASE_COUNTS["values that reached rtp exactly through the navigation queue"] = CASE_COUNTS.get(
        "values that reached rtp exactly through the navigation queue", 0
    ) + sum(map(len, rules))


ATTRIBUTE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20
).filter(str.strip)


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(values=st.lists(ATTRIBUTE, min_size=1, max_size=10))
def test_placeholders_and_selectors_with_unusual_characters(page, values):
    # Each element has an id and an attribute holding the value, and the value as its text.
    rules = []
    elements = []
    for index, value in enumerate(values):
        element_id = f"x:{index}.{value[:3]}"
        escaped = "".join(
            ch if ch.isalnum() or ch in "-_" else "\\" + f"{ord(ch):x} " for ch in element_id
        )
        rules.append(Rule(event="click", selector=f"#{escaped}", send=["{attr:data-v}", "{text}"]))
        elements.append((element_id, value))
    page.set_content(
        "<!doctype html><html><head><meta charset=utf-8>" + SPY + "</head><body></body></html>"
    )
    page.evaluate(
        """(elements) => elements.forEach(([id, value]) => {
        const button = document.createElement('button');
        button.id = id; button.setAttribute('data-v', value); button.textContent = value;
        document.body.appendChild(button);
    })""",
        elements,
    )
    page.add_script_tag(content=build_bundle(RuleSet(tuple(rules))).code)
    page.evaluate("() => document.querySelectorAll('button').forEach(b => b.click())")
    expected = []
    for _, value in elements:
        # Invisible format characters removed, then JavaScript's \s collapsed and trimmed.
        text = JS_WHITESPACE.sub(" ", FORMAT.sub("", value)).strip(JS_SPACES)
        sent = [value] + ([text] if text else [])
        expected.append(["send", "event", {"value": sent if len(sent) > 1 else sent[0]}])
    assert page.evaluate("window.calls") == expected
    CASE_COUNTS["elements with unusual ids, attributes and text"] = CASE_COUNTS.get(
        "elements with unusual ids, attributes and text", 0
    ) + len(values)
