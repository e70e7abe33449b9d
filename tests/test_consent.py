"""Consent in real Chromium: each platform's browser API simulated as its documentation
describes it, in each state a visitor can be in (answered before, not yet answering,
granting, refusing, withdrawing), with the exact rtp calls and storage writes seen.

Each stub is set up by the page before the bundle, as a consent platform's script in
<head> would be, in the state named by the page's ?state= (granted, refused, undecided),
and offers cmp.set(granted) for what the visitor does in its banner later.
"""

from __future__ import annotations

import base64
import hashlib
import json
import tempfile
from pathlib import Path

import pytest

from rtp_snippets import RtpTag, load_rules
from rtp_snippets.render import build_bundle, build_rtp_tag
from support.browser import SPY, Site, wait_until

pytestmark = pytest.mark.browser

# A secure origin, as real sites are: cookieStore (the cookie platform's change event)
# exists only there.
ORIGIN = "https://rtp.test"

# Records every write to sessionStorage and localStorage as [storage, method, args...].
STORAGE_SPY = """
window.writes = [];
["setItem", "removeItem", "clear"].forEach(function (name) {
  var original = Storage.prototype[name];
  Storage.prototype[name] = function () {
    var storage = this === sessionStorage ? "session" : "local";
    writes.push([storage, name].concat(Array.from(arguments)));
    return original.apply(this, arguments);
  };
});
var state = new URLSearchParams(location.search).get("state") || "undecided";
"""

# OneTrust: OnetrustActiveGroups (",C0001,C0004,") and OneTrust.IsAlertBoxClosed() once
# its script has run; OneTrustGroupsUpdated on window whenever the groups are set.
ONETRUST = """
window.cmp = {
  set: function (granted) {
    OneTrust.closed = true;
    window.OnetrustActiveGroups = granted ? ",C0001,C0004," : ",C0001,";
    dispatchEvent(new CustomEvent("OneTrustGroupsUpdated",
      {detail: OnetrustActiveGroups.split(",").filter(Boolean)}));
  }
};
window.OneTrust = {
  closed: state != "undecided",
  IsAlertBoxClosed: function () { return this.closed; }
};
window.OnetrustActiveGroups = state == "granted" ? ",C0001,C0004," : ",C0001,";
"""

# Cookiebot: Cookiebot.consent.<category> and hasResponse; CookiebotOnAccept or
# CookiebotOnDecline on window when the visitor answers.
COOKIEBOT = """
window.Cookiebot = {
  consent: {necessary: true, preferences: false, statistics: false, marketing: state == "granted"},
  hasResponse: state != "undecided"
};
window.cmp = {
  set: function (granted) {
    Cookiebot.consent.marketing = granted;
    Cookiebot.hasResponse = true;
    dispatchEvent(new Event(granted ? "CookiebotOnAccept" : "CookiebotOnDecline"));
  }
};
"""

# IAB TCF v2: __tcfapi("addEventListener", 2, callback) calls back at once with the
# current TC data and again at every change; eventStatus "cmpuishown" while the
# dialogue is open without an answer, "tcloaded" for an earlier answer,
# "useractioncomplete" for a new one.
TCF = """
(function () {
  var listeners = [], id = 0;
  function data(granted, status) {
    return {tcfPolicyVersion: 4, gdprApplies: true, eventStatus: status, cmpStatus: "loaded",
            purpose: {consents: {1: granted, 2: true, 3: granted, 4: granted},
                      legitimateInterests: {}},
            vendor: {consents: {1234: granted}, legitimateInterests: {}}};
  }
  var current = state == "undecided" ? data(false, "cmpuishown")
    : data(state == "granted", "tcloaded");
  window.__tcfapi = function (command, version, callback) {
    if (command == "addEventListener") {
      var listener = {id: ++id, callback: callback};
      listeners.push(listener);
      callback(Object.assign({listenerId: listener.id}, current), true);
    }
  };
  window.cmp = {
    set: function (granted) {
      current = data(granted, "useractioncomplete");
      listeners.forEach(function (listener) {
        listener.callback(Object.assign({listenerId: listener.id}, current), true);
      });
    }
  };
})();
"""

