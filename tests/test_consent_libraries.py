"""Consent with the real open-source banners, in Chromium, and consent that page markup or
a JSON cookie cannot grant.

vanilla-cookieconsent 3.1 and Klaro 0.7 are the browser builds from npm, vendored in
tests/vendor/ with their licences; each test clicks the banner's own buttons (or calls
its documented API where the issue is what a script does) and checks the exact rtp calls
and every write to sessionStorage and localStorage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rtp_snippets import load_rules
from rtp_snippets.render import build_bundle
from support.browser import SPY, STORAGE_SPY, Site, timers_run, wait_until

pytestmark = pytest.mark.browser

ORIGIN = "https://rtp.test"
VENDOR = Path(__file__).parent / "vendor"
RULES = """
  - "on view send 'viewed'"
  - "on click #buy send 'buy'"
  - "on click #leave send 'leave'"
"""
BODY = '<h1>Shop</h1><button id="buy">buy</button> <a id="leave" href="/next">next</a>'
TYPES = {".js": "text/javascript", ".css": "text/css"}


def call(value: str) -> list:
    return ["send", "event", {"value": value}]


class Banner:
    """Pages / and /next with the storage spy, the rtp spy, a banner and the bundle."""

    def __init__(self, browser, rules_file, consent: str, head: str, body: str = ""):
        ruleset = load_rules(rules_file(f"consent:\n{consent}\nrules:{RULES}"))
        bundle = build_bundle(ruleset)
        self.context = browser.new_context()
        self.site = Site(self.context, ORIGIN)
        self.context.route(f"{ORIGIN}/vendor/**", self._vendor)  # the last route comes first
        self.context.add_init_script(COOKIES_HEARD)
        self.warnings: list[str] = []
        for path in ("/", "/next"):
            self.site.pages[path] = (
                f"<!doctype html><html><head><meta charset=utf-8><script>{SPY}{STORAGE_SPY}"
                f"</script>{head}</head><body>{BODY}{body}<script>{bundle.code}</script>"
                "</body></html>",
                {},
            )

    def _vendor(self, route):
        path = VENDOR / route.request.url[len(ORIGIN) + len("/vendor/") :]
        route.fulfill(
            status=200, body=path.read_bytes(), headers={"content-type": TYPES[path.suffix]}
        )

    def visit(self, path: str = "/"):
        page = self.site.visit(ORIGIN + path)
        page.on(
            "console",
            lambda message: message.type == "warning" and self.warnings.append(message.text),
        )
        page.wait_for_load_state("load")
        return page

    def close(self):
        self.context.close()
        assert self.site.errors == [], "console errors"


def calls(page) -> list:
    return page.evaluate("window.calls")


def writes(page) -> list:
    """The writes to storage, but the banners' own."""
    return [
        write
        for write in page.evaluate("window.writes")
        if len(write) < 3 or "rtp-snippets" in write[2]
    ]


# The cookies as they were after the last cookieStore change event, noted in a task after
# the event (so after every listener of the page, the bundle's included).
COOKIES_HEARD = """window.cookiesHeard = document.cookie;
window.cookieStore && cookieStore.addEventListener("change", function () {
  setTimeout(function () { cookiesHeard = document.cookie; });
});"""


def settle(page):
    """Wait until the bundle has heard of every cookie written (the cookie platform reads
    cookieStore's change event, which comes in a later task) and the timers set for now
    have run."""
    wait_until(page, "window.cookiesHeard == document.cookie")
    timers_run(page)


# --- vanilla-cookieconsent 3.1 ---------------------------------------------------------

# Its documented set-up: categories, and the texts of its two dialogs, run once the
# document is parsed (its guide loads the configuration as a module script, which runs
# then). Playwright's browser says it is automated (navigator.webdriver), so the banner
# must be told not to hide from bots.
COOKIECONSENT = """<link rel="stylesheet" href="/vendor/cookieconsent/cookieconsent.css">
<script src="/vendor/cookieconsent/cookieconsent.umd.js"></script>
<script>
addEventListener("DOMContentLoaded", () => CookieConsent.run({
  hideFromBots: false,
  categories: {necessary: {enabled: true, readOnly: true}, analytics: {}, marketing: {}},
  language: {default: "en", translations: {en: {
    consentModal: {title: "Cookies", description: "We use cookies.", acceptAllBtn: "Accept all",
                   acceptNecessaryBtn: "Reject all", showPreferencesBtn: "Manage preferences"},
    preferencesModal: {title: "Preferences", acceptAllBtn: "Accept all",
                       acceptNecessaryBtn: "Reject all", savePreferencesBtn: "Save preferences",
                       closeIconLabel: "Close", sections: [
                         {title: "Necessary", linkedCategory: "necessary"},
                         {title: "Analytics", linkedCategory: "analytics"},
                         {title: "Marketing", linkedCategory: "marketing"}]}}}}
}));
</script>"""


