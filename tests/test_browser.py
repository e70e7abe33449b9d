"""The bundle at run time, in real Chromium (/usr/bin/chromium through Playwright).

Pages are served by Playwright's request routing under http://rtp.test/, so no
server is needed and response headers (CSP) are ours to set. A spy `rtp` in
<head> records every call as a plain array of its arguments.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil

import pytest

from rtp_snippets import Rule, RuleSet, build_bundle, load_rules
from rtp_snippets.css import BROWSER_PSEUDO_CLASSES, selector_problems
from rtp_snippets.site import inject_site
from support.browser import (
    CHROMIUM,
    ORIGIN,
    SPY,
    Site,
    calls,
    paused_clock,
    rendered,
    serve_folder,
    timers_run,
    wait_for_calls,
    wait_until,
)
from support.cli import run
from support.files import BASE_PAGES, write_site
from support.links import LINK_GLOB_CASES

pytestmark = pytest.mark.browser

SEED = "on click #download-whitepaper send 'download - example whitepaper'"
SEED_CALL = ["send", "event", {"value": "download - example whitepaper"}]
BUTTON = '<button id="download-whitepaper"><span class="icon">↓</span> Download</button>'


def test_click_on_the_target(site, bundle_of):
    page = site.open("/", BUTTON, bundle_of(SEED))
    page.click("#download-whitepaper")
    assert calls(page) == [SEED_CALL]


def test_click_on_a_child_of_the_target(site, bundle_of):
    page = site.open("/", BUTTON, bundle_of(SEED))
    page.click("#download-whitepaper .icon")
    assert calls(page) == [SEED_CALL]


def test_click_elsewhere_sends_nothing(site, bundle_of):
    page = site.open("/", BUTTON + "<p id=other>text</p>", bundle_of(SEED))
    page.click("#other")
    assert calls(page) == []


@pytest.mark.parametrize("key", ["Enter", " "])
def test_keyboard_activation_of_a_button_counts_as_a_click(site, bundle_of, key):
    page = site.open("/", BUTTON, bundle_of(SEED))
    page.focus("#download-whitepaper")
    page.keyboard.press(key)
    assert calls(page) == [SEED_CALL]


def test_enter_on_a_link_counts_as_a_click(site, bundle_of):
    page = site.open(
        "/", "<a id=more href='#more'>more</a>", bundle_of("on click #more send 'more'")
    )
    page.focus("#more")
    page.keyboard.press("Enter")
    assert calls(page) == [["send", "event", {"value": "more"}]]


@pytest.mark.parametrize("button", ["right", "middle"])
def test_right_and_middle_clicks_do_not_count(site, bundle_of, button):
    # Browsers fire no click event for them (contextmenu / auxclick instead).
    page = site.open("/", BUTTON, bundle_of(SEED))
    page.click("#download-whitepaper", button=button)
    assert calls(page) == []


def test_modified_clicks_count(site, bundle_of):
    page = site.open("/", BUTTON, bundle_of(SEED))
    for modifier in ("Control", "Shift", "Alt", "Meta"):
        page.click("#download-whitepaper", modifiers=[modifier])
    assert calls(page) == [SEED_CALL] * 4


def test_element_added_after_load(site, bundle_of):
    page = site.open("/", "<div id=later></div>", bundle_of(SEED))
    page.evaluate(f"document.getElementById('later').innerHTML = {json.dumps(BUTTON)}")
    page.click("#download-whitepaper")
    assert calls(page) == [SEED_CALL]


def test_page_code_that_stops_propagation_does_not_hide_the_click(site, bundle_of):
    body = (
        f"<div id=wrapper>{BUTTON}</div><script>document.getElementById('wrapper')"
        ".addEventListener('click', function (event) { event.stopPropagation(); });</script>"
    )
    page = site.open("/", body, bundle_of(SEED))
    page.click("#download-whitepaper")
    assert calls(page) == [SEED_CALL]


# The page cancels the submission, so its calls are sent on this page (after the event).
FORM = """<form class="contact" data-product="widget" action="/thanks">
  <input name="email"><button type="submit">Send</button></form>
  <script>document.addEventListener('submit', function (event) { event.preventDefault(); });</script>"""
SUBMIT = "on submit form.contact send 'contact form', 'lead - {attr:data-product}'"
SUBMIT_CALL = ["send", "event", {"value": ["contact form", "lead - widget"]}]


def test_form_submit_by_button(site, bundle_of):
    page = site.open("/", FORM, bundle_of(SUBMIT))
    page.click("form.contact button")
    assert wait_for_calls(page, 1) == [SUBMIT_CALL]


def test_form_submit_by_enter(site, bundle_of):
    page = site.open("/", FORM, bundle_of(SUBMIT))
    page.fill("input[name=email]", "someone@example.com")
    page.press("input[name=email]", "Enter")
    assert wait_for_calls(page, 1) == [SUBMIT_CALL]


def test_view_on_load(site, bundle_of):
    page = site.open("/", "<main>hi</main>", bundle_of("on view send 'viewed'"))
    assert wait_for_calls(page, 1) == [["send", "event", {"value": "viewed"}]]


def test_view_with_a_selector_fires_only_where_it_matches(site, bundle_of):
    bundle = bundle_of("on view .product send 'product {attr:data-sku}'")
    page = site.open("/p", "<div class=product data-sku=A1></div>", bundle)
    assert wait_for_calls(page, 1) == [["send", "event", {"value": "product A1"}]]
    page = site.open("/q", "<div class=other></div>", bundle)
    page.wait_for_load_state("load")
    assert calls(page) == []


TALL = '<div style="height: 3000px">top</div>'


def test_visible_after_scrolling_once_per_element(site, bundle_of):
    body = TALL + '<section id="case-study" style="height: 100px">case</section>' + TALL
    page = site.open("/", body, bundle_of("on visible #case-study send 'saw case study'"))
    rendered(page)
    assert calls(page) == []
    page.evaluate("document.getElementById('case-study').scrollIntoView()")
    assert wait_for_calls(page, 1) == [["send", "event", {"value": "saw case study"}]]
    page.evaluate("window.scrollTo(0, 0)")
    rendered(page)
    page.evaluate("document.getElementById('case-study').scrollIntoView()")
    rendered(page)
    assert len(calls(page)) == 1


def test_visible_counts_each_element_and_elements_added_later(site, bundle_of):
    body = TALL + '<p class="card" data-id="1">one</p><div id="more"></div>'
    page = site.open("/", body, bundle_of("on visible .card send 'card {attr:data-id}'"))
    page.evaluate("document.querySelector('.card').scrollIntoView()")
    wait_for_calls(page, 1)
    page.evaluate("document.getElementById('more').innerHTML = '<p class=card data-id=2>two</p>'")
    assert wait_for_calls(page, 2) == [
        ["send", "event", {"value": "card 1"}],
        ["send", "event", {"value": "card 2"}],
    ]


# A 200-px element at 1000 px in a 600-px window: scrolled to y, its part in view is
# [max(1000, y), min(1200, y + 600)].
DWELL = (
    '<div id=pricing style="position: absolute; top: 1000px; height: 200px">pricing</div>'
    '<div id=plans style="position: absolute; top: 1300px; height: 200px">plans</div>'
    '<div style="height: 4000px"></div>'
)
SAW = ["send", "event", {"value": "saw pricing"}]
# Records the ids of the elements an IntersectionObserver stops watching.
UNOBSERVED = """<script>window.unobserved = [];
var unobserve = IntersectionObserver.prototype.unobserve;
IntersectionObserver.prototype.unobserve = function (element) {
  unobserved.push(element.id); return unobserve.call(this, element); };</script>"""


def scrolled(page, y: int) -> None:
    page.evaluate(f"window.scrollTo(0, {y})")
    rendered(page)  # the observer reports at the next frame, whatever the clock says


def test_visible_share_for_a_time_fires_once_after_the_time_in_view(site, bundle_of):
    paused_clock(site.context)
    page = site.open(
        "/", UNOBSERVED + DWELL, bundle_of("on visible #pricing 50% for 2s send 'saw pricing'")
    )
    page.evaluate("window.unobserved = []")  # watching starts with an unobserve: not counted
    scrolled(page, 450)  # 50 px of 200 in view: 25 %
    page.clock.run_for(5000)
    assert calls(page) == []
    scrolled(page, 550)  # 150 px: 75 %
    page.clock.run_for(1500)
    scrolled(page, 1300)  # gone before 2 s: the time starts again next time
    page.clock.run_for(5000)
    assert calls(page) == []
    scrolled(page, 500)  # 100 px: exactly 50 %
    page.clock.run_for(1999)
    assert calls(page) == []
    page.clock.run_for(1)
    assert calls(page) == [SAW]
    scrolled(page, 1300)  # once per element
    scrolled(page, 550)
    page.clock.run_for(5000)
    assert calls(page) == [SAW]
    # Its one rule has fired: the element is no longer watched (the first report after
    # that, leaving the view, was the last).
    assert page.evaluate("window.unobserved") == ["pricing"]


def test_visible_share_and_time_count_for_each_element_on_its_own(site, bundle_of):
    paused_clock(site.context)
    page = site.open(
        "/",
        DWELL,
        bundle_of(
            "on visible #pricing,#plans for 1s send 'saw {text}'", "on visible #plans send 'plans'"
        ),
    )
    scrolled(page, 500)  # pricing 100 px in view (any part counts without a share)
    page.clock.run_for(600)
    scrolled(page, 800)  # both in view: pricing for 1.2 s by the end, plans for 0.6 s
    assert calls(page) == [["send", "event", {"value": "plans"}]]  # a plain rule: at once
    page.clock.run_for(600)
    assert calls(page) == [
        ["send", "event", {"value": "plans"}],
        ["send", "event", {"value": "saw pricing"}],
    ]
    page.clock.run_for(400)
    assert calls(page)[2:] == [["send", "event", {"value": "saw plans"}]]


def test_visible_share_of_an_element_taller_than_the_window_is_of_the_window(site, bundle_of):
    # A 3000-px article never has 50 % of itself in a 600-px window; it counts as half
    # seen when it covers half the window.
    article = (
        '<div id=article style="position: absolute; top: 1000px; height: 3000px">a</div>'
        '<div style="height: 6000px"></div>'
    )
    page = site.open("/", article, bundle_of("on visible #article 50% send 'read half'"))
    scrolled(page, 600)  # 200 px of the window: 33 %
    assert calls(page) == []
    scrolled(page, 800)  # 400 px of the window: 67 % (13 % of the article)
    assert wait_for_calls(page, 1) == [["send", "event", {"value": "read half"}]]


def test_six_values_are_sent_as_four_then_two(site, bundle_of):
    page = site.open(
        "/", BUTTON, bundle_of("on click #download-whitepaper send 'a', 'b', 'c', 'd', 'e', 'f'")
    )
    page.click("#download-whitepaper")
    assert calls(page) == [
        ["send", "event", {"value": ["a", "b", "c", "d"]}],
        ["send", "event", {"value": ["e", "f"]}],
    ]


def test_two_values_are_one_array_and_one_value_a_string(site, bundle_of):
    page = site.open(
        "/",
        BUTTON + "<a id=one>x</a>",
        bundle_of("on click #download-whitepaper send 'a', 'b'", "on click #one send 'single'"),
    )
    page.click("#download-whitepaper")
    page.click("#one")
    assert calls(page) == [
        ["send", "event", {"value": ["a", "b"]}],
        ["send", "event", {"value": "single"}],
    ]


def test_once_per_page(site, bundle_of):
    page = site.open("/", BUTTON, bundle_of(SEED + " once page"))
    page.click("#download-whitepaper")
    page.click("#download-whitepaper")
    assert calls(page) == [SEED_CALL]
    page.reload()
    page.click("#download-whitepaper")
    assert calls(page) == [SEED_CALL]


def test_once_per_session_survives_a_reload(site, bundle_of):
    page = site.open("/", BUTTON, bundle_of(SEED + " once session"))
    page.click("#download-whitepaper")
    page.click("#download-whitepaper")
    assert calls(page) == [SEED_CALL]
    page.reload()
    page.click("#download-whitepaper")
    assert calls(page) == []


def test_once_per_session_falls_back_to_once_per_page_without_storage(site, bundle_of):
    blocker = (
        "<script>Object.defineProperty(window, 'sessionStorage', "
        "{get: function () { throw new DOMException('denied', 'SecurityError'); }});</script>"
    )
    page = site.open("/", blocker + BUTTON, bundle_of(SEED + " once session"))
    page.click("#download-whitepaper")
    page.click("#download-whitepaper")
    assert calls(page) == [SEED_CALL]


PAGES_RULE = "on view send 'pricing' pages /pricing/** exclude /pricing/archive/**"


@pytest.mark.parametrize(
    "path, sent",
    [
        ("/pricing", True),
        ("/pricing/", True),
        ("/pricing/index.html", True),
        ("/pricing/enterprise.html", True),
        ("/pricing/archive/2019.html", False),
        ("/pricing-old/", False),
        ("/blog/", False),
    ],
)
def test_pages_and_exclude(site, bundle_of, path, sent):
    page = site.open(path, "<p>page</p>", bundle_of(PAGES_RULE, "on view send 'everywhere'"))
    expected = ([["send", "event", {"value": "pricing"}]] if sent else []) + [
        ["send", "event", {"value": "everywhere"}]
    ]
    assert wait_for_calls(page, len(expected)) == expected


def test_every_placeholder(site, bundle_of):
    body = (
        '<a id="promo" data-product="Widget &amp; Co">\n   Buy   the\n'
        '  <b>widget</b>  </a><a id="plain">plain</a>'
    )
    bundle = bundle_of(
        "on click #promo send '{text}', 'product {attr:data-product}', 'on {path}', "
        "'from {query:utm_campaign}', '{{literal}}'",
        # An empty placeholder leaves its value out: no data-product, no utm_source.
        "on click #plain send 'kept', '{attr:data-product}', 'source {query:utm_source}'",
    )
    page = site.open("/shop/café/", body, bundle, query="?utm_campaign=spring%20sale")
    page.click("#promo")
    page.click("#plain")
    assert calls(page) == [
        [
            "send",
            "event",
            {
                "value": [
                    "Buy the widget",
                    "product Widget & Co",
                    "on /shop/café/",
                    "from spring sale",
                ]
            },
        ],
        ["send", "event", {"value": ["{literal}"]}],
        ["send", "event", {"value": "kept"}],
    ]


def test_scroll_depth(site, bundle_of):
    page = site.open("/", TALL, bundle_of("on scroll 50% send 'half'", "on scroll 100% send 'all'"))
    rendered(page)
    assert calls(page) == []
    page.evaluate("window.scrollTo(0, 1300)")  # (1300 + 600) / 3000 = 63 %
    assert wait_for_calls(page, 1) == [["send", "event", {"value": "half"}]]
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert wait_for_calls(page, 2) == [
        ["send", "event", {"value": "half"}],
        ["send", "event", {"value": "all"}],
    ]


def test_several_depths_of_one_rule_each_fire_once_in_order(site, bundle_of):
    page = site.open(
        "/",
        TALL,
        bundle_of(
            "on scroll 100%, 25%, 50%, 75% send 'read {percent}'", "on scroll 50% send 'half'"
        ),
    )
    rendered(page)
    assert calls(page) == []  # 600 / 3000 = 20 %
    page.evaluate("window.scrollTo(0, 300)")  # (300 + 600) / 3000 = 30 %
    assert wait_for_calls(page, 1) == [["send", "event", {"value": "read 25"}]]
    # One scroll past three depths sends each of them in one go: rules in file order, a
    # rule's depths smallest first. Scrolling up and down again sends nothing more.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.evaluate("window.scrollTo(0, 0)")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    rendered(page)  # scroll events are fired at the next frame
    assert calls(page) == [
        ["send", "event", {"value": value}]
        for value in ("read 25", "read 50", "read 75", "read 100", "half")
    ]


def test_a_page_shorter_than_the_window_counts_as_scrolled(site, bundle_of):
    page = site.open("/", "<p>short</p>", bundle_of("on scroll 100% send 'read'"))
    assert wait_for_calls(page, 1) == [["send", "event", {"value": "read"}]]


def test_timer(site, bundle_of):
    paused_clock(site.context)
    page = site.open("/", "<p>x</p>", bundle_of("on timer 0.3s send 'stayed'"))
    page.clock.run_for(299)
    assert calls(page) == []
    page.clock.run_for(1)
    assert calls(page) == [["send", "event", {"value": "stayed"}]]


def test_without_rtp_calls_queue_in_the_official_stub_shape(site, bundle_of):
    page = site.open("/", BUTTON, bundle_of(SEED), spy=False)
    page.click("#download-whitepaper")
    queued = page.evaluate("""() => window.rtp.q.map(function (args) {
        return [Object.prototype.toString.call(args), Array.from(args)];
    })""")
    assert queued == [["[object Arguments]", SEED_CALL]]
    assert page.evaluate("Object.keys(window).filter(k => k.startsWith('rtp'))") == ["rtp"]


def test_an_rtp_defined_after_the_bundle_receives_later_calls(site, bundle_of):
    page = site.open("/", BUTTON, bundle_of(SEED), spy=False)
    page.click("#download-whitepaper")
    page.evaluate(f"() => {{ {SPY} }}")  # what loading the real rtp.js does: replace window.rtp
    page.click("#download-whitepaper")
    assert calls(page) == [SEED_CALL]


def test_a_failing_rtp_call_does_not_stop_other_rules(site, bundle_of):
    failing = (
        "<script>window.calls = []; window.rtp = function (a, b, c) {"
        " if (c.value === 'first') throw new Error('boom'); calls.push(c.value); };</script>"
    )
    page = site.open(
        "/",
        failing + BUTTON,
        bundle_of(
            "on click #download-whitepaper send 'first'",
            "on click #download-whitepaper send 'second'",
        ),
        spy=False,
    )
    page.click("#download-whitepaper")
    assert calls(page) == ["second"]


def _csp_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("allowed", [True, False])
def test_strict_content_security_policy(site, bundle_of, allowed):
    bundle = bundle_of(
        SEED,
        "on click #download-whitepaper send '{text}', 'x {attr:id}' once session",
        "on view send 'v' pages /**",
    )
    assert bundle.csp_source == _csp_hash(bundle.code)
    sources = [_csp_hash(SPY)] + ([bundle.csp_source] if allowed else [])
    policy = f"default-src 'none'; script-src {' '.join(sources)}"
    page = site.open("/", BUTTON, bundle, headers={"content-security-policy": policy})
    page.click("#download-whitepaper")
    if allowed:
        assert calls(page) == [
            ["send", "event", {"value": "v"}],
            SEED_CALL,
            ["send", "event", {"value": ["↓ Download", "x download-whitepaper"]}],
        ]
    else:
        # The control: with the hash missing the policy really blocks the bundle.
        assert calls(page) == []
        assert any("Content Security Policy" in error for error in site.errors)
        site.errors.clear()


def _example(name: str) -> str:
    return (
        f":{name}(p)"
        if name in ("has", "is", "not", "where")
        else {
            "dir": ":dir(ltr)",
            "lang": ":lang(en)",
            "nth-child": ":nth-child(2n+1)",
            "nth-last-child": ":nth-last-child(2)",
            "nth-of-type": ":nth-of-type(2)",
            "nth-last-of-type": ":nth-last-of-type(2)",
        }.get(name, f":{name}")
    )


# soupsieve accepts these; Chromium throws on them.
SOUPSIEVE_ONLY = [
    ":-soup-contains('x')",
    ":contains('x')",
    ":-soup-contains-own('x')",
    "[a!=b]",
    ":local-link",
    ":target-within",
]
# Chromium parses these but other current browsers do not, so they are refused too.
NOT_EVERY_BROWSER = [":current", ":past", ":future"]


def test_allowed_pseudo_classes_run_in_chromium_and_refused_selectors_do_not(site):
    page = site.open("/", "<p lang=en>x</p>")
    allowed = ["a" + _example(name) for name in sorted(BROWSER_PSEUDO_CLASSES)]
    assert all(selector_problems(selector) == [] for selector in allowed)
    runs = """(selectors) => selectors.filter(function (selector) {
        try { document.body.closest(selector); return true; } catch (error) { return false; }
    })"""
    assert page.evaluate(runs, allowed) == allowed
    refused = ["a" + selector for selector in SOUPSIEVE_ONLY]
    assert all(selector_problems(selector) for selector in refused)
    assert page.evaluate(runs, refused) == []
    assert all(selector_problems("a" + selector) for selector in NOT_EVERY_BROWSER)


def test_bundle_for_rules_from_python_objects(site):
    bundle = build_bundle(
        RuleSet(
            (
                Rule(
                    event="click",
                    selector="#download-whitepaper",
                    send="download - example whitepaper",
                ),
            )
        )
    )
    page = site.open("/", BUTTON, bundle)
    page.click("#download-whitepaper")
    assert calls(page) == [SEED_CALL]


# --- an injected page of a real site (site-a, tests/corpus/) -----------------

SITE_RULES = (
    "rules:\n"
    "  - \"on click 'header#banner' send 'banner', '{path}'\"\n"
    "  - \"on view send 'blog page' pages /blog/**\"\n"
)
QUEUED = (
    """() => (window.rtp && window.rtp.q || []).map(function (args) { return Array.from(args); })"""
)


@pytest.mark.parametrize("external", [False, True], ids=["inline", "external"])
def test_injected_site_a_page_sends_the_click(browser, tmp_path, site_a, external):
    site = tmp_path / "site"
    shutil.copytree(site_a / "blog", site / "blog")
    for path in site.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    rules = tmp_path / "rtp-rules.yml"
    rules.write_text(SITE_RULES)
    report = inject_site(site, load_rules(rules), external=external, jobs=1)
    assert report.counts["injected"] == len(list(site.rglob("*.html")))
    context = browser.new_context()
    context.set_default_timeout(5000)
    serve_folder(context, site, ORIGIN)
    # Keep the page when a click lands on a link (our listener runs in the capture phase first).
    context.add_init_script(
        "document.addEventListener('click', function (e) { e.preventDefault(); });"
    )
    page = context.new_page()
    page.goto(f"{ORIGIN}/blog/3/")
    page.wait_for_function("window.rtp && window.rtp.q && window.rtp.q.length >= 1")
    page.click("header#banner", position={"x": 5, "y": 5})
    assert page.evaluate(QUEUED) == [
        ["send", "event", {"value": "blog page"}],
        ["send", "event", {"value": ["banner", "/blog/3/"]}],
    ]
    context.close()


def test_a_tampered_external_bundle_is_refused_by_subresource_integrity(browser, tmp_path, site_a):
    site = tmp_path / "site"
    shutil.copytree(site_a / "blog" / "3", site / "blog" / "3")
    for path in site.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    rules = tmp_path / "rtp-rules.yml"
    rules.write_text(SITE_RULES)
    inject_site(site, load_rules(rules), external=True, jobs=1)
    (bundle_file,) = site.glob("rtp-snippets.*.js")
    bundle_file.write_text(bundle_file.read_text().replace("blog page", "evil page"))
    context = browser.new_context()
    serve_folder(context, site, ORIGIN)
    errors = []
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text))
    page.goto(f"{ORIGIN}/blog/3/index.html")
    page.wait_for_load_state("load")
    assert page.evaluate(QUEUED) == []
    assert any("integrity" in error for error in errors)
    context.close()


# --- Calls of a click or submit that leaves the page --------------------------------
#
# The spy below also appends [page path, ...arguments] to localStorage "log", which
# outlives the page, so a test can see on which page each call reached rtp.

LOGGING_SPY = (
    "window.calls = []; var keep = localStorage.setItem.bind(localStorage);"
    "window.rtp = function () { var args = Array.from(arguments); calls.push(args);"
    " var log = JSON.parse(localStorage.getItem('log') || '[]');"
    " log.push([location.pathname].concat(args)); keep('log', JSON.stringify(log)); };"
)
LINK = '<a id="download-whitepaper" href="{href}"{extra}>Download</a>'


def navigation_site(site, bundle, first_body, second_body="<p>next page</p>"):
    """/ and /next, both with the logging spy and the bundle."""
    for path, body in (("/", first_body), ("/next", second_body)):
        site.pages[path] = (
            f"<!doctype html><html><head><meta charset=utf-8><script>{LOGGING_SPY}</script>"
            f"</head><body>{body}<script>{bundle.code}</script></body></html>",
            {},
        )
    return site.visit(ORIGIN + "/")


def log(page):
    return page.evaluate("() => JSON.parse(localStorage.getItem('log') || '[]')")


def queued(page):
    return page.evaluate("() => sessionStorage.getItem('rtp-snippets queue')")


def follow(page, url, selector="#download-whitepaper", **click):
    """Click and wait until the page at ``url`` has loaded (its bundle has run)."""
    with page.expect_navigation(url=url):
        page.click(selector, **click)


def test_a_link_that_leaves_the_page_has_its_call_sent_once_by_the_next_page(site, bundle_of):
    body = LINK.format(href="/next", extra="") + (
        "<script>addEventListener('click', function (event) {"
        " localStorage.setItem('prevented', event.defaultPrevented); });</script>"
    )
    page = navigation_site(site, bundle_of(SEED), body)
    follow(page, ORIGIN + "/next")
    # Not sent by the page that left; sent by the next one; the click was not cancelled.
    assert log(page) == [["/next", *SEED_CALL]]
    assert page.evaluate("() => localStorage.getItem('prevented')") == "false"
    assert queued(page) is None
    # Once only: not again on reload, back or forward.
    page.reload()
    page.go_back()
    page.go_forward()
    assert log(page) == [["/next", *SEED_CALL]]


@pytest.fixture
def bfcache_site(browser):
    """Like `site`, in a Chromium with the back/forward cache that Playwright turns off."""
    own = browser.browser_type.launch(
        executable_path=CHROMIUM, ignore_default_args=["--disable-back-forward-cache"]
    )
    context = own.new_context()
    served = Site(context)
    yield served
    own.close()
    assert served.errors == [], "console errors"


def test_a_once_session_rule_named_queue_is_queued_like_any_other(site, bundle_of):
    page = navigation_site(
        site, bundle_of(SEED + " once session name queue"), LINK.format(href="/next", extra="")
    )
    follow(page, ORIGIN + "/next")
    assert log(page) == [["/next", *SEED_CALL]]


def test_a_page_restored_from_the_back_forward_cache_sends_what_it_queued(bfcache_site, bundle_of):
    # /next carries no bundle: the call waits in sessionStorage until the user comes
    # back, and the restored page (whose scripts do not run again) sends it.
    body = LINK.format(href="/next", extra="") + (
        "<script>addEventListener('pageshow', function (event) {"
        " if (event.persisted) localStorage.setItem('restored', 1); });</script>"
    )
    page = navigation_site(bfcache_site, bundle_of(SEED), body)
    bfcache_site.pages["/next"] = ("<!doctype html><p>no bundle here</p>", {})
    follow(page, ORIGIN + "/next")
    assert log(page) == []
    page.go_back(wait_until="commit")  # a restored page fires no load event
    page.wait_for_function("window.calls.length == 1")
    assert page.evaluate("() => localStorage.getItem('restored')") == "1"
    assert log(page) == [["/", *SEED_CALL]]


@pytest.mark.parametrize(
    "case, href, extra, click",
    [
        ("new tab", "/next", " target=_blank", {}),
        ("named window", "/next", " target=other", {}),
        ("download", "/next", " download", {}),
        ("Ctrl", "/next", "", {"modifiers": ["Control"]}),
        ("Shift", "/next", "", {"modifiers": ["Shift"]}),
        ("Alt", "/next", "", {"modifiers": ["Alt"]}),
        ("fragment of this page", "#part", "", {}),
        ("javascript: link", "javascript:void 0", "", {}),
        ("mailto: link", "mailto:sales@example.com", "", {}),
        ("<base target=_blank>", "/next", "><base target=_blank", {}),
    ],
)
def test_a_click_that_does_not_replace_the_page_is_sent_at_once(
    site, bundle_of, case, href, extra, click
):
    page = navigation_site(site, bundle_of(SEED), LINK.format(href=href, extra=extra))
    page.click("#download-whitepaper", **click)
    assert page.url.startswith(ORIGIN + "/")
    assert calls(page) == [SEED_CALL]
    assert queued(page) is None


# A same-site link to something that is not a page: the browser shows it (Chromium's PDF
# viewer, an image, a player) or downloads it, and no bundle runs there to send a stored
# call. By the extension of the URL's path (any case, query and fragment ignored), or a
# type attribute that is not HTML.
@pytest.mark.parametrize(
    "href, extra, kind",
    [
        ("/files/brochure.PDF?x=1", "", "application/pdf"),
        ("/files/brochure.pdf#page=2", "", "application/pdf"),
        ("/downloads/tool.zip", "", "application/zip"),
        ("/docs/report.docx", "", "application/octet-stream"),
        ("/media/talk.mp4", "", "video/mp4"),
        ("/images/photo.JPG", "", "image/jpeg"),
        ("/get?id=3", ' type="application/pdf"', "application/pdf"),
    ],
)
def test_a_click_on_a_same_site_link_to_a_file_is_sent_at_once(site, bundle_of, href, extra, kind):
    path = href.split("?")[0].split("#")[0]
    site.context.route(
        ORIGIN + path + "*",
        lambda route: route.fulfill(
            status=200,
            body=b"%PDF-1.4\n" if "pdf" in kind else b"\x00" * 16,
            headers={"content-type": kind},
        ),
    )
    page = navigation_site(site, bundle_of(SEED), LINK.format(href=href, extra=extra))
    site.pages["/plain"] = ("<!doctype html><p>no bundle here</p>", {})
    with page.expect_response(lambda response: response.url.startswith(ORIGIN + path)):
        page.click("#download-whitepaper")
    page.goto(ORIGIN + "/plain")  # no bundle here: nothing sends a stored call
    assert log(page) == [["/", *SEED_CALL]]
    assert queued(page) is None


@pytest.mark.parametrize(
    "href, extra",
    [
        ("/next.html", ""),
        ("/next", ' type="text/html"'),
        ("/next", ' type="application/xhtml+xml"'),
    ],
)
def test_a_link_to_a_page_is_still_sent_by_the_next_page(site, bundle_of, href, extra):
    page = navigation_site(site, bundle_of(SEED), LINK.format(href=href, extra=extra))
    site.pages["/next.html"] = site.pages["/next"]
    follow(page, ORIGIN + href)
    assert log(page) == [[href, *SEED_CALL]]


def test_a_meta_click_is_sent_at_once_also_where_it_follows_the_link(site, bundle_of):
    # Meta (Cmd) opens a new tab on macOS; Chromium on Linux follows the link here.
    page = navigation_site(site, bundle_of(SEED), LINK.format(href="/next", extra=""))
    follow(page, ORIGIN + "/next", modifiers=["Meta"])
    assert log(page) == [["/", *SEED_CALL]]


def test_a_link_to_another_site_is_sent_at_once(site, bundle_of):
    # The other site cannot send it; rtp.js gets it before the page goes (best effort).
    site.context.route("http://other.test/**", lambda route: route.fulfill(body="other site"))
    page = navigation_site(site, bundle_of(SEED), LINK.format(href="http://other.test/", extra=""))
    follow(page, "http://other.test/")
    page.goto(ORIGIN + "/next")
    assert log(page) == [["/", *SEED_CALL]]


def test_a_link_whose_navigation_the_page_cancels_is_sent_on_the_page(site, bundle_of):
    body = LINK.format(href="/next", extra="") + (
        "<script>document.getElementById('download-whitepaper').addEventListener('click',"
        " function (event) { event.preventDefault(); });</script>"
    )
    page = navigation_site(site, bundle_of(SEED), body)
    page.click("#download-whitepaper")
    assert wait_for_calls(page, 1) == [SEED_CALL]
    assert page.url == ORIGIN + "/" and queued(page) is None


def test_a_same_site_link_answered_with_a_download_is_sent_on_the_page_within_a_second(
    site, bundle_of
):
    # The page does not leave after all: the stored call is sent on it, once.
    page = navigation_site(site, bundle_of(SEED), LINK.format(href="/file", extra=""))
    site.context.route(
        ORIGIN + "/file",
        lambda route: route.fulfill(
            body="a,b\n",
            headers={
                "content-type": "text/csv",
                "content-disposition": "attachment; filename=file.csv",
            },
        ),
    )
    with page.expect_download():
        page.click("#download-whitepaper")
    assert calls(page) == [] and queued(page) is not None  # stored while it might leave
    page.wait_for_function("window.calls.length >= 1", timeout=3000)
    assert queued(page) is None
    page.goto(ORIGIN + "/next")
    assert log(page) == [["/", *SEED_CALL]]


def test_a_navigation_cancelled_after_the_click_is_sent_on_the_page_within_a_second(
    site, bundle_of
):
    # Page code that cancels the navigation itself, not the click (the Navigation API).
    body = LINK.format(href="/next", extra="") + (
        "<script>navigation.addEventListener('navigate', function (event) {"
        " event.preventDefault(); });</script>"
    )
    page = navigation_site(site, bundle_of(SEED), body)
    page.click("#download-whitepaper")
    assert calls(page) == [] and queued(page) is not None
    page.wait_for_function("window.calls.length >= 1", timeout=3000)
    assert page.url == ORIGIN + "/" and calls(page) == [SEED_CALL] and queued(page) is None


def test_an_ajax_form_whose_submit_page_code_cancels_is_sent_on_the_page(site, bundle_of):
    # As Marketo Forms 2.0 does: the submit handler cancels it and posts the data itself.
    body = LEAVING_FORM.format(extra="", required="", button="") + (
        "<script>document.querySelector('form').addEventListener('submit',"
        " function (event) { event.preventDefault(); });</script>"
    )
    page = navigation_site(site, bundle_of(SUBMIT), body)
    page.click("button")
    assert wait_for_calls(page, 1) == [SUBMIT_CALL]
    assert page.url == ORIGIN + "/" and queued(page) is None


def test_a_page_that_cancels_the_click_and_navigates_itself_has_the_call_sent_once(site, bundle_of):
    # The page sends it right after the click event, unless its own navigation has
    # already replaced it by then (a race that a loaded machine loses now and then):
    # then the next page does. Either way exactly once.
    body = LINK.format(href="/next", extra="") + (
        "<script>document.getElementById('download-whitepaper').addEventListener('click',"
        " function (event) { event.preventDefault(); location.href = this.href; });</script>"
    )
    page = navigation_site(site, bundle_of(SEED), body)
    follow(page, ORIGIN + "/next")
    assert log(page) in ([["/", *SEED_CALL]], [["/next", *SEED_CALL]])
    assert queued(page) is None


def leave_for_a_page_without_bundle(site, bundle_of):
    """A click on / that leaves for /plain, a page without the bundle: the call stays
    stored in the tab's sessionStorage."""
    page = navigation_site(site, bundle_of(SEED), LINK.format(href="/plain", extra=""))
    site.pages["/plain"] = (
        f"<!doctype html><html><head><script>{LOGGING_SPY}</script></head>"
        "<body>no bundle</body></html>",
        {},
    )
    follow(page, ORIGIN + "/plain")
    assert log(page) == [] and queued(page) is not None
    return page


