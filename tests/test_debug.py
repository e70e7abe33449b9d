"""The debug log of the deployed site (#rtp-snippets-debug), in real Chromium: what it
prints for each rule that fires, how it stays on for the tab's session and goes off."""

from __future__ import annotations

import pytest

from rtp_snippets import load_rules
from rtp_snippets.render import build_bundle
from support.browser import ORIGIN, Site

pytestmark = pytest.mark.browser

RULES = """\
navigation: {navigation}
{consent}rules:
  - "on view send 'viewed'"
  - "on click #buy send 'buy', '{{attr:data-missing}}'"
  - "on click #empty send '{{attr:data-missing}}'"
  - "on click #once send 'once' once page"
  - "on click #leave send 'leave'"
"""
BODY = (
    '<button id="buy">buy</button> <button id="empty">empty</button> '
    '<button id="once">once</button> <a id="leave" href="/next">next</a>'
)
SENT = ["send", "event"]


# Keeps every console.log call's arguments in localStorage, so that what a page logs
# just before it leaves is kept too.
CONSOLE_SPY = """<script>
console.log = (function (log) {
  return function () {
    var kept = JSON.parse(localStorage.getItem("log") || "[]");
    kept.push(Array.from(arguments));
    localStorage.setItem("log", JSON.stringify(kept));
    return log.apply(console, arguments);
  };
})(console.log);
</script>"""


@pytest.fixture
def debug_site(browser, rules_file):
    """Pages / and /next with the console spy and the bundle."""

    def make(navigation="send", consent=""):
        ruleset = load_rules(rules_file(RULES.format(navigation=navigation, consent=consent)))
        bundle = build_bundle(ruleset)
        context = browser.new_context()
        site = Site(context)
        for path in ("/", "/next"):
            site.add(path, CONSOLE_SPY + BODY, bundle)
        made.append((context, site))
        return site

    made: list = []
    yield make
    for context, site in made:
        context.close()
        assert site.errors == [], "console errors"


def logged(page) -> list:
    return page.evaluate("JSON.parse(localStorage.getItem('log') || '[]')")


def test_without_the_switch_nothing_is_logged(debug_site):
    site = debug_site()
    page = site.visit(ORIGIN + "/")
    page.click("#buy")
    page.click("#empty")
    assert logged(page) == []


def test_each_rule_that_fires_is_logged_with_its_line_and_rtp_arguments(debug_site):
    site = debug_site()
    page = site.visit(ORIGIN + "/#rtp-snippets-debug")
    page.click("#buy")
    page.click("#empty")
    page.click("#once")
    page.click("#once")
    assert logged(page) == [
        ["rtp-snippets line", 3, "sent", [*SENT, {"value": "viewed"}]],
        ["rtp-snippets line", 4, "sent", [*SENT, {"value": "buy"}]],
        ["rtp-snippets line", 5, "not sent: a placeholder is empty", [[["attr", "data-missing"]]]],
        ["rtp-snippets line", 6, "sent", [*SENT, {"value": "once"}]],
        ["rtp-snippets line", 6, "not sent: once page", ["once"]],
    ]


def test_the_log_stays_on_for_the_session_until_turned_off(debug_site):
    site = debug_site()
    page = site.visit(ORIGIN + "/?rtp-snippets-debug=1")
    with page.expect_navigation(url=ORIGIN + "/next"):
        page.click("#leave")
    assert [entry[:3] for entry in logged(page)] == [
        ["rtp-snippets line", 3, "sent"],  # /
        ["rtp-snippets line", 7, "sent"],  # the link, sent at once (navigation: send)
        ["rtp-snippets line", 3, "sent"],  # /next, without the switch in its address
    ]
    page.evaluate("localStorage.clear()")
    page.goto(ORIGIN + "/next#rtp-snippets-debug=off")
    page.reload()
    page.click("#buy")
    assert logged(page) == []
    # Another tab is another session.
    page.goto(ORIGIN + "/#rtp-snippets-debug")
    page.evaluate("localStorage.clear()")
    other = site.visit(ORIGIN + "/")
    other.click("#buy")
    assert logged(other) == []


def test_calls_queued_for_the_next_page_are_logged_as_queued(debug_site):
    site = debug_site(navigation="queue")
    page = site.visit(ORIGIN + "/#rtp-snippets-debug")
    with page.expect_navigation(url=ORIGIN + "/next"):
        page.click("#leave")
    assert [entry[:3] for entry in logged(page)] == [
        ["rtp-snippets line", 3, "sent"],
        ["rtp-snippets line", 7, "queued for the next page"],
        ["rtp-snippets line", 3, "sent"],
    ]


