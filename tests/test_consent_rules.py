"""The consent: section: loading (YAML, Python), its errors, the JSON Schema, check --site.

What the bundle does with it in a browser is in test_consent.py.
"""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from rtp_snippets import Consent, RtpTag, RulesError, load_rules
from rtp_snippets.inject import script_block
from rtp_snippets.model import CONSENT_SCRIPT
from rtp_snippets.render import build_rtp_tag
from rtp_snippets.schema import rules_schema
from rtp_snippets.site import inject_site
from support.cli import run
from support.files import write_site

RULES = "rules:\n  - \"on click a send 'x'\"\n"

VALID = {
    "platform: onetrust\n  groups: C0004": Consent(platform="onetrust", groups=("C0004",)),
    "platform: onetrust\n  groups: [C0002, C0004]": Consent(
        platform="onetrust", groups=("C0002", "C0004")
    ),
    "platform: cookiebot\n  categories: [statistics, marketing]": Consent(
        platform="cookiebot", categories=("statistics", "marketing")
    ),
    "platform: tcf\n  purposes: [1, 3]\n  vendors: 1234": Consent(
        platform="tcf", purposes=(1, 3), vendors=(1234,)
    ),
    "platform: tcf\n  vendors: [1234]": Consent(platform="tcf", vendors=(1234,)),
    "platform: cookie\n  cookie: cc\n  value: '*marketing*'\n  event: cc-saved": Consent(
        platform="cookie", cookie="cc", value="*marketing*", event="cc-saved"
    ),
    "platform: flag\n  flag: siteConsent.ads\n  script: script#cmp": Consent(
        platform="flag", flag="siteConsent.ads", script="script#cmp"
    ),
    "platform: cookieconsent\n  categories: [marketing, ads_personal]": Consent(
        platform="cookieconsent", categories=("marketing", "ads_personal")
    ),
    "platform: klaro\n  services: google-ads": Consent(platform="klaro", services=("google-ads",)),
    "platform: cookie\n  cookie: cc_cookie\n  field: categories\n  value: marketing": Consent(
        platform="cookie", cookie="cc_cookie", field="categories", value="marketing"
    ),
    "platform: cookie\n  cookie: site\n  field: consent.ads": Consent(
        platform="cookie", cookie="site", field="consent.ads"
    ),
}

# A consent section, and the (line, column, message start) of each error the loader gives.
INVALID = {
    "platform: usercentrics": [(2, 13, "unknown consent platform 'usercentrics'")],
    "groups: C0004": [(2, 3, "'consent:' needs a platform")],
    "platform: onetrust": [(2, 3, "onetrust needs groups")],
    "platform: onetrust\n  groups: 'C0004,C0002'": [
        (3, 12, "'C0004,C0002' is not a OneTrust group id")
    ],
    "platform: cookiebot\n  categories: ads": [(3, 15, "'ads' is not a Cookiebot category")],
    "platform: tcf": [(2, 3, "tcf needs purposes (1 to 11) or vendors")],
    "platform: tcf\n  purposes: [1, 12, 1]": [
        (3, 13, "purposes lists a value twice"),
        (3, 17, "12 is not a TCF purpose"),
    ],
    "platform: cookie\n  cookie: cc\n  value: 'a;b'": [(4, 11, "a cookie value cannot hold")],
    # Inside quotes, the column is the value's first character.
    "platform: flag\n  flag: 'window[\"x\"]'": [(3, 10, "flag is a window property")],
    "platform: flag\n  flag: ok\n  groups: C0004": [(4, 11, "'groups' is not a flag setting")],
    "platform: flag\n  flag: ok\n  event: 'a b'": [(4, 11, "event is a DOM event name")],
    "platform: onetrust\n  groups: C1\n  script: 'script[src'": [(4, 18, "invalid CSS selector")],
    "platform: onetrust\n  groups: C1\n  plaform: x": [(4, 3, "unknown key 'plaform'")],
    "[onetrust]": [(1, 10, "'consent:' is a mapping")],
    "platform: cookieconsent": [(2, 3, "cookieconsent needs categories")],
    "platform: cookieconsent\n  categories: 'a b'": [(3, 16, "'a b' is not a category")],
    "platform: klaro\n  categories: ads": [
        (2, 3, "klaro needs services"),
        (3, 15, "'categories' is not a klaro setting; klaro takes services"),
    ],
    "platform: cookie\n  cookie: cc": [(2, 3, "value is a glob for the cookie's value")],
    "platform: cookie\n  cookie: cc\n  field: 'a..b'\n  value: x": [
        (4, 11, "field names a field of the cookie's JSON value")
    ],
    "platform: flag\n  flag: ok\n  services: x": [(4, 13, "'services' is not a flag setting")],
}


def rules_text(consent: str) -> str:
    return (
        f"consent:\n  {consent}\n{RULES}"
        if not consent.startswith("[")
        else (f"consent: {consent}\n{RULES}")
    )