# The site's own banner writing a cookie (re-checked through cookieStore's change event).
COOKIE = """
document.cookie = "site_consent=; max-age=0; path=/";
window.cmp = {
  set: function (granted) {
    var value = granted ? "necessary%2Cmarketing" : "necessary";
    document.cookie = "site_consent=" + value + "; path=/";
  }
};
if (state != "undecided") cmp.set(state == "granted");
"""

# The site's own banner setting a window flag and dispatching its own event on document.
FLAG = """
window.siteConsent = {
  marketing: state == "granted" ? true : state == "refused" ? false : undefined
};
window.cmp = {
  set: function (granted) {
    siteConsent.marketing = granted;
    document.dispatchEvent(new Event("site-consent-changed"));
  }
};
"""

PLATFORMS = {
    "onetrust": ("platform: onetrust\n  groups: C0004", ONETRUST),
    "cookiebot": ("platform: cookiebot\n  categories: marketing", COOKIEBOT),
    "tcf": ("platform: tcf\n  purposes: [1, 3, 4]\n  vendors: 1234", TCF),
    "cookie": ('platform: cookie\n  cookie: site_consent\n  value: "*marketing*"', COOKIE),
    "flag": (
        "platform: flag\n  flag: siteConsent.marketing\n  event: site-consent-changed",
        FLAG,
    ),
}

RULES = """
  - "on view send 'viewed'"
  - "on click #buy send 'buy'"
  - "on click #once send 'once' once session"
  - "on click #leave send 'leave'"
"""
BODY = (
    '<button id="buy">buy</button> <button id="once">once</button> '
    '<a id="leave" href="/next">next</a>'
)


def load_rules_text(text: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "rtp-rules.yml")
        path.write_text(text, encoding="utf-8")
        return load_rules(path)


def call(value: str) -> list:
    return ["send", "event", {"value": value}]


@pytest.fixture(params=sorted(PLATFORMS))
def platform(request):
    return request.param


@pytest.fixture
def consent_site(browser, rules_file, platform):
    """Pages / and /next with the storage spy, the platform's stub and the bundle."""
    settings, stub = PLATFORMS[platform]
    ruleset = load_rules(rules_file(f"consent:\n  {settings}\nrules:{RULES}"))
    bundle = build_bundle(ruleset)
    context = browser.new_context()
    site = Site(context, ORIGIN)
    for path in ("/", "/next"):
        site.add(path, f"<script>{STORAGE_SPY}{stub}</script>{BODY}", bundle)
    site.once_key = "rtp-snippets:" + ruleset.rules[2].key
    yield site
    context.close()
    assert site.errors == [], "console errors"


def visit(site, state: str, path: str = "/"):
    page = site.visit(f"{ORIGIN}{path}?state={state}")
    # Counts cookieStore's change events after the bundle has heard each (its listener
    # came first): see answer() and heard().
    page.evaluate(
        "window.expected = window.heard = 0; window.cookieStore &&"
        " cookieStore.addEventListener('change', () => heard++)"
    )
    return page


def answer(page, granted: bool) -> None:
    """The visitor answers in the banner (cmp.set). A platform that reads a cookie hears
    of it through cookieStore's change event, in a later task (see heard)."""
    page.evaluate(
        """granted => {
        const before = document.cookie;
        cmp.set(granted);
        if (document.cookie != before) expected++;
    }""",
        granted,
    )


def heard(page) -> None:
    """Wait until every answer has reached the bundle."""
    wait_until(page, "window.heard >= window.expected")


def calls(page) -> list:
    return page.evaluate("window.calls")


def writes(page) -> list:
    return page.evaluate("window.writes")


def test_consent_given_before_sends_at_once(consent_site):
    page = visit(consent_site, "granted")
    page.click("#buy")
    page.click("#once")
    assert calls(page) == [call("viewed"), call("buy"), call("once")]
    assert writes(page) == [
        ["session", "removeItem", "rtp-snippets queue"],
        ["session", "setItem", consent_site.once_key, 1],
    ]