def test_calls_held_and_dropped_for_consent_are_logged(debug_site):
    consent = "consent:\n  platform: flag\n  flag: ok\n  event: decided\n"
    site = debug_site(consent=consent)
    page = site.visit(ORIGIN + "/#rtp-snippets-debug")
    page.click("#buy")
    page.evaluate("window.ok = false; dispatchEvent(new Event('decided'))")
    page.click("#buy")
    assert logged(page) == [
        ["rtp-snippets line", 7, "held until consent is granted", ["viewed"]],
        ["rtp-snippets line", 8, "held until consent is granted", ["buy"]],
        ["rtp-snippets line", 7, "dropped: consent refused", ["viewed"]],
        ["rtp-snippets line", 8, "dropped: consent refused", ["buy"]],
        ["rtp-snippets line", 8, "dropped: consent refused", ["buy"]],
    ]


def test_calls_held_for_consent_are_logged_as_sent_when_it_is_granted(debug_site):
    consent = "consent:\n  platform: flag\n  flag: ok\n  event: decided\n"
    site = debug_site(consent=consent)
    page = site.visit(ORIGIN + "/#rtp-snippets-debug")
    page.evaluate("window.ok = true; dispatchEvent(new Event('decided'))")
    assert logged(page) == [
        ["rtp-snippets line", 7, "held until consent is granted", ["viewed"]],
        ["rtp-snippets line", 7, "sent", [*SENT, {"value": "viewed"}]],
    ]


def test_the_preview_bundle_always_logs_why_a_rule_sent_nothing(browser, rules_file):
    # rtp-snippets preview's overlay shows what is sent; the console, without the switch,
    # what is held for consent (the preview page has no consent platform).
    consent = "consent:\n  platform: flag\n  flag: ok\n"
    ruleset = load_rules(rules_file(RULES.format(navigation="send", consent=consent)))
    bundle = build_bundle(ruleset, preview=True)
    context = browser.new_context()
    site = Site(context)
    overlay = "<script>window.rtpSnippetsPreview = function () {};</script>"
    page = site.open("/", CONSOLE_SPY + overlay + BODY, bundle)
    page.click("#buy")
    assert logged(page) == [
        ["rtp-snippets line", 6, "held until consent is granted", ["viewed"]],
        ["rtp-snippets line", 7, "held until consent is granted", ["buy"]],
    ]
    context.close()
    assert site.errors == []


# Only the fragment #rtp-snippets-debug or a query parameter of exactly that name
# switches the log: never a path, another parameter's value or another fragment.
@pytest.mark.parametrize(
    ("address", "logs"),
    [
        ("/#rtp-snippets-debug", True),
        ("/?rtp-snippets-debug", True),
        ("/?utm_source=x&rtp-snippets-debug=1", True),
        ("/blog/rtp-snippets-debug-guide/", False),
        ("/?q=rtp-snippets-debug", False),
        ("/?utm_content=how-rtp-snippets-debugging-works", False),
        ("/#see-rtp-snippets-debug", False),
        ("/#rtp-snippets-debugging", False),
        ("/?rtp-snippets-debug-x", False),
    ],
)
def test_only_the_fragment_or_a_parameter_of_that_name_switches_the_log_on(
    debug_site, address, logs
):
    site = debug_site()
    site.pages["/blog/rtp-snippets-debug-guide/"] = site.pages["/"]
    page = site.visit(ORIGIN + address)
    page.click("#buy")
    assert bool(logged(page)) is logs
    page.evaluate("localStorage.clear()")
    page.goto(ORIGIN + "/next")
    page.click("#buy")
    assert bool(logged(page)) is logs  # kept for the tab's session


@pytest.mark.parametrize("off", ["#rtp-snippets-debug=off", "?rtp-snippets-debug=off"])
def test_off_in_the_fragment_or_the_parameter_switches_the_log_off(debug_site, off):
    site = debug_site()
    page = site.visit(ORIGIN + "/#rtp-snippets-debug")
    page.goto(ORIGIN + "/next" + off)
    page.reload()
    page.evaluate("localStorage.clear()")
    page.click("#buy")
    assert logged(page) == []
