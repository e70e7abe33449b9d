"""rtp-snippets verify: faults only a browser shows, planted in real pages, each named for
what it is; the same pages without the fault pass; and no false alarm on real sites."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from rtp_snippets import load_rules
from rtp_snippets.site import inject_site
from rtp_snippets.verify import VerifyError, verify_site
from support.browser import CHROMIUM
from support.cli import run
from support.files import write_site

pytestmark = pytest.mark.browser

RULES = """rules:
  - "on click #buy send 'buy {attr:data-product}'"
  - "on view h1 send 'view {text}'"
"""
PAGE = (
    "<!doctype html><html><head><meta charset=utf-8><title>Shop</title>{head}</head>"
    "<body><h1>Shop</h1><button id=buy data-product=widget>Buy</button>{body}</body></html>"
)


def built(
    tmp_path: Path, head: str = "", body: str = "", rules: str = RULES, pages: dict | None = None
) -> tuple[Path, Path]:
    """A site with the page, injected with the rules; the site and the rules file."""
    site = write_site(tmp_path, pages or {"index.html": PAGE.format(head=head, body=body)}, rules)
    rules_path = tmp_path / "rtp-rules.yml"
    inject_site(site, load_rules(rules_path), jobs=1)
    return site, rules_path


def verified(site: Path, rules_path: Path, **options):
    return verify_site(site, load_rules(rules_path), browser=CHROMIUM, jobs=1, **options)


def failures(report) -> list[tuple[str, str | None, str]]:
    return [
        (result.page, result.rule.event if result.rule else None, result.reason)
        for result in report.failures
    ]


def test_a_plain_page_passes_every_check(tmp_path):
    report = verified(*built(tmp_path))
    assert failures(report) == []
    assert [(result.rule.event, result.ok, result.sent) for result in report.results] == [
        ("click", True, [["send", "event", {"value": "buy widget"}]]),
        ("view", True, [["send", "event", {"value": "view Shop"}]]),
    ]


def test_verify_runs_from_code_that_already_runs_an_event_loop(tmp_path):
    """A notebook, an async build script, or Playwright's own sync API (which keeps an
    event loop running in its thread) call verify_site with a loop running."""
    import asyncio

    site, rules_path = built(tmp_path)

    async def from_a_coroutine():
        return verified(site, rules_path)

    # In a thread of the test's own: the session's browser may keep a loop running in this one.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        report = pool.submit(asyncio.run, from_a_coroutine()).result()
    assert failures(report) == [] and report.counts()["passed"] == 2


# Each fault, and the reason verify gives (the same page without it passes: the test above).
FAULTS = [
    (
        "page script stops clicks at window, in the capture phase",
        "",
        "<script>addEventListener('click', e => e.stopImmediatePropagation(), true);</script>",
        "click",
        "page script stopped the click before it reached the bundle (at window)",
    ),
    (
        "a Content-Security-Policy that blocks the inline bundle",
        "<meta http-equiv=Content-Security-Policy content=\"script-src 'none'\">",
        "",
        None,
        "the bundle did not run: the Content-Security-Policy blocked it (script-src-elem)",
    ),
    (
        "the button is hidden",
        "<style>#buy { display: none }</style>",
        "",
        "click",
        "element 1 is not clickable: hidden",
    ),
    (
        "the button is covered",
        "",
        "<div style='position: fixed; inset: 0; background: white'>cookie wall</div>",
        "click",
        "element 1 is not clickable: covered by <div>",
    ),
    (
        "the button is disabled",
        "<script>addEventListener('DOMContentLoaded', () => buy.disabled = true)</script>",
        "",
        "click",
        "element 1 is not clickable: disabled",
    ),
    (
        "page script replaces window.rtp after load",
        "",
        "<script>addEventListener('load', () => { window.rtp = function () {}; });</script>",
        "click",
        "page script replaced window.rtp (function () {}), so the calls went elsewhere",
    ),
]


def test_a_fault_only_a_browser_shows_is_named(tmp_path):
    """One run over a site with a page per fault (one browser, not one per fault): each
    page fails for its own fault only."""
    pages = {
        f"{number}.html": PAGE.format(head=head, body=body)
        for number, (_, head, body, _, _) in enumerate(FAULTS)
    }
    report = verified(*built(tmp_path, pages=pages))
    assert sorted(failures(report), key=repr) == sorted(
        ((f"/{number}.html", event, reason) for number, (*_, event, reason) in enumerate(FAULTS)),
        key=repr,
    )


def test_a_bundle_built_from_other_rules_is_named(tmp_path):
    site, rules_path = built(tmp_path)
    rules_path.write_text(RULES.replace("'buy {attr", "'purchase {attr"))
    report = verified(site, rules_path)
    assert failures(report) == [
        (
            "/index.html",
            "click",
            "the page's bundle was not built from these rules: run inject again",
        )
    ]


def test_a_page_without_the_bundle_is_not_injected(tmp_path):
    site, rules_path = built(tmp_path)
    (site / "other.html").write_text(PAGE.format(head="", body=""))
    report = verified(site, rules_path)
    assert failures(report) == [
        ("/other.html", None, "not injected: the page has no rtp-snippets bundle")
    ]


def test_an_attribute_filled_in_by_page_script_is_expected_from_the_live_page(tmp_path):
    body = "<script>buy.setAttribute('data-product', 'gadget')</script>"
    report = verified(*built(tmp_path, body=body))
    assert failures(report) == []
    assert report.results[0].sent == [["send", "event", {"value": "buy gadget"}]]


LEAVING = """rules:
  - "on click a.next send 'next'"
  - "on submit form.contact send 'lead {attr:data-product}'"
