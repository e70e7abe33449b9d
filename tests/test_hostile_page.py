"""The page's own objects are hostile until proven otherwise, in real Chromium.

Storage holds anything: a value under one of the bundle's keys that the bundle did not
write is discarded, never fatal. Markup shadows DOM properties: an element's ``name``
becomes a property of ``document`` (``<img name="title">``) and a form control's of its
form (``<input name="action">``); the bundle reaches the DOM through the prototypes.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.browser import ORIGIN, Site, calls, timers_run, wait_for_calls
from support.properties import CASE_COUNTS, examples

pytestmark = pytest.mark.browser

QUEUE, SENT, DEBUG = "rtp-snippets queue", "rtp-snippets sent", "rtp-snippets-debug"
RULES = (
    "on view send 'viewed'",
    "on click #leave send 'left'",
    "on click #once send 'once' once session name only-once",
)
ONCE_KEY = "rtp-snippets:only-once"
BODY = "<a id=leave href='/next'>next</a> <button id=once>once</button>"


def value(text: str) -> list:
    return ["send", "event", {"value": text}]


@pytest.fixture
def storage_site(browser, bundle_of):
    context = browser.new_context()
    site = Site(context)
    bundle = bundle_of(*RULES)
    for path in ("/", "/next"):
        site.add(path, BODY, bundle)
    yield site
    context.close()
    assert site.errors == [], "console errors"


def put(page, stored: dict) -> None:
    """Write raw strings under keys: {(storage, key): text}."""
    for (storage, key), text in stored.items():
        page.evaluate(
            "([storage, key, text]) => window[storage].setItem(key, text)", [storage, key, text]
        )


def check_rules_survive(page, stored: dict) -> None:
    """With ``stored`` under the bundle's keys: the page starts and sends its view, a
    leaving click's call is sent once by the next page, and a once-session rule sends
    once (unless its key holds what the bundle writes there, "1")."""
    page.goto(ORIGIN + "/")
    put(page, stored)
    page.reload()
    assert wait_for_calls(page, 1) == [value("viewed")]
    put(page, stored)
    with page.expect_navigation(url=ORIGIN + "/next"):
        page.click("#leave")
    assert sorted(map(json.dumps, wait_for_calls(page, 2))) == sorted(
        map(json.dumps, [value("left"), value("viewed")])
    )
    page.click("#once")
    page.click("#once")
    timers_run(page)
    already = stored.get(("sessionStorage", ONCE_KEY)) == "1"
    assert calls(page)[2:] == ([] if already else [value("once")])
    assert page.evaluate(f"sessionStorage.getItem({json.dumps(QUEUE)})") is None


# What the issue found: each stopped the bundle at start-up or lost the stored call.
@pytest.mark.parametrize(
    "stored",
    [
        {("localStorage", SENT): "[null]"},
        {("localStorage", SENT): "7"},
        {("sessionStorage", QUEUE): "[null]"},
        {("sessionStorage", QUEUE): '"a JSON string"'},
        {("sessionStorage", QUEUE): "[[1, 2]]"},
        {("sessionStorage", QUEUE): "{}"},
        {("localStorage", SENT): '[[null, null], 5, "x"]'},
        {("sessionStorage", ONCE_KEY): "true"},
        {("sessionStorage", DEBUG): '{"a": 1}'},
    ],
    ids=lambda stored: "+".join(f"{key}={text}" for (_, key), text in stored.items()),
)
def test_a_value_the_bundle_did_not_write_is_discarded_not_fatal(storage_site, stored):
    check_rules_survive(storage_site.visit(ORIGIN + "/"), stored)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
# Raw text under a key: JSON of anything, near misses of what the bundle writes, or not JSON.
STORED_TEXT = st.one_of(
    JSON_VALUES.map(json.dumps),
    st.lists(st.lists(JSON_VALUES, max_size=4), max_size=3).map(json.dumps),
    st.tuples(st.integers(), st.integers(), JSON_VALUES).map(lambda entry: json.dumps([entry])),
    st.text(max_size=12),
)
KEYS = [
    ("sessionStorage", QUEUE),
    ("localStorage", SENT),
    ("sessionStorage", ONCE_KEY),
    ("sessionStorage", DEBUG),
]


@pytest.mark.slow
@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(stored=st.dictionaries(st.sampled_from(KEYS), STORED_TEXT, min_size=1))
def test_any_value_under_the_bundle_s_keys_leaves_every_rule_working(storage_site, stored):
    CASE_COUNTS["storage values (test_hostile_page)"] = (
        CASE_COUNTS.get("storage values (test_hostile_page)", 0) + 1
    )
    page = storage_site.visit(ORIGIN + "/")
    try:
        check_rules_survive(page, stored)
    finally:
        page.close()


# Named access: these elements become document.<name> (and window.<id>) in every browser.
SHADOWS = "".join(
    f'<img name="{name}" alt="">'
    for name in (
        "addEventListener",
        "title",
        "readyState",
        "documentElement",
        "querySelector",
        "querySelectorAll",
        "cookie",
        "baseURI",
        "createElement",
        "getElementsByTagName",
    )
)
# A form whose controls shadow the form's own properties.
FORM = """<form class="contact" data-product="widget" action="/thanks">
  <input name="closest"><input name="matches"><input name="getAttribute">
  <input name="action"><input name="method"><input name="target"><input name="noValidate">
  <input name="textContent"><input name="hasAttribute">
  <button type="submit" id="send">Send</button></form>"""


def test_elements_named_like_document_properties_change_nothing(browser, bundle_of):
    context = browser.new_context()
    site = Site(context)
    bundle = bundle_of(
        "on view send 'title {title}'",
        "on view h1 send 'heading {text}'",
        "on click #buy send 'buy'",
        "on visible .promo send 'promo'",
        "on submit form.contact send 'lead - {attr:data-product}'",
    )
    site.add(
        "/",
        f"<title>Real title</title>{SHADOWS}<h1>Welcome</h1><button id=buy>buy</button>"
        f"<p class=promo>offer</p>{FORM}",
        bundle,
    )
    site.add("/thanks", "thanks")
    page = site.visit(ORIGIN + "/")
    assert sorted(map(json.dumps, wait_for_calls(page, 3))) == sorted(
        map(json.dumps, [value("title Real title"), value("heading Welcome"), value("promo")])
    )
    page.click("#buy")
    assert calls(page)[3:] == [value("buy")]
    # The submission leaves for /thanks (same site): its call is stored for the next page,
    # which has no bundle here, so it is read from storage.
    with page.expect_navigation(
        url=ORIGIN + "/thanks?closest=&matches=&getAttribute=&action="
        "&method=&target=&noValidate=&textContent=&hasAttribute="
    ):
        # Not page.click: Playwright's own checks call the form's getAttribute, shadowed here.
        page.evaluate("HTMLElement.prototype.click.call(document.getElementById('send'))")
    stored = json.loads(page.evaluate("sessionStorage.getItem('rtp-snippets queue')"))
    assert [entry[2] for entry in stored] == [value("lead - widget")]
    context.close()
    assert site.errors == []


def test_the_injected_rtp_tag_loads_rtp_js_whatever_the_page_names(browser):
    # Marketo's own tag calls document.createElement and getElementsByTagName, which
    # <img name="createElement"> shadows; ours reaches them through the prototypes.
    from rtp_snippets import RtpTag
    from rtp_snippets.render import build_rtp_tag

    tag = build_rtp_tag(RtpTag(account="561-HYG-937", script="//sjrtp.test/rtp-api/v1/rtp.js"))
    context = browser.new_context()
    requested = []
    context.route(
        "http://sjrtp.test/**",
        lambda route: (requested.append(route.request.url), route.fulfill(body="")),
    )
    site = Site(context)
    # The tag adds rtp.js as an async script while the page is parsed, which holds the
    # load event (where goto returns) until it has loaded.
    site.open("/", f"{SHADOWS}<script>{tag.code}</script>", spy=False)
    assert requested == ["http://sjrtp.test/rtp-api/v1/rtp.js?aid=561-HYG-937"]
    context.close()
    assert site.errors == []