@pytest.mark.parametrize("minutes, sent", [(29, True), (31, False)])
def test_stored_calls_older_than_thirty_minutes_are_dropped(site, bundle_of, minutes, sent):
    page = leave_for_a_page_without_bundle(site, bundle_of)
    page.add_init_script(
        f"(function () {{ var now = Date.now;"
        f" Date.now = function () {{ return now() + {minutes} * 60000; }}; }})()"
    )
    page.goto(ORIGIN + "/next")
    assert log(page) == ([["/next", *SEED_CALL]] if sent else [])
    assert queued(page) is None


def test_a_duplicated_tab_does_not_send_the_stored_calls_again(site, bundle_of):
    # Duplicating a tab copies its sessionStorage: the call stored by the first tab is
    # then in both, and only one of them may send it.
    first = leave_for_a_page_without_bundle(site, bundle_of)
    stored = first.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")
    duplicate = site.context.new_page()
    duplicate.add_init_script(
        f"(function (copy) {{ if (!sessionStorage.length) for (var key in copy)"
        f" sessionStorage.setItem(key, copy[key]); }})({stored})"
    )
    duplicate.goto(ORIGIN + "/next")
    first.goto(ORIGIN + "/next")
    assert log(first) == [["/next", *SEED_CALL]]
    assert queued(first) is None and queued(duplicate) is None