"""


def test_a_link_that_leaves_and_a_submit_page_script_cancels_each_send_once(tmp_path):
    pages = {
        "index.html": PAGE.format(
            head="",
            body=(
                "<a class=next href='/next.html'>next</a>"
                "<form class=contact data-product=widget action='/thanks'>"
                "<input name=email type=email required><button>Send</button></form>"
                "<script>document.addEventListener('submit', e => e.preventDefault());</script>"
            ),
        ),
        "next.html": PAGE.format(head="", body="<p>next page</p>"),
    }
    report = verified(*built(tmp_path, rules=LEAVING, pages=pages))
    assert failures(report) == []
    sent = {
        result.rule.event: result.sent for result in report.results if result.page == "/index.html"
    }
    assert sent == {
        "click": [["send", "event", {"value": "next"}]],
        "submit": [["send", "event", {"value": "lead widget"}]],
    }


@pytest.mark.slow
def test_the_example_site_passes_each_time(tmp_path):
    # Its contact form is submitted to its own page. The submission's navigation starts a
    # moment after the click, and while the page attempts it Playwright's clock runs
    # nothing: verify ran no second, looked for the call before the next page came, and
    # failed about every other run ("not sent").
    import shutil

    root = Path(__file__).resolve().parent.parent
    site = tmp_path / "site"
    shutil.copytree(root / "examples" / "site", site)
    rules = load_rules(root / "examples" / "rtp-rules.yml")
    inject_site(site, rules, jobs=1)
    for _ in range(4):
        report = verify_site(site, rules, browser=CHROMIUM, jobs=1)
        assert failures(report) == []
        contact = [
            result
            for result in report.results
            if result.page == "/pricing/index.html" and result.rule.event == "submit"
        ]
        assert [result.sent for result in contact] == [
            [["send", "event", {"value": ["contact form", "lead - example pro", "from /pricing/"]}]]
        ]


CONSENT = """consent:
  platform: flag
  flag: siteConsent.marketing
rules:
  - "on click #buy send 'buy'"