def test_calls_before_consent_are_held_unstored_then_sent_in_order(consent_site):
    page = visit(consent_site, "undecided")
    page.click("#buy")
    page.click("#once")
    page.click("#buy")
    assert calls(page) == []
    assert writes(page) == []
    page.evaluate("cmp.set(true)")
    page.wait_for_function("window.calls.length == 4")
    assert calls(page) == [call("viewed"), call("buy"), call("once"), call("buy")]
    # Storage is touched only now that consent is granted: the queue of the last page is
    # taken (there is none), the once: session key is written.
    assert writes(page) == [
        ["session", "removeItem", "rtp-snippets queue"],
        ["session", "setItem", consent_site.once_key, 1],
    ]
    page.click("#once")
    page.click("#buy")
    assert calls(page)[4:] == [call("buy")]


def test_held_calls_are_dropped_when_consent_is_refused(consent_site):
    page = visit(consent_site, "undecided")
    page.click("#buy")
    answer(page, False)
    page.click("#buy")
    page.click("#once")
    heard(page)
    assert calls(page) == []
    assert writes(page) == []
    # A refused answer is final for the calls it dropped, not for later ones.
    answer(page, True)
    heard(page)  # until then the refusal stands: a click would be dropped
    page.click("#buy")
    page.wait_for_function("window.calls.length == 1")
    assert calls(page) == [call("buy")]


def test_nothing_is_sent_or_stored_when_consent_was_refused_before(consent_site):
    page = visit(consent_site, "refused")
    page.click("#buy")
    page.click("#once")
    assert calls(page) == []
    assert writes(page) == []


def test_withdrawn_consent_stops_sending_at_once(consent_site):
    page = visit(consent_site, "granted")
    page.click("#buy")
    answer(page, False)
    heard(page)
    page.click("#buy")
    page.click("#once")
    assert calls(page) == [call("viewed"), call("buy")]
    # Only the queue of the last page was taken, when consent was found; no once key.
    assert writes(page) == [["session", "removeItem", "rtp-snippets queue"]]


def test_a_page_left_before_consent_queues_nothing_for_the_next(consent_site):
    page = visit(consent_site, "undecided")
    with page.expect_navigation(url=f"{ORIGIN}/next"):
        page.click("#leave")
    assert page.evaluate("sessionStorage.length") == 0
    assert calls(page) == []


def test_a_page_left_with_consent_has_its_call_sent_by_the_next(consent_site):
    page = visit(consent_site, "granted")
    with page.expect_navigation(url=f"{ORIGIN}/next"):
        page.click("#leave")
    # /next is opened without ?state: its platform has no answer yet, so the queued call
    # waits in storage until consent is granted there.
    assert calls(page) == []
    assert page.evaluate("sessionStorage.getItem('rtp-snippets queue')") is not None
    page.evaluate("cmp.set(true)")
    page.wait_for_function("window.calls.length == 2")
    # As without consent, what the last page queued comes first.
    assert calls(page) == [call("leave"), call("viewed")]
    assert page.evaluate("sessionStorage.getItem('rtp-snippets queue')") is None


def _csp_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


def test_every_platform_runs_under_a_strict_content_security_policy(browser, rules_file, platform):
    # No eval, no new Function, no inline handlers: only the two hashed scripts run.
    settings, stub = PLATFORMS[platform]
    bundle = build_bundle(load_rules(rules_file(f"consent:\n  {settings}\nrules:{RULES}")))
    head = f"{SPY}{STORAGE_SPY}{stub}"
    policy = f"default-src 'none'; script-src {_csp_hash(head)} {bundle.csp_source}"
    context = browser.new_context()
    site = Site(context, ORIGIN)
    site.add("/", BODY, bundle, spy=False, headers={"content-security-policy": policy})
    site.pages["/"] = (
        site.pages["/"][0].replace("<head>", f"<head><script>{head}</script>"),
        site.pages["/"][1],
    )
    page = site.visit(f"{ORIGIN}/?state=undecided")
    page.click("#buy")
    page.evaluate("cmp.set(true)")
    wait_until(page, "window.calls.length == 2")
    assert calls(page) == [call("viewed"), call("buy")]
    context.close()
    assert site.errors == []