def test_without_session_storage_a_leaving_click_is_sent_at_once(site, bundle_of):
    body = LINK.format(href="/next", extra="") + (
        "<script>Storage.prototype.setItem = function () {"
        " throw new DOMException('full', 'QuotaExceededError'); };</script>"
    )
    page = navigation_site(site, bundle_of(SEED), body)
    follow(page, ORIGIN + "/next")
    assert log(page) == [["/", *SEED_CALL]]


def test_with_navigation_send_a_leaving_click_is_sent_at_once(site, rules_file):
    bundle = build_bundle(load_rules(rules_file(f'navigation: send\nrules:\n  - "{SEED}"\n')))
    page = navigation_site(site, bundle, LINK.format(href="/next", extra=""))
    follow(page, ORIGIN + "/next")
    assert log(page) == [["/", *SEED_CALL]]


LEAVING_FORM = """<form class="contact" data-product="widget" action="/next"{extra}>
  <input name="email"{required}><button type="submit"{button}>Send</button></form>"""


@pytest.mark.parametrize(
    "rule, call, extra, button",
    [
        (SUBMIT, SUBMIT_CALL, "", ""),
        (
            "on click form.contact>button send 'contact button'",
            ["send", "event", {"value": "contact button"}],
            "",
            "",
        ),
        # The button's formtarget and formmethod win over the form's.
        (SUBMIT, SUBMIT_CALL, " target=_blank", " formtarget=_self"),
        (SUBMIT, SUBMIT_CALL, " method=dialog", " formmethod=get"),
    ],
)
def test_a_form_that_leaves_the_page_has_its_call_sent_by_the_next_page(
    site, bundle_of, rule, call, extra, button
):
    form = LEAVING_FORM.format(extra=extra, required="", button=button)
    page = navigation_site(site, bundle_of(rule), form)
    follow(page, ORIGIN + "/next?email=", "form.contact button")
    assert log(page) == [["/next", *call]]