"""


@pytest.mark.slow
def test_each_consent_state_is_checked_and_an_early_grant_is_named(tmp_path):
    site, rules_path = built(tmp_path, rules=CONSENT)
    report = verified(site, rules_path)
    assert failures(report) == []
    assert [(result.consent, result.sent) for result in report.results] == [
        ("granted", [["send", "event", {"value": "buy"}]]),
        ("none", []),
        ("refused", []),
    ]
    # The site's own script grants consent before the visitor has chosen.
    site, rules_path = built(
        tmp_path / "early",
        rules=CONSENT,
        body=("<script>window.siteConsent = {marketing: true};</script>"),
    )
    report = verified(site, rules_path)
    assert failures(report) == [
        ("/index.html", "click", "sent before the visitor chose"),
        ("/index.html", "click", "sent though the visitor refused consent"),
    ]


@pytest.mark.slow
def test_json_junit_and_baseline(tmp_path):
    site, rules_path = built(tmp_path)
    first = tmp_path / "first.json"
    result = run(
        "verify",
        site,
        "-r",
        rules_path,
        "--browser",
        CHROMIUM,
        "-j",
        "1",
        "--json",
        first,
        "--junit",
        tmp_path / "verify.xml",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        "2 passed, 0 failed, 0 not applicable (" + result.stdout.rsplit("(", 1)[1]
    )
    report = json.loads(first.read_text())
    assert report["summary"] == {"passed": 2, "failed": 0, "not_applicable": 0}
    assert report["results"][0] == {
        "page": "/index.html",
        "rule": None,
        "line": 2,
        "event": "click",
        "target": "#buy",
        "consent": "-",
        "ok": True,
        "expected": [["send", "event", {"value": "buy widget"}]],
        "sent": [["send", "event", {"value": "buy widget"}]],
        "reason": "",
        "elements": 1,
    }
    suite = ElementTree.parse(tmp_path / "verify.xml").getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("2", "0")
    assert [case.get("name") for case in suite] == ["line 2: click #buy", "line 3: view h1"]
    # The button is gone: the baseline says so, and the check is not applicable any more.
    (site / "index.html").write_text((site / "index.html").read_text().replace("id=buy", "id=gone"))
    result = run(
        "verify",
        site,
        "-r",
        rules_path,
        "--browser",
        CHROMIUM,
        "-j",
        "1",
        "--baseline",
        first,
        "--junit",
        tmp_path / "second.xml",
    )
    assert (
        "changed since the baseline: #buy matched 1 element on /index.html, now 0" in result.stdout
    )
    suite = ElementTree.parse(tmp_path / "second.xml").getroot()
    assert suite.get("skipped") == "1"


def test_a_failure_exits_1_with_one_line_per_failure(tmp_path):
    site, rules_path = built(tmp_path, head="<style>#buy { display: none }</style>")
    result = run("verify", site, "-r", rules_path, "--browser", CHROMIUM, "-j", "1")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        f"FAILED /index.html {rules_path}:2 click #buy: element 1 is not clickable: hidden; "
        "expected [], sent []\n"
    )


def test_without_playwright_or_a_browser_one_line_says_what_to_install(tmp_path):
    site, rules_path = built(tmp_path)
    script = (
        "import sys; sys.modules['playwright'] = None;from rtp_snippets.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "verify", str(site), "-r", str(rules_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (
        1,
        "Error: verify needs Playwright: pip install 'rtp-snippets[verify]'\n",
    )
    result = run("verify", site, "-r", rules_path, "--browser", "/nowhere/chrome")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: --browser /nowhere/chrome: no such program\n",
    )
    with pytest.raises(VerifyError):
        verify_site(site, load_rules(rules_path), browser="/nowhere/chrome")


def test_without_a_browser_it_says_what_to_install(tmp_path, monkeypatch):
    from rtp_snippets import verify as verify_module

    site, rules_path = built(tmp_path)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "none"))  # none of its own
    monkeypatch.setattr(verify_module, "SYSTEM_BROWSERS", ("no-such-chromium",))
    with pytest.raises(VerifyError) as raised:
        verify_site(site, load_rules(rules_path))
    assert str(raised.value) == (
        "no browser found: install Playwright's (python -m playwright install chromium) or a "
        "Chromium (Debian: apt-get install chromium-headless-shell), or give one with "
        "--browser PATH"
    )


# --- no false alarm on real sites --------------------------------------------------------

MATERIAL = """\
site_name: Verify test
site_url: https://docs.example.com/guide/
theme:
  name: material
  font: false
  features: [navigation.instant]
plugins:
  - rtp-snippets:
      rules: rtp-rules.yml
"""
MATERIAL_RULES = """rules:
  - "on view h1 send 'view {path} - {text}' once page"
  - "on click #download-whitepaper send 'download on {path}'"