def test_the_injected_rtp_tag_loads_rtp_js_only_once_consent_is_granted(browser, platform):
    settings, stub = PLATFORMS[platform]
    consent = load_rules_text(f"consent:\n  {settings}\nrules: []\n").consent
    tag = build_rtp_tag(
        RtpTag(account="123", script="//rtp.test/rtp-api/v1/rtp.js"), consent=consent
    )
    context = browser.new_context()
    site = Site(context, ORIGIN)
    fetched = []
    context.route(
        "https://rtp.test/rtp-api/v1/rtp.js?aid=123",
        lambda route: (
            fetched.append(1),
            route.fulfill(
                status=200,
                body="window.loaded = rtp.q.length;",
                headers={"content-type": "text/javascript"},
            ),
        ),
    )
    site.pages["/"] = (
        f"<!doctype html><html><head><script>{STORAGE_SPY}{stub}</script>"
        f"<script>{tag.code}</script></head><body>page</body></html>",
        {},
    )
    page = site.visit(f"{ORIGIN}/?state=undecided")
    assert page.evaluate("rtp.q.length") == 2  # the tag's page view and campaign call wait
    # The tag has looked for consent by the load event, where goto returned: no script
    # asks for rtp.js, so no request for it can still be on its way.
    assert page.evaluate("document.querySelectorAll('script[src*=rtp-api]').length") == 0
    assert fetched == []
    page.evaluate("cmp.set(true)")
    page.wait_for_function("window.loaded == 2")  # rtp.js found both calls in the queue
    assert fetched == [1]
    assert page.evaluate("window.writes") == []
    context.close()
    assert site.errors == []


@pytest.fixture
def tcf_site(browser, rules_file):
    """An empty site on ORIGIN, and the bundle of RULES with TCF consent."""
    rules = rules_file(f"consent:\n  {PLATFORMS['tcf'][0]}\nrules:{RULES}")
    context = browser.new_context()
    site = Site(context, ORIGIN)
    yield site, build_bundle(load_rules(rules))
    context.close()
    assert site.errors == []


def test_a_tcf_stub_that_comes_after_the_bundle_is_found(tcf_site):
    site, bundle = tcf_site
    # The CMP's script at the end of the body, after the bundle: found at DOMContentLoaded.
    site.add("/", BODY, bundle)
    html, headers = site.pages["/"]
    cmp = f"<script>var state = 'granted'; {TCF}</script>"
    site.pages["/"] = (html.replace("</body>", cmp + "</body>"), headers)
    page = site.visit(f"{ORIGIN}/")
    page.wait_for_function("window.calls.length == 1")
    assert calls(page) == [call("viewed")]


def test_tcf_where_gdpr_does_not_apply_counts_as_granted(tcf_site):
    site, bundle = tcf_site
    no_gdpr = TCF.replace("gdprApplies: true", "gdprApplies: false")
    site.add("/", f"<script>{STORAGE_SPY}{no_gdpr}</script>{BODY}", bundle)
    page = site.visit(f"{ORIGIN}/?state=undecided")
    assert calls(page) == []  # the dialogue is shown: no answer yet
    page.evaluate("cmp.set(false)")  # answered; consents do not matter without GDPR
    assert calls(page) == [call("viewed")]


# --- IAB TCF v2 with the IAB's own CMP API (tests/vendor/iabtcf) -----------------------