@pytest.mark.parametrize(
    "extra, required, button",
    [
        (" target=_blank", "", ""),
        (" method=dialog", "", ""),
        ("", " required", ""),  # an invalid form is not submitted
        ("", "", " formtarget=_blank"),
        ("", "", " formmethod=dialog"),
    ],
)
def test_a_form_that_does_not_replace_the_page_is_sent_at_once(
    site, bundle_of, extra, required, button
):
    rule = "on click form.contact>button send 'contact button'"
    form = LEAVING_FORM.format(extra=extra, required=required, button=button)
    page = navigation_site(site, bundle_of(rule), form)
    page.click("form.contact button")
    assert calls(page) == [["send", "event", {"value": "contact button"}]]
    assert page.url == ORIGIN + "/" and queued(page) is None


TWO_PAGES = {
    "index.html": "<!doctype html><html><head><title>Home</title></head><body>"
    "<a id=pricing href=/pricing.html>Pricing</a></body></html>",
    "pricing.html": "<!doctype html><html><head><title>Pricing</title></head><body>"
    "<p>Prices</p></body></html>",
}


def follow_to_pricing(browser, tmp_path, rules: str, prune: bool = False):
    """TWO_PAGES injected with ``rules``, then in Chromium the home page's link followed:
    the report, and the calls made on pricing.html."""
    root = write_site(tmp_path, TWO_PAGES, rules)
    report = inject_site(root, load_rules(tmp_path / "rtp-rules.yml"), jobs=1, prune=prune)
    assert "a[href]" not in (root / "pricing.html").read_text()  # no click rule there
    context = browser.new_context()
    context.set_default_timeout(5000)
    serve_folder(context, root, ORIGIN)
    context.add_init_script(SPY)
    page = context.new_page()
    page.goto(f"{ORIGIN}/index.html")
    follow(page, f"{ORIGIN}/pricing.html", "#pricing")
    made = calls(page)
    context.close()
    return report, made