"""
DOCS = {
    "index.md": "# Home\n\n[Pricing](pricing/index.md)\n\n[Whitepaper](whitepaper/index.md)\n",
    "pricing/index.md": "# Pricing\n\n[Whitepaper](../whitepaper/index.md)\n",
    "whitepaper/index.md": '# Whitepaper\n\n<button id="download-whitepaper">Download</button>\n',
}


@pytest.mark.slow
def test_material_with_instant_navigation_passes_and_walks_without_a_load(tmp_path):
    (tmp_path / "mkdocs.yml").write_text(MATERIAL)
    (tmp_path / "rtp-rules.yml").write_text(MATERIAL_RULES)
    for name, text in DOCS.items():
        (tmp_path / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "docs" / name).write_text(text)
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(tmp_path / "site")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert built.returncode == 0, built.stderr
    report = verified(tmp_path / "site", tmp_path / "rtp-rules.yml")
    assert failures(report) == []
    walked = [
        result for result in report.results if "shown by the site's navigation" in result.reason
    ]
    # Pages shown by Material's instant navigation, not loaded: its sitemap names the site's
    # own address, which verify serves as the local one.
    assert {result.page for result in walked} == {"/pricing/index.html", "/whitepaper/index.html"}
    assert all(result.ok and "full load" not in result.reason for result in walked)


@pytest.mark.slow
@pytest.mark.parametrize("example", ["mkdocs", "pelican", "sphinx", "jinja"])
def test_the_integrations_examples_pass_after_their_builds(readme_run, example):
    folder, _ = readme_run
    site = {
        "mkdocs": "examples/mkdocs/site",
        "pelican": "examples/pelican/output",
        "sphinx": "examples/sphinx/_build",
        "jinja": "examples/jinja/_site",
    }[example]
    report = verified(folder / site, folder / "examples" / example / "rtp-rules.yml")
    assert failures(report) == []
    assert report.counts()["passed"] > 0


@pytest.mark.slow
def test_the_corpus_site_with_its_rules_passes(site_a, tmp_path):
    import shutil

    site = tmp_path / "site"
    shutil.copytree(site_a, site)
    for path in site.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    rules = Path(__file__).parent / "jekyll-site.rules"
    inject_site(site, load_rules(rules))
    report = verify_site(site, load_rules(rules), browser=CHROMIUM, jobs=2)
    assert failures(report) == []
    assert report.counts()["passed"] > 700


# --- the example CI workflow ---------------------------------------------------------------


@pytest.mark.slow
def test_the_example_ci_workflow_builds_injects_verifies_and_keeps_the_report(tmp_path):
    import yaml

    from support import readme

    workflow = yaml.safe_load((readme.ROOT / "examples" / "ci" / "verify.yml").read_text())
    steps = workflow["jobs"]["verify"]["steps"]
    assert [step.get("name") or step["uses"].split("@")[0] for step in steps] == [
        "actions/checkout",
        "actions/setup-python",
        "Install rtp-snippets with Playwright",
        "Install Playwright's browser",
        "Build the site",
        "Inject the rules",
        "Verify the rules in a browser",
        "Keep the JUnit report",
    ]
    kept = steps[-1]
    assert (kept["if"], kept["with"]["path"]) == ("always()", "build/verify.xml")
    # Its commands, run as a runner would from the repository's root, with this
    # virtualenv's commands in place of those the two install steps put on the PATH.
    folder = readme.workspace(tmp_path / "repository")
    environment = {**os.environ, "PATH": f"{Path(sys.prefix) / 'bin'}:{os.environ['PATH']}"}
    for step in steps[4:7]:
        result = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
            cwd=folder,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, (step["name"], result.stdout + result.stderr)
    suite = ElementTree.parse(folder / kept["with"]["path"]).getroot()
    assert suite.get("failures") == "0" and int(suite.get("tests")) > 20


def test_waiting_for_frames_waits_for_the_page_s_rendering_not_its_clock():
    # verify runs every page on Playwright's clock, which also fakes requestAnimationFrame:
    # a wait made of its frames counts the clock's timers, not the page's rendering, so
    # verify could look for a scroll rule's call before the scroll event had run. (Under
    # load the README's example once failed "blog-depth: not sent", a scroll rule checked
    # right after such a wait; that run was not reproduced.) With the clock paused, such a
    # wait never ends; a wait on the rendering ends once the scroll steps have run.
    import asyncio

    from playwright.async_api import async_playwright

    from rtp_snippets.verify import _frames

    async def scrolled() -> int:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM)
            page = await browser.new_page()
            await page.clock.install(time=0)
            await page.clock.pause_at(1000)
            await page.set_content(
                "<body style='height: 5000px'><script>window.scrolls = 0;"
                " addEventListener('scroll', () => scrolls++);</script>"
            )
            await page.evaluate("scrollTo(0, 2000)")
            await asyncio.wait_for(_frames(page), 10)
            count = await page.evaluate("scrolls")
            await browser.close()
            return count

    # In a thread of the test's own: the session's browser may keep a loop running in this one.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, scrolled()).result() == 1