@pytest.mark.parametrize("consent", VALID)
def test_each_platform_loads(rules_file, consent):
    ruleset = load_rules(rules_file(rules_text(consent)))
    assert ruleset.consent == VALID[consent]
    assert ruleset.consent.source.line == 2


@pytest.mark.parametrize("consent", INVALID)
def test_errors_name_the_place_and_what_to_write(rules_file, consent):
    with pytest.raises(RulesError) as raised:
        load_rules(rules_file(rules_text(consent)))
    found = [
        (error.position.line, error.position.column, error.message) for error in raised.value.errors
    ]
    for (line, column, start), (got_line, got_column, message) in zip(
        INVALID[consent], found, strict=True
    ):
        assert (got_line, got_column) == (line, column), message
        assert start in message, message


def test_a_python_rules_file_sets_consent(tmp_path):
    path = tmp_path / "rules.py"
    path.write_text(
        "from rtp_snippets import Consent, Rule\n"
        "consent = Consent(platform='cookiebot', categories='marketing')\n"
        "rules = [Rule(event='view', send='x')]\n"
    )
    consent = load_rules(path).consent
    assert consent == Consent(platform="cookiebot", categories=("marketing",))
    assert (consent.source.file, consent.source.line) == (str(path), 2)  # for check's warning
    path.write_text("consent = 'C0004'\nrules = []\n")
    with pytest.raises(RulesError, match="must be an rtp_snippets.Consent") as raised:
        load_rules(path)
    assert raised.value.errors[0].position.line == 1


def test_the_schema_agrees_with_the_loader(rules_file):
    validator = jsonschema.Draft202012Validator(rules_schema())
    for consent in VALID:
        assert validator.is_valid(yaml.safe_load(rules_text(consent))), consent
    for consent in INVALID:
        if "script[src" in consent:
            continue  # selectors are judged by the loader only (the schema says so)
        assert not validator.is_valid(yaml.safe_load(rules_text(consent))), consent


def test_the_consent_script_is_asked_of_every_page_under_its_own_key(rules_file):
    ruleset = load_rules(rules_file(rules_text("platform: onetrust\n  groups: C0004")))
    selectors, *_ = ruleset.page_selectors("/index.html")
    assert selectors[CONSENT_SCRIPT].startswith('script[src*="otSDKStub.js" i]')
    flag = load_rules(rules_file(rules_text("platform: flag\n  flag: ok")))
    assert CONSENT_SCRIPT not in flag.page_selectors("/index.html")[0]


ONETRUST_SCRIPT = (
    '<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js" '
    'data-domain-script="x"></script>'
)


def page(head: str = "") -> str:
    return f"<html><head>{head}</head><body><a href=/>home</a></body></html>"


def test_check_site_names_the_pages_without_the_platforms_script(tmp_path):
    rules = rules_text("platform: onetrust\n  groups: C0004")
    site = write_site(
        tmp_path,
        {"index.html": page(ONETRUST_SCRIPT), "a.html": page(), "b/index.html": page()},
        rules,
    )
    rules_path = tmp_path / "rtp-rules.yml"
    result = run("check", rules_path, "--site", site)
    assert result.exit_code == 0  # a warning
    assert (
        'Consent platform script (script[src*="otSDKStub.js" i], script[src*="otBannerSdk.js" i])'
        " on 3 pages: missing on 2 pages (e.g. /a.html, /b/index.html)"
    ) in result.stdout
    assert f"{rules_path}:2:3: warning: 2 pages have no onetrust script" in result.stderr
    assert run("check", rules_path, "--site", site, "--strict").exit_code == 1
    report = json.loads(run("check", rules_path, "--site", site, "--json").stdout)
    assert report["consent_script"]["missing"] == {
        "count": 2,
        "examples": ["/a.html", "/b/index.html"],
    }
    # The rule's own coverage does not count the consent script's matches.
    assert [rule["elements"] for rule in report["rules"]] == [3]


def test_check_site_looks_for_the_script_the_rules_file_names(tmp_path):
    rules = rules_text("platform: flag\n  flag: ok\n  script: script#site-consent")
    site = write_site(
        tmp_path,
        {"index.html": page('<script id="site-consent"></script>'), "a.html": page()},
        rules,
    )
    rules_path = tmp_path / "rtp-rules.yml"
    result = run("check", rules_path, "--site", site)
    assert "(script#site-consent) on 2 pages: missing on 1 page (e.g. /a.html)" in result.stdout
    # Without a script to look for (flag, tcf, cookie), check says nothing of it.
    rules_path.write_text(rules_text("platform: flag\n  flag: ok"))
    result = run("check", rules_path, "--site", site)
    assert "Consent platform script" not in result.stdout
    assert result.stderr == ""