def test_an_injected_page_without_click_rules_sends_what_the_previous_page_queued(
    browser, tmp_path
):
    _, made = follow_to_pricing(
        browser,
        tmp_path,
        "rules:\n"
        "  - on click '#pricing' send 'pricing link' pages /index.html\n"
        "  - on view send 'viewed' pages /pricing.html\n",
    )
    assert made == [
        ["send", "event", {"value": "pricing link"}],
        ["send", "event", {"value": "viewed"}],
    ]


@pytest.mark.parametrize("why", ["its pages glob", "prune"])
def test_an_injected_page_without_any_rule_sends_what_the_previous_page_queued(
    browser, tmp_path, why
):
    # No rule runs on the page left to (out of the rule's pages, or pruned: nothing on it
    # matches): it still needs the part that sends the stored calls, or they wait for a
    # page with rules that the visitor may never open.
    scope = " pages /index.html" if why == "its pages glob" else ""
    report, made = follow_to_pricing(
        browser,
        tmp_path,
        f"rules:\n  - on click '#pricing' send 'pricing link'{scope}\n",
        prune=why == "prune",
    )
    assert made == [["send", "event", {"value": "pricing link"}]]
    assert report.counts == {"injected": 2}


def test_a_form_sent_to_another_site_is_sent_at_once(site, bundle_of):
    site.context.route("http://other.test/**", lambda route: route.fulfill(body="other site"))
    form = LEAVING_FORM.format(extra="", required="", button=" formaction=http://other.test/")
    page = navigation_site(site, bundle_of(SUBMIT), form)
    follow(page, "http://other.test/?email=", "form.contact button")
    page.goto(ORIGIN + "/next")
    assert log(page) == [["/", *SUBMIT_CALL]]