@pytest.fixture(params=["platform", "cookie field"])
def cookieconsent(request, browser, rules_file):
    """The cookieconsent platform, and the cookie platform reading cc_cookie's categories."""
    consent = {
        "platform": "  platform: cookieconsent\n  categories: marketing",
        "cookie field": "  platform: cookie\n  cookie: cc_cookie\n  field: categories\n"
        "  value: marketing",
    }[request.param]
    banner = Banner(browser, rules_file, consent, COOKIECONSENT)
    yield banner
    banner.close()


def consent_modal(page, button: str):
    page.click(f"#cc-main .cm__btn >> text={button}")


def preferences(page, **categories: bool):
    """Choose categories in the preferences dialog and save them."""
    page.evaluate("CookieConsent.showPreferences()")
    for name, on in categories.items():
        box = page.locator(f"#cc-main input.section__toggle[value={name}]")
        if box.is_checked() != on:
            box.locator("xpath=..").click()
    page.click("#cc-main .pm__btn >> text=Save preferences")


def test_cookieconsent_no_choice_sends_and_stores_nothing(cookieconsent):
    page = cookieconsent.visit()
    page.click("#buy")
    settle(page)
    assert calls(page) == []
    assert writes(page) == []


def test_cookieconsent_accept_all_sends_the_held_calls_in_order(cookieconsent):
    page = cookieconsent.visit()
    page.click("#buy")
    consent_modal(page, "Accept all")
    wait_until(page, "window.calls.length == 2")
    page.click("#buy")
    assert calls(page) == [call("viewed"), call("buy"), call("buy")]


def test_cookieconsent_reject_all_drops_the_held_calls(cookieconsent):
    page = cookieconsent.visit()
    page.click("#buy")
    consent_modal(page, "Reject all")
    page.click("#buy")
    settle(page)
    assert calls(page) == []
    assert writes(page) == []


@pytest.mark.parametrize(
    "chosen, granted",
    [
        ({"analytics": True, "marketing": False}, False),
        ({"analytics": False, "marketing": True}, True),
    ],
)
def test_cookieconsent_accept_some(cookieconsent, chosen, granted):
    page = cookieconsent.visit()
    page.click("#buy")
    page.click("#cc-main .cm__btn >> text=Manage preferences")
    preferences(page, **chosen)
    settle(page)
    assert calls(page) == ([call("viewed"), call("buy")] if granted else [])


def test_cookieconsent_change_of_mind(cookieconsent):
    page = cookieconsent.visit()
    consent_modal(page, "Accept all")
    wait_until(page, "window.calls.length == 1")
    preferences(page, marketing=False)
    settle(page)
    page.click("#buy")
    settle(page)
    assert calls(page) == [call("viewed")]
    preferences(page, marketing=True)
    settle(page)
    page.click("#buy")
    wait_until(page, "window.calls.length == 2")
    assert calls(page) == [call("viewed"), call("buy")]


@pytest.mark.parametrize(
    "button, sent", [("Accept all", [call("leave"), call("viewed")]), ("Reject all", [])]
)
def test_cookieconsent_returning_visitor(cookieconsent, button, sent):
    page = cookieconsent.visit()
    consent_modal(page, button)
    settle(page)
    with page.expect_navigation(url=f"{ORIGIN}/next"):
        page.click("#leave")
    page.wait_for_load_state("load")
    settle(page)
    assert calls(page) == sent


# --- Klaro 0.7 --------------------------------------------------------------------------


def klaro_config(default: bool) -> str:
    config = {
        "acceptAll": True,
        "services": [
            {
                "name": "marketing-tool",
                "title": "Marketing tool",
                "purposes": ["marketing"],
                "default": default,
            },
            {"name": "stats", "title": "Statistics", "purposes": ["analytics"]},
        ],
    }
    return (
        f"<script>window.klaroConfig = {json.dumps(config)};</script>"
        '<script src="/vendor/klaro/klaro.js"></script>'
    )


@pytest.fixture(params=[False, True], ids=["default-off", "default-on"])
def klaro(request, browser, rules_file):
    banner = Banner(
        browser,
        rules_file,
        "  platform: klaro\n  services: marketing-tool",
        klaro_config(request.param),
    )
    yield banner
    banner.close()