VENDOR = Path(__file__).parent / "vendor" / "iabtcf"
# A Global Vendor List with the 11 purposes and one vendor, 1234, for purposes 1, 3 and 4.
VENDOR_LIST = {
    "gvlSpecificationVersion": 3,
    "vendorListVersion": 1,
    "tcfPolicyVersion": 4,
    "lastUpdated": "2026-01-01T00:00:00Z",
    "purposes": {
        str(number): {
            "id": number,
            "name": f"purpose {number}",
            "description": "",
            "illustrations": [],
        }
        for number in range(1, 12)
    },
    "specialPurposes": {},
    "features": {},
    "specialFeatures": {},
    "stacks": {},
    "dataCategories": {},
    "vendors": {
        "1234": {
            "id": 1234,
            "name": "vendor",
            "purposes": [1, 3, 4],
            "legIntPurposes": [],
            "flexiblePurposes": [],
            "specialPurposes": [],
            "features": [],
            "specialFeatures": [],
            "urls": [],
            "usesCookies": True,
            "cookieMaxAgeSeconds": 1,
            "cookieRefresh": False,
            "usesNonCookieAccess": False,
        }
    },
}
# The CMP: the stub in <head> (so the bundle's call is queued), the CMP API loaded after
# the bundle; answer(consents) encodes a TC string as a CMP would and hands it over;
# the page's ?tc= is the TC string a returning visitor's CMP starts with ("" = GDPR
# applies and the dialogue is shown, "none" = GDPR does not apply).
IAB_CMP = """
window.cmp = new iabtcf.CmpApi(10, 1, false);
function encode(consents) {
  var model = new iabtcf.TCModel(new iabtcf.GVL(VENDOR_LIST));
  model.cmpId = 10;
  model.cmpVersion = 1;
  if (consents) {
    model.purposeConsents.set([1, 3, 4]);
    model.vendorConsents.set(1234);
  }
  return iabtcf.TCString.encode(model);
}
window.answer = function (consents) { cmp.update(encode(consents), false); };
var start = new URLSearchParams(location.search).get("tc");
if (start == "none") cmp.update(null, false);
else if (start) cmp.update(encode(start == "granted"), false);
else cmp.update("", true);
"""


@pytest.fixture
def iab_page(browser, rules_file):
    """Opens / with the IAB's stub and CMP API around the bundle: iab_page(tc)."""
    rules = rules_file(f"consent:\n  {PLATFORMS['tcf'][0]}\nrules:{RULES}")
    bundle = build_bundle(load_rules(rules))
    context = browser.new_context()
    site = Site(context, ORIGIN)
    stub = (VENDOR / "stub.js").read_text(encoding="utf-8")
    library = (VENDOR / "cmpapi-core.js").read_text(encoding="utf-8")
    vendor_list = f"window.VENDOR_LIST = {json.dumps(VENDOR_LIST)};"
    site.add("/", BODY, bundle)
    html, headers = site.pages["/"]
    html = html.replace("<head>", f"<head><script>{STORAGE_SPY}</script><script>{stub}</script>")
    html = html.replace(
        "</body>", f"<script>{library}</script><script>{vendor_list}{IAB_CMP}</script></body>"
    )
    site.pages["/"] = (html, headers)
    yield lambda tc="": site.visit(f"{ORIGIN}/?tc={tc}")
    context.close()
    assert site.errors == []


def test_iab_cmp_undecided_then_granted_sends_the_held_calls_in_order(iab_page):
    page = iab_page()
    page.click("#buy")
    page.click("#once")
    assert calls(page) == []
    assert writes(page) == []
    page.evaluate("answer(true)")
    assert calls(page) == [call("viewed"), call("buy"), call("once")]


def test_iab_cmp_refused_drops_and_withdrawn_stops(iab_page):
    page = iab_page()
    page.click("#buy")
    page.evaluate("answer(false)")
    page.click("#buy")
    assert calls(page) == []
    assert writes(page) == []
    page.evaluate("answer(true)")
    page.click("#buy")
    assert calls(page) == [call("buy")]
    page.evaluate("answer(false)")  # withdrawn
    page.click("#buy")
    assert calls(page) == [call("buy")]


def test_iab_cmp_a_returning_visitors_answer_is_used_at_once(iab_page):
    granted = iab_page("granted")
    granted.click("#buy")
    assert calls(granted) == [call("viewed"), call("buy")]
    refused = iab_page("refused")
    refused.click("#buy")
    assert calls(refused) == []
    without_gdpr = iab_page("none")
    without_gdpr.click("#buy")
    assert calls(without_gdpr) == [call("viewed"), call("buy")]