# --- run-time fixes (issue 13) ------------------------------------------------------


@pytest.mark.parametrize("once", ["page", "session"])
def test_once_is_used_up_only_by_a_call_that_is_made(site, bundle_of, once):
    body = (
        '<button class="cta" id="bare">no product</button>'
        '<button class="cta" id="pro" data-product="pro">pro</button>'
    )
    page = site.open(
        "/", body, bundle_of(f"on click .cta send 'lead - {{attr:data-product}}' once {once}")
    )
    page.click("#bare")  # the placeholder is empty: no value, so no call
    assert calls(page) == []
    page.click("#pro")
    page.click("#pro")
    assert calls(page) == [["send", "event", {"value": "lead - pro"}]]


@pytest.mark.parametrize(
    "element", ['<div id="rtp"></div>', '<img name="rtp" alt="">', '<form name="rtp"></form>']
)
def test_an_element_named_rtp_does_not_hide_the_stub(site, bundle_of, element):
    # The browser makes such an element window.rtp: the bundle must still install the stub.
    plain = site.open("/plain/", element, spy=False)
    assert plain.evaluate("typeof window.rtp") == "object"
    page = site.open("/", element + BUTTON, bundle_of(SEED), spy=False)
    page.click("#download-whitepaper")
    assert page.evaluate("typeof window.rtp") == "function"
    assert page.evaluate("Array.from(window.rtp.q, args => Array.from(args))") == [SEED_CALL]