def test_klaro_no_choice_sends_and_stores_nothing(klaro):
    # Also with the service on by default: nothing is granted before the visitor saves.
    page = klaro.visit()
    page.click("#buy")
    settle(page)
    assert calls(page) == []
    assert writes(page) == []


def test_klaro_accept_all_sends_the_held_calls_in_order(klaro):
    page = klaro.visit()
    page.click("#buy")
    page.click("#klaro .cm-btn-success")
    wait_until(page, "window.calls.length == 2")
    page.click("#buy")
    assert calls(page) == [call("viewed"), call("buy"), call("buy")]


def test_klaro_decline_drops_the_held_calls(klaro):
    page = klaro.visit()
    page.click("#buy")
    page.click("#klaro .cn-decline")
    page.click("#buy")
    settle(page)
    assert calls(page) == []
    assert writes(page) == []


@pytest.mark.parametrize(
    "services, granted",
    [
        ({"marketing-tool": False, "stats": True}, False),
        ({"marketing-tool": True, "stats": False}, True),
    ],
)
def test_klaro_accept_some(klaro, services, granted):
    page = klaro.visit()
    page.click("#buy")
    # A switch changed but not saved grants nothing.
    page.evaluate(
        "(services) => { var manager = klaro.getManager();"
        " for (var name in services) manager.updateConsent(name, services[name]); }",
        services,
    )
    settle(page)
    assert calls(page) == []
    page.evaluate("klaro.getManager().saveAndApplyConsents()")
    settle(page)
    assert calls(page) == ([call("viewed"), call("buy")] if granted else [])


def test_klaro_change_of_mind(klaro):
    page = klaro.visit()
    page.click("#klaro .cm-btn-success")
    wait_until(page, "window.calls.length == 1")
    page.evaluate(
        "var m = klaro.getManager(); m.updateConsent('marketing-tool', false);"
        " m.saveAndApplyConsents()"
    )
    settle(page)
    page.click("#buy")
    settle(page)
    assert calls(page) == [call("viewed")]
    page.evaluate(
        "var m = klaro.getManager(); m.updateConsent('marketing-tool', true);"
        " m.saveAndApplyConsents()"
    )
    page.click("#buy")
    wait_until(page, "window.calls.length == 2")
    assert calls(page) == [call("viewed"), call("buy")]


@pytest.mark.parametrize(
    "button, sent", [(".cm-btn-success", [call("leave"), call("viewed")]), (".cn-decline", [])]
)
def test_klaro_returning_visitor(klaro, button, sent):
    page = klaro.visit()
    page.click(f"#klaro {button}")
    settle(page)
    with page.expect_navigation(url=f"{ORIGIN}/next"):
        page.click("#leave")
    page.wait_for_load_state("load")
    settle(page)
    assert calls(page) == sent


# --- A glob over a cookie whose value is JSON --------------------------------------------


def test_a_glob_over_a_json_cookie_never_grants_and_warns_once(browser, rules_file):
    # The README once showed value: "*marketing*"; vanilla-cookieconsent's cookie after
    # "Reject all" still holds the word marketing (its services list).
    banner = Banner(
        browser,
        rules_file,
        '  platform: cookie\n  cookie: cc_cookie\n  value: "*marketing*"',
        COOKIECONSENT,
    )
    page = banner.visit()
    consent_modal(page, "Reject all")
    page.click("#buy")
    settle(page)
    assert "marketing" in page.evaluate("decodeURIComponent(document.cookie)")
    assert calls(page) == []
    page.evaluate("CookieConsent.acceptCategory('all')")
    page.click("#buy")
    settle(page)
    assert calls(page) == []  # not even after "accept all": a glob cannot read JSON
    assert writes(page) == []
    assert [text for text in banner.warnings if text.startswith("rtp-snippets:")] == [
        "rtp-snippets: the consent cookie cc_cookie holds JSON, which a value glob cannot "
        "read: name its field (consent: field)"
    ]
    banner.close()


# --- A flag that page markup sets ----------------------------------------------------------