def test_inject_with_prune_and_consent_keeps_the_rules_that_match(tmp_path):
    rules = rules_text("platform: onetrust\n  groups: C0004")
    site = write_site(tmp_path, {"index.html": page(ONETRUST_SCRIPT), "a.html": page()}, rules)
    ruleset = load_rules(tmp_path / "rtp-rules.yml")
    report = inject_site(site, ruleset, prune=True)
    assert len(report.bundles) == 1
    block = script_block(report.bundles[0])
    assert block in (site / "index.html").read_text()
    assert block in (site / "a.html").read_text()


def test_the_rtp_tag_without_consent_is_unchanged_and_with_it_waits():
    tag = RtpTag(account="123", script="//rtp.example/rtp-api/v1/rtp.js")
    plain = build_rtp_tag(tag)
    waiting = build_rtp_tag(tag, consent=Consent(platform="onetrust", groups="C0004"))
    assert plain.code.count("createElement") == waiting.code.count("createElement") == 1
    assert "OnetrustActiveGroups" in waiting.code and "OnetrustActiveGroups" not in plain.code


PLAIN = {
    "consent onetrust C0004, C0002": Consent(platform="onetrust", groups=("C0004", "C0002")),
    "consent cookiebot marketing": Consent(platform="cookiebot", categories="marketing"),
    "consent tcf 1, 3 vendors 1234": Consent(platform="tcf", purposes=(1, 3), vendors=1234),
    "consent tcf vendors 1234, 5": Consent(platform="tcf", vendors=(1234, 5)),
    "consent cookie cc '*yes*' event saved": Consent(
        platform="cookie", cookie="cc", value="*yes*", event="saved"
    ),
    "consent flag a.b script 'script#x'": Consent(platform="flag", flag="a.b", script="script#x"),
    "consent cookieconsent marketing, analytics": Consent(
        platform="cookieconsent", categories=("marketing", "analytics")
    ),
    "consent klaro google-ads": Consent(platform="klaro", services="google-ads"),
    "consent cookie cc_cookie field categories 'marketing' event saved": Consent(
        platform="cookie", cookie="cc_cookie", field="categories", value="marketing", event="saved"
    ),
    "consent cookie klaro field google-ads": Consent(
        platform="cookie", cookie="klaro", field="google-ads"
    ),
}


@pytest.mark.parametrize("line", PLAIN)
def test_a_rules_file_takes_one_consent_line(rules_file, line):
    path = rules_file(f"# rules\n{line}\non view send 'x'\n", name="site.rules")
    ruleset = load_rules(path)
    assert ruleset.consent == PLAIN[line]
    assert ruleset.consent.source.line == 2
    assert len(ruleset) == 1


@pytest.mark.parametrize(
    "lines, line, column, message",
    [
        ("consent usercentrics x", 1, 9, "unknown consent platform 'usercentrics'"),
        ("consent cookiebot ads", 1, 19, "'ads' is not a Cookiebot category"),
        ("consent tcf 1, x", 1, 16, "'x' is not a TCF purpose"),
        ("consent cookie cc", 1, 18, "expected the cookie's value glob in quotes"),
        ("consent cookie cc field", 1, 24, "field is followed by the field of the cookie's JSON"),
        ("consent flag ok extra", 1, 17, "unexpected 'extra'; after the platform come"),
        ("consent flag ok\nconsent flag no", 2, 1, "a second consent line; line 1 has one"),
    ],
)
def test_a_bad_consent_line_is_reported_where_it_is(rules_file, lines, line, column, message):
    with pytest.raises(RulesError) as raised:
        load_rules(rules_file(f"{lines}\non view send 'x'\n", name="site.rules"))
    error = raised.value.errors[0]
    assert (error.position.line, error.position.column) == (line, column)
    assert error.message.startswith(message), error.message


@pytest.mark.parametrize(
    "cookie, advice",
    [
        (
            "cc_cookie",
            "vanilla-cookieconsent's cookie; use platform: cookieconsent, or field: "
            "categories and value: marketing",
        ),
        ("klaro", "Klaro's cookie; use platform: klaro, or field: the service's name"),
        ("CookieConsent", "Cookiebot's cookie; use platform: cookiebot"),
    ],
)
def test_a_glob_over_a_banner_s_json_cookie_is_a_warning(rules_file, cookie, advice):
    # The bundle never grants consent from it (and says so once on the console); check
    # says so before the site is deployed.
    path = rules_file(rules_text(f"platform: cookie\n  cookie: {cookie}\n  value: '*marketing*'"))
    result = run("check", "-r", path)
    assert (
        f"{path}:2:3: warning: {cookie} holds JSON, which a value glob never grants "
        f"consent from: it is {advice}\n"
    ) in result.stderr
    assert result.exit_code == 0
    fielded = rules_file(
        rules_text(f"platform: cookie\n  cookie: {cookie}\n  field: categories\n  value: marketing")
    )
    assert "holds JSON" not in run("check", "-r", fielded).stderr