def test_a_call_that_cannot_be_made_warns_once_on_the_console(site, bundle_of):
    page = site.open("/", BUTTON, bundle_of(SEED), spy=False)
    warnings = []
    page.on("console", lambda message: message.type == "warning" and warnings.append(message.text))
    page.evaluate("window.rtp = 5")  # page code overwrites rtp with something not callable
    page.click("#download-whitepaper")
    page.click("#download-whitepaper")
    page.evaluate("new Promise(requestAnimationFrame)")
    assert len(warnings) == 1 and warnings[0].startswith("rtp-snippets: ")


POLLUTED = (
    "<script>['pages', 'exclude', 'once', 'key', 'a', '/', '0', '1', '2']"
    ".forEach(function (name) { Object.prototype[name] = '.'; });</script>"
)


def test_rules_read_only_their_own_options(site, bundle_of):
    # Page code (or a library) that adds properties to Object.prototype, or array
    # indexes through it, changes nothing: each rule still fires, once as written.
    page = site.open(
        "/a/",
        POLLUTED + BUTTON + '<p class="card">card</p>',
        bundle_of(
            SEED,
            "on click #download-whitepaper send 'limited' pages '/a/**' once page",
            "on click #download-whitepaper send 'excluded' exclude '/a/**'",
            "on view send 'seen' once session",
        ),
    )
    page.click("#download-whitepaper")
    page.click("#download-whitepaper")
    assert calls(page) == [
        ["send", "event", {"value": "seen"}],
        SEED_CALL,
        ["send", "event", {"value": "limited"}],
        SEED_CALL,
    ]


def test_visible_rules_never_rescan_the_document_after_load(site, bundle_of):
    # A page that changes text every frame: the bundle looks only at elements added
    # to the page, never again at the whole document, and stops watching what fired.
    counting = (
        "<script>window.scans = 0; var all = Document.prototype.querySelectorAll;"
        "Document.prototype.querySelectorAll = function () { scans++;"
        " return all.apply(this, arguments); };</script>"
    )
    body = (
        counting + '<p class="card">c</p>' * 50 + TALL + '<p id="clock">0</p><div id="more"></div>'
    )
    page = site.open(
        "/",
        body,
        bundle_of("on visible .card send 'card' once page", "on visible .later send 'later'"),
    )
    assert wait_for_calls(page, 1) == [["send", "event", {"value": "card"}]]
    after_load = page.evaluate("window.scans")
    page.evaluate("""() => new Promise(done => { var n = 0; (function tick() {
        document.getElementById('clock').textContent = ++n;
        if (n < 60) requestAnimationFrame(tick); else done(); })(); })""")
    assert page.evaluate("window.scans") == after_load
    page.evaluate("document.getElementById('more').innerHTML = '<div><p class=later>x</p></div>'")
    page.evaluate("document.querySelector('.later').scrollIntoView()")
    assert wait_for_calls(page, 2) == [
        ["send", "event", {"value": "card"}],
        ["send", "event", {"value": "later"}],
    ]
    assert page.evaluate("window.scans") == after_load


def test_a_bundle_that_runs_twice_in_one_document_does_nothing_the_second_time(site, bundle_of):
    # A theme that re-executes the page's scripts (or a bundle injected twice): no
    # listener or rule is set up twice, so each event is sent once.
    bundle = bundle_of(SEED, "on view send 'seen'", "on visible #download-whitepaper send 'shown'")
    rerun = (
        "<script>var again = document.createElement('script');"
        f"again.textContent = {json.dumps(bundle.code)}; document.body.appendChild(again);</script>"
    )
    page = site.open("/", BUTTON + f"<script>{bundle.code}</script>" + rerun, bundle)
    page.click("#download-whitepaper")
    wait_for_calls(page, 3)
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert sorted(call[2]["value"] for call in calls(page)) == [
        "download - example whitepaper",
        "seen",
        "shown",
    ]


def test_a_bundle_run_after_document_open_works_again(site, bundle_of):
    # document.open() (here through Playwright's set_content) removes every listener:
    # the once-per-document mark must not stop the bundle of the new content.
    bundle = bundle_of(SEED)
    page = site.open("/", BUTTON, bundle)
    page.set_content(
        f"<!doctype html><html><head><script>{SPY}</script></head>"
        f"<body>{BUTTON}<script>{bundle.code}</script></body></html>"
    )
    page.click("#download-whitepaper")
    assert calls(page) == [SEED_CALL]


# --- click narrowed by the link's URL (issue 15) ----------------------------------------