@pytest.mark.parametrize(
    "markup, flag, granted",
    [
        # The site's own banner, a form whose checkbox is named marketing, unchecked.
        (
            '<form id="siteConsent"><input type="checkbox" name="marketing"></form>',
            "siteConsent.marketing",
            False,
        ),
        ('<h2 id="marketingConsent">Marketing consent</h2>', "marketingConsent", False),
        ('<img name="siteConsent" src="data:,">', "siteConsent", False),
        ('<iframe name="siteConsent"></iframe>', "siteConsent", False),
        (
            '<form id="siteConsent"><input type="checkbox" name="marketing" checked></form>',
            "siteConsent.marketing.checked",
            False,
        ),
        ("<script>var siteConsent = {marketing: true};</script>", "siteConsent.marketing", True),
        ("<script>window.marketingConsent = true;</script>", "marketingConsent", True),
        ('<script>window.marketingConsent = "yes";</script>', "marketingConsent", False),
        ('<script>window.marketingConsent = "false";</script>', "marketingConsent", False),
        ("<script>window.marketingConsent = 1;</script>", "marketingConsent", False),
        ("<script>window.marketingConsent = function () {};</script>", "marketingConsent", False),
        ("<script>window.marketingConsent = {};</script>", "marketingConsent", False),
        ("<script>window.marketingConsent = window;</script>", "marketingConsent", False),
        ("<script>window.marketingConsent = document.body;</script>", "marketingConsent", False),
        # A script's own value wins over an element of the same name, as in the browser.
        (
            '<h2 id="marketingConsent">x</h2><script>window.marketingConsent = true;</script>',
            "marketingConsent",
            True,
        ),
    ],
)
def test_only_true_set_by_the_site_s_script_grants_a_flag(
    browser, rules_file, markup, flag, granted
):
    banner = Banner(browser, rules_file, f"  platform: flag\n  flag: {flag}", "", markup)
    page = banner.visit()
    page.click("#buy")
    settle(page)
    assert calls(page) == ([call("viewed"), call("buy")] if granted else [])
    if not granted:
        assert writes(page) == []
    banner.close()


# --- Under a strict Content-Security-Policy, and the injected RTP tag ----------------------


@pytest.mark.parametrize(
    "consent, head, accept",
    [
        (
            "  platform: cookieconsent\n  categories: marketing",
            COOKIECONSENT,
            "CookieConsent.acceptCategory('all')",
        ),
        (
            "  platform: cookie\n  cookie: cc_cookie\n  field: categories\n  value: marketing",
            COOKIECONSENT,
            "CookieConsent.acceptCategory('all')",
        ),
        (
            "  platform: klaro\n  services: marketing-tool",
            klaro_config(False),
            "var m = klaro.getManager(); m.changeAll(true); m.saveAndApplyConsents()",
        ),
    ],
    ids=["cookieconsent", "cookie field", "klaro"],
)
def test_the_new_platforms_run_under_a_strict_content_security_policy(
    browser, rules_file, consent, head, accept
):
    import base64
    import hashlib
    import re

    def sha(code: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"

    banner = Banner(browser, rules_file, consent, head)
    html, _ = banner.site.pages["/"]
    inline = re.findall(r"<script>(.*?)</script>", html, re.S)
    policy = "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' " + " ".join(
        sha(code) for code in inline
    )
    banner.site.pages["/"] = (html, {"content-security-policy": policy})
    page = banner.visit()
    page.click("#buy")
    settle(page)
    assert calls(page) == []
    page.evaluate(f"() => {{ {accept} }}")
    wait_until(page, "window.calls.length == 2")
    assert calls(page) == [call("viewed"), call("buy")]
    banner.close()


def test_the_injected_rtp_tag_waits_for_vanilla_cookieconsent(browser, rules_file):
    from rtp_snippets import RtpTag
    from rtp_snippets.render import build_rtp_tag

    consent = load_rules(
        rules_file("consent:\n  platform: cookieconsent\n  categories: marketing\nrules: []\n")
    ).consent
    tag = build_rtp_tag(
        RtpTag(account="123", script="//rtp.test/rtp-api/v1/rtp.js"), consent=consent
    )
    banner = Banner(
        browser,
        rules_file,
        "  platform: cookieconsent\n  categories: marketing",
        f"<script>{tag.code}</script>{COOKIECONSENT}",
    )
    fetched = []
    banner.context.route(
        "https://rtp.test/rtp-api/v1/rtp.js?aid=123",
        lambda route: (
            fetched.append(1),
            route.fulfill(
                status=200, body="window.loaded = 1;", headers={"content-type": "text/javascript"}
            ),
        ),
    )
    page = banner.visit()
    settle(page)
    assert fetched == []
    consent_modal(page, "Reject all")
    settle(page)
    assert fetched == []
    preferences(page, marketing=True)
    wait_until(page, "window.loaded == 1")
    assert fetched == [1]
    banner.close()