# Page code that cancels every click, so that no link leaves the test page: the bundle's
# capture listener still sees it, and calls queued for a leaving page are sent on it.
CANCEL = "<script>document.addEventListener('click', e => e.preventDefault());</script>"
LINKS = """<title>Links  page</title>
<a id=pdf href="/files/Report.PDF?download=1#page=2">report</a>
<a id=pdf-in-query href="/view?file=a.pdf">viewer</a>
<a id=pdf-in-fragment href="/page#a.pdf">fragment</a>
<a id=pdf-html href="/files/report.pdf.html">html</a>
<a id=inner href="files/b.pdf"><span id=icon>b</span></a>
<a id=out href="https://other.example/x?utm=1">other</a>
<a id=lookalike href="http://rtp.test.evil/">lookalike</a>
<a id=same href="http://rtp.test/pricing/">same host</a>
<a id=mail href="mailto:a@rtp.example">mail</a>
<a id=bad href="http://[oops">bad</a>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" usemap="#m" width=50 height=50>
<map name=m><area id=area shape=rect coords="0,0,50,50" href="https://maps.example/a.pdf"></map>
<div class=downloads><a id=zip href="/d/tool.ZIP">Tool</a></div>
<a id=zip-elsewhere href="/x.zip">x</a>
"""
LINK_RULES = (
    "on click link '*.pdf' send 'pdf - {attr:href}'",
    "on click link outbound send 'out - {attr:href} from {host}: {title}'",
    "on click '.downloads a' link '*.zip' send 'zip {text}'",
)


def value(text: str) -> list:
    return ["send", "event", {"value": text}]


@pytest.mark.parametrize(
    "target, sent",
    [
        ("#pdf", ["pdf - /files/Report.PDF?download=1#page=2"]),  # query, fragment and case
        ("#pdf-in-query", []),
        ("#pdf-in-fragment", []),
        ("#pdf-html", []),
        ("#icon", ["pdf - files/b.pdf"]),  # inside the link; the link's own href
        ("#out", ["out - https://other.example/x?utm=1 from rtp.test: Links page"]),
        ("#lookalike", ["out - http://rtp.test.evil/ from rtp.test: Links page"]),
        ("#same", []),
        ("#mail", []),
        ("#bad", []),
        (
            "img",
            [
                "pdf - https://maps.example/a.pdf",
                "out - https://maps.example/a.pdf from rtp.test: Links page",
            ],
        ),
        ("#zip", ["zip Tool"]),
        ("#zip-elsewhere", []),
    ],
)
def test_click_rules_narrowed_by_the_link_url(site, bundle_of, target, sent):
    page = site.open("/", LINKS + CANCEL, bundle_of(*LINK_RULES))
    page.click(target)
    timers_run(page)  # a cancelled leaving click's calls are sent after the event
    assert calls(page) == [value(text) for text in sent]


def test_a_link_glob_takes_bounded_time_on_a_hostile_url(site, bundle_of):
    # A million-character URL against a glob of 20 stars that almost matches everywhere.
    glob = "*" + "a*" * 19 + "b"
    page = site.open(
        "/", "<a id=long>x</a>" + CANCEL, bundle_of(f"on click link '{glob}' send 'x'")
    )
    elapsed = page.evaluate("""() => {
        const link = document.getElementById('long');
        link.href = '/' + 'a'.repeat(1000000);
        const start = performance.now();
        link.click();
        return performance.now() - start;
    }""")
    assert calls(page) == []
    assert elapsed < 500, elapsed


def test_waiting_for_a_late_call_works_under_a_strict_content_security_policy(site, bundle_of):
    # CI failed once on the test below: a call that came after the first look made
    # the wait itself evaluate a string with the page's eval, which the policy blocks.
    bundle = bundle_of(SEED)
    policy = f"default-src 'none'; script-src {_csp_hash(SPY)} {bundle.csp_source}"
    page = site.open("/", BUTTON, bundle, headers={"content-security-policy": policy})
    page.evaluate("setTimeout(() => document.getElementById('download-whitepaper').click(), 300)")
    assert wait_for_calls(page, 1) == [SEED_CALL]


def test_new_triggers_run_under_a_strict_content_security_policy(site, bundle_of):
    bundle = bundle_of(
        *LINK_RULES,
        "on scroll 1%, 100% send 'read {percent}'",
        "on visible #pdf 10% for 0.1s send 'saw'",
    )
    policy = f"default-src 'none'; img-src data:; script-src {_csp_hash(SPY)} {bundle.csp_source}"
    page = site.open("/", LINKS, bundle, headers={"content-security-policy": policy})
    page.evaluate("document.addEventListener('click', e => e.preventDefault())")
    page.click("#out")
    assert sorted(map(str, wait_for_calls(page, 4))) == sorted(
        map(
            str,
            [
                value("read 1"),
                value("read 100"),
                value("saw"),
                value("out - https://other.example/x?utm=1 from rtp.test: Links page"),
            ],
        )
    )


def test_the_bundle_matches_link_globs_as_python_does(site, bundle_of):
    from rtp_snippets.links import link_matches

    globs = sorted({glob for glob, _, _ in LINK_GLOB_CASES})
    urls = sorted({url for _, url, _ in LINK_GLOB_CASES})
    links = "".join(f'<a id=l{index} href="{url}">{index}</a> ' for index, url in enumerate(urls))
    page = site.open(
        "/", links + CANCEL, bundle_of(*(f"on click link '{glob}' send '{glob}'" for glob in globs))
    )
    for index, url in enumerate(urls):
        page.evaluate("window.calls = []")
        page.click(f"#l{index}")
        assert [call[2]["value"] for call in calls(page)] == [
            glob for glob in globs if link_matches(glob, url)
        ], url


# --- inject --external on pages with <base href> ---------------------------------------


def test_an_external_bundle_loads_on_pages_with_a_base_href(browser, tmp_path):
    site = write_site(tmp_path, BASE_PAGES, "rules:\n  - \"on view send 'viewed {path}'\"\n")
    result = run("inject", site, "-r", tmp_path / "rtp-rules.yml", "--external", "--json")
    pages = {page["path"]: page for page in json.loads(result.stdout)["pages"]}
    reason = (
        "its <base href> decides where the bundle's src loads from, and where the site "
        "is served is not known here: give --base-url (the URL of the site's root)"
    )
    assert {path: (page["status"], page["reason"]) for path, page in pages.items()} == {
        "/index.html": ("injected", ""),
        "/myapp/index.html": ("injected", ""),
        "/myapp/sub/page.html": ("injected", ""),
        "/docs/a/b.html": ("injected", ""),
        "/other/page.html": ("skipped", reason),
        "/cdn/page.html": ("skipped", reason),
    }
    context = browser.new_context()
    serve_folder(context, site, ORIGIN)
    context.add_init_script(SPY)
    page = context.new_page()
    for path in ("/index.html", "/myapp/index.html", "/myapp/sub/page.html", "/docs/a/b.html"):
        page.goto(ORIGIN + path)
        wait_until(page, "window.calls.length == 1")
        assert calls(page) == [["send", "event", {"value": f"viewed {path}"}]], path
    context.close()
    # With --base-url the src names the site's root itself: every page loads it.
    result = run("inject", site, "-r", tmp_path / "rtp-rules.yml", "--external", "--base-url", "/")
    assert result.exit_code == 0
    assert "<base" in (site / "other/page.html").read_text()
    assert 'src="/rtp-snippets.' in (site / "other/page.html").read_text()
