"""Client-side navigation (issue 13): rules act per page *shown*, in real Chromium.

Two kinds of site change pages without a load: a plain site whose own script swaps
the content and calls history.pushState (both orders), and the real Material for
MkDocs theme with ``navigation.instant``, built by ``mkdocs build`` with our plugin.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rtp_snippets import build_bundle, load_rules
from support.browser import (
    ORIGIN,
    SPY,
    calls,
    rendered,
    serve_folder,
    timers_run,
    wait_for_calls,
    wait_until,
)
from support.cli import run

browser_test = pytest.mark.browser
BLOCK = re.compile(r'<script data-rtp-snippets="bundle"[^>]*>.*?</script>', re.S)


def bundle_block(page: Path) -> str:
    return BLOCK.search(page.read_text()).group(0)


def value(text: str) -> list:
    return ["send", "event", {"value": text}]


# The site's own router: a click on a[data-spa] (or back/forward) fetches the page and
# swaps <main> and the title. "push-first" calls pushState at the click and swaps when
# the page has arrived (as Material, Turbo and swup do); "swap-first" swaps, then calls
# pushState in the same task.
ROUTER = """<script>
var order = %r;
function swap(url, push) {
  fetch(url).then(function (response) { return response.text(); }).then(function (html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    if (push && order == "swap-first") {
      document.querySelector("main").replaceWith(next.querySelector("main"));
      document.title = next.title;
      history.pushState(null, "", url);
    } else {
      document.querySelector("main").replaceWith(next.querySelector("main"));
      document.title = next.title;
    }
  });
}
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-spa]");
  if (!link) return;
  event.preventDefault();
  if (order == "push-first") history.pushState(null, "", link.href);
  swap(link.href, true);
});
addEventListener("popstate", function () { swap(location.href, false); });
</script>"""

PAGES = {
    "/": "<main><h1>Home</h1><a data-spa href='/pricing/'>Pricing</a>"
    "<button class=cta>Try</button><a href='#details'>Details</a><p id=details>x</p></main>",
    "/pricing/": "<main><h1>Pricing</h1><a data-spa href='/'>Home</a>"
    "<button id=buy>Buy</button><button class=cta>Try</button>"
    "<p class=promo>Offer</p></main>",
}

RULES = """\
client_navigation: on
rules:
  - "on view h1 send 'view {path} - {text}'"
  - "on view send 'pricing page' pages /pricing/**"
  - "on click #buy send 'buy on {path}' pages /pricing/**"
  - "on click .cta send 'cta on {path}' once page"
  - "on visible .promo send 'promo on {path}'"
  - "on scroll 100% send 'read {path}'"
  - "on timer 0.5s send 'half a second on {path}'"
  - "on click a[data-spa] send 'to {attr:href}'"
"""


def spa_site(site, rules_file, order: str):
    bundle = build_bundle(load_rules(rules_file(RULES)))
    for path, body in PAGES.items():
        site.add(path, body + ROUTER % order, bundle)
    return site.visit(ORIGIN + "/")


@pytest.fixture
def site(site):
    """The shared ``site``, on Playwright's clock: settle moves the pages' timers on
    rather than waiting for them."""
    site.context.clock.install()
    return site


def later(page, milliseconds: int = 700) -> None:
    """Move the page's clock on (its timers fire), then let it render and run the timers
    due now: any call that this time would bring has been made."""
    page.clock.run_for(milliseconds)
    rendered(page)
    timers_run(page)


def settle(page, count: int):
    """Wait for ``count`` calls, then long enough for any extra call to show."""
    wait_for_calls(page, count)
    later(page)
    return calls(page)


LANDING = [value("view / - Home"), value("read /"), value("half a second on /")]
PRICING = [
    value("view /pricing/ - Pricing"),
    value("pricing page"),
    value("read /pricing/"),
    value("promo on /pricing/"),
    value("half a second on /pricing/"),
]


def by_page(found: list) -> list:
    """The calls in a stable order: per page shown, the order within one instant varies."""
    return sorted(found, key=lambda call: call[2]["value"])


@browser_test
@pytest.mark.parametrize("order", ["push-first", "swap-first"])
def test_every_page_shown_by_pushstate_runs_its_rules_once(site, rules_file, order):
    page = spa_site(site, rules_file, order)
    assert by_page(settle(page, 3)) == by_page(LANDING)
    # The link's call is stored as for a page that leaves, and sent on this document
    # once the router has cancelled the click.
    page.click("text=Pricing")
    assert by_page(settle(page, 9)[3:]) == by_page([value("to /pricing/"), *PRICING])
    page.click("#buy")
    page.click(".cta")
    page.click(".cta")  # once page: used up on this page
    assert settle(page, 11)[9:] == [value("buy on /pricing/"), value("cta on /pricing/")]
    page.go_back()
    assert by_page(settle(page, 14)[11:]) == by_page(LANDING)
    page.click(".cta")  # a new page shown: once page starts afresh
    assert settle(page, 15)[14:] == [value("cta on /")]
    page.go_forward()
    assert by_page(settle(page, 20)[15:]) == by_page(PRICING)
    assert page.evaluate("sessionStorage.getItem('rtp-snippets queue')") is None


@browser_test
def test_a_fragment_or_a_same_path_state_change_is_not_a_new_page(site, rules_file):
    page = spa_site(site, rules_file, "push-first")
    assert len(settle(page, 3)) == 3
    page.click("text=Details")
    page.evaluate("history.replaceState({a: 1}, '', location.pathname + '?tab=2')")
    page.evaluate("history.pushState(null, '', '#elsewhere'); document.body.append('x')")
    page.go_back()
    later(page)
    assert len(calls(page)) == 3


@browser_test
def test_a_timer_of_the_page_left_does_not_fire_on_the_next(site, rules_file):
    bundle = build_bundle(
        load_rules(
            rules_file(
                "client_navigation: on\nrules:\n  - \"on timer 1s send 'a second on {path}'\"\n"
            )
        )
    )
    for path, body in PAGES.items():
        site.add(path, body + ROUTER % "push-first", bundle)
    site.context.clock.pause_at(1000)  # the timers run only when the test says
    page = site.visit(ORIGIN + "/")
    page.clock.run_for(300)
    page.click("text=Pricing")
    wait_until(page, "document.querySelector('h1').textContent == 'Pricing'")
    page.clock.run_for(1800)  # the page shown from 300 ms on, its timer's 1 s and more
    assert calls(page) == [value("a second on /pricing/")]


@browser_test
def test_several_scroll_depths_fire_again_on_each_page_shown(site, rules_file):
    bundle = build_bundle(
        load_rules(
            rules_file(
                "client_navigation: on\nrules:\n"
                "  - \"on scroll 10%, 50%, 100% send 'read {percent} of {path}'\"\n"
            )
        )
    )
    tall = "<div style='height: 3000px'>long</div>"
    for path, body in PAGES.items():
        site.add(path, body.replace("</main>", tall + "</main>") + ROUTER % "push-first", bundle)
    page = site.visit(ORIGIN + "/")
    page.evaluate("window.scrollTo(0, 600)")  # (600 + 600) / 3000+ = under 50 %
    assert settle(page, 1) == [value("read 10 of /")]
    page.evaluate("window.scrollTo(0, 0)")
    page.click("text=Pricing")
    page.wait_for_function("document.querySelector('h1').textContent == 'Pricing'")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert settle(page, 4)[1:] == [value(f"read {depth} of /pricing/") for depth in (10, 50, 100)]


@browser_test
def test_visible_for_a_time_counts_again_on_each_page_shown(site, rules_file):
    bundle = build_bundle(
        load_rules(
            rules_file(
                "client_navigation: on\nrules:\n"
                "  - \"on visible .promo 50% for 0.3s send 'promo on {path}'\"\n"
            )
        )
    )
    for path, body in PAGES.items():
        site.add(path, body + ROUTER % "push-first", bundle)
    page = site.visit(ORIGIN + "/")
    page.click("text=Pricing")
    assert settle(page, 1) == [value("promo on /pricing/")]
    page.go_back()
    page.wait_for_function("document.querySelector('h1').textContent == 'Home'")
    page.go_forward()
    assert settle(page, 2) == [value("promo on /pricing/")] * 2


def test_without_client_navigation_a_bundle_has_none_of_its_code(rules_file):
    on = build_bundle(load_rules(rules_file(RULES)))
    off = build_bundle(
        load_rules(rules_file(RULES.replace("client_navigation: on", "client_navigation: off")))
    )
    assert "pushState" in on.code
    assert "pushState" not in off.code


# Material for MkDocs, the real theme.

MKDOCS = """\
site_name: Client navigation test
site_url: {origin}/
theme:
  name: material
  font: false
  features: [{features}]
plugins:
  - rtp-snippets:
      rules: rtp-rules.yml
      prune: true
      position: {position}
"""
MATERIAL_RULES = """\
rules:
  - "on view h1 send 'view {path} - {text}' once page"
  - "on click #download-whitepaper send 'download on {path}' pages /whitepaper/**"
"""
DOCS = {
    "index.md": "# Home\n\n[Pricing](pricing/index.md)\n\n[Whitepaper](whitepaper/index.md)\n",
    "pricing/index.md": "# Pricing\n\n[Whitepaper](../whitepaper/index.md)\n",
    "whitepaper/index.md": '# Whitepaper\n\n<button id="download-whitepaper">Download</button>\n',
}


# A bundle in <head> is one of the head elements Material compares on each instant navigation.
@pytest.fixture(
    scope="module",
    params=[("navigation.instant", "body"), ("", "body"), ("navigation.instant", "head")],
    ids=["instant", "no-instant", "instant-head"],
)
def material_site(request, tmp_path_factory):
    features, position = request.param
    source = tmp_path_factory.mktemp("material")
    (source / "mkdocs.yml").write_text(
        MKDOCS.format(origin=ORIGIN, features=features, position=position)
    )
    (source / "rtp-rules.yml").write_text(MATERIAL_RULES)
    for name, text in DOCS.items():
        (source / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (source / "docs" / name).write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(source / "site")],
        cwd=source,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    return features, source / "site", result.stderr


@pytest.fixture
def material(browser, material_site):
    features, root, _ = material_site
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    context.clock.install()  # settle moves the timers on rather than waiting for them
    serve_folder(context, root, ORIGIN)
    context.add_init_script(SPY)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    yield features, page
    context.close()
    assert errors == []


@browser_test
def test_material_every_page_shown_sends_its_view_and_scoped_clicks_fire(material):
    features, page = material
    page.goto(ORIGIN + "/")
    page.evaluate("window.kept = 1")  # gone after a full page load
    assert settle(page, 1) == [value("view / - Home")]
    page.click("article >> text=Whitepaper")
    page.wait_for_url(ORIGIN + "/whitepaper/")
    shown = settle(page, 1)
    if features:  # one document all along: its calls accumulate
        assert page.evaluate("window.kept") == 1
        assert shown == [value("view / - Home"), value("view /whitepaper/ - Whitepaper")]
    else:
        assert shown == [value("view /whitepaper/ - Whitepaper")]
    page.click("#download-whitepaper")
    timers_run(page)
    assert calls(page)[-1] == value("download on /whitepaper/")
    page.go_back()
    page.wait_for_url(ORIGIN + "/")
    page.wait_for_function(
        "window.calls.length && window.calls[window.calls.length - 1][2].value == 'view / - Home'"
    )
    page.go_forward()
    page.wait_for_url(ORIGIN + "/whitepaper/")
    page.wait_for_function(
        "window.calls[window.calls.length - 1][2].value == 'view /whitepaper/ - Whitepaper'"
    )
    page.click("article >> text=Download")
    later(page)
    found = calls(page)
    if features:
        assert page.evaluate("window.kept") == 1
        assert found == [
            value("view / - Home"),
            value("view /whitepaper/ - Whitepaper"),
            value("download on /whitepaper/"),
            value("view / - Home"),
            value("view /whitepaper/ - Whitepaper"),
            value("download on /whitepaper/"),
        ]
    else:
        assert found == [value("view /whitepaper/ - Whitepaper"), value("download on /whitepaper/")]


@browser_test
def test_material_a_click_scoped_to_a_page_fires_whatever_the_landing_page(material):
    features, page = material
    page.goto(ORIGIN + "/pricing/")
    settle(page, 1)
    page.click("article >> text=Whitepaper")
    page.wait_for_url(ORIGIN + "/whitepaper/")
    page.wait_for_function("window.calls.some(c => c[2].value == 'view /whitepaper/ - Whitepaper')")
    page.click("#download-whitepaper")
    timers_run(page)
    assert calls(page)[-1] == value("download on /whitepaper/")
    assert calls(page).count(value("download on /whitepaper/")) == 1


def test_material_instant_navigation_is_detected_and_every_page_gets_one_bundle(material_site):
    features, root, stderr = material_site
    blocks = {
        path.relative_to(root).as_posix(): bundle_block(path) for path in root.rglob("*.html")
    }
    if features:
        assert len(set(blocks.values())) == 1, "one bundle for every page"
        assert "navigation.instant" in stderr and "one bundle for every page" in stderr
    else:
        assert len(set(blocks.values())) > 1, "pruned bundles per page"
        assert "navigation.instant" not in stderr


def test_check_site_reports_client_navigation_and_inject_follows_it(material_site, tmp_path):
    features, built, _ = material_site
    root = tmp_path / "site"
    shutil.copytree(built, root)
    rules = tmp_path / "rtp-rules.yml"
    rules.write_text(MATERIAL_RULES)
    pages = len(list(root.rglob("*.html")))
    checked = run("check", "-r", rules, "--site", root)
    injected = run("inject", "-r", rules, "--prune", root)
    as_json = json.loads(run("check", "-r", rules, "--site", root, "--json").stdout)
    found = as_json["client_navigation"]["found"]
    if features:
        assert (
            f"Client-side navigation: Material for MkDocs' navigation.instant on {pages} of "
            f"{pages} pages"
        ) in checked.stdout
        assert (
            "Client-side navigation (Material for MkDocs' navigation.instant on /404.html): "
            "one bundle for every page"
        ) in injected.stdout
        assert "--prune not used" in injected.stdout
        assert found["Material for MkDocs' navigation.instant"]["count"] == pages
    else:
        assert "Client-side navigation: none found; each page gets its own rules" in checked.stdout
        assert "Client-side navigation" not in injected.stdout
        assert found == {}
    assert as_json["client_navigation"]["setting"] == "auto"


@pytest.mark.parametrize("setting", ["on", "off"])
def test_the_rules_file_decides_over_what_the_pages_say(material_site, tmp_path, setting):
    features, built, _ = material_site
    root = tmp_path / "site"
    shutil.copytree(built, root)
    rules = tmp_path / "rtp-rules.yml"
    rules.write_text(f"client_navigation: {setting}\n" + MATERIAL_RULES)
    checked = run("check", "-r", rules, "--site", root)
    run("inject", "-r", rules, "--prune", root)
    blocks = {bundle_block(page) for page in root.rglob("*.html")}
    if setting == "on":
        assert "Client-side navigation: on in the rules file" in checked.stdout
        assert len(blocks) == 1
    else:
        assert len(blocks) > 1
        assert (
            "Client-side navigation: off in the rules file"
            + (
                ", though the site has Material for MkDocs' navigation.instant"
                if features
                else "\n"
            )
        ) in checked.stdout


# A router with no signal of its own, which does everything that is not the new content
# first: the title in <head> and a stylesheet, a progress bar added to <body>, a clock
# whose text ticks, a toast added and taken out again; then, 600 ms after the click, the
# content.
SLOW_ROUTER = """<p id=clock>0</p><script>
setInterval(function () { document.getElementById("clock").textContent = Date.now(); }, 50);
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-spa]");
  if (!link) return;
  event.preventDefault();
  history.pushState(null, "", link.href);
  document.title = "Loading";
  var style = document.createElement("link");
  style.rel = "stylesheet"; style.href = "data:text/css,p{}";
  document.head.append(style);
  var bar = document.createElement("div");
  bar.className = "progress"; bar.innerHTML = "<span>loading</span>";
  document.body.prepend(bar);
  var toast = document.createElement("div");
  toast.textContent = "Saved";
  document.body.append(toast);
  setTimeout(function () { toast.remove(); }, 100);
  fetch(link.href).then(function (response) { return response.text(); }).then(function (html) {
    setTimeout(function () {
      var next = new DOMParser().parseFromString(html, "text/html");
      document.querySelector("main").replaceWith(next.querySelector("main"));
      document.title = next.title;
      bar.remove();
    }, 600);
  });
});
</script>"""


@browser_test
def test_without_a_router_signal_only_a_change_of_the_content_shows_the_new_page(site, rules_file):
    bundle = build_bundle(
        load_rules(
            rules_file(
                "client_navigation: on\nrules:\n"
                "  - \"on view h1 send 'view {path} - {text}'\"\n"
                "  - \"on view .promo send 'promo on {path}'\"\n"
                "  - \"on view send 'title {path} - {title}'\"\n"
            )
        )
    )
    site.add("/", "<title>Home</title>" + PAGES["/"] + SLOW_ROUTER, bundle)
    site.add("/pricing/", "<title>Pricing</title>" + PAGES["/pricing/"] + SLOW_ROUTER, bundle)
    page = site.visit(ORIGIN + "/")
    assert by_page(settle(page, 2)) == by_page([value("view / - Home"), value("title / - Home")])
    page.click("text=Pricing")
    assert by_page(settle(page, 5)[2:]) == by_page(
        [
            value("view /pricing/ - Pricing"),
            value("promo on /pricing/"),
            value("title /pricing/ - Pricing"),
        ]
    )


# Astro's view transitions router, as documented: astro:page-load on document after every
# page shown (the first one included). Simulated: a router that takes an element out of
# <body> long before the new content, and only then swaps it and says so.
ASTRO_ROUTER = """<script>
addEventListener("DOMContentLoaded", function () {
  document.dispatchEvent(new Event("astro:page-load"));
});
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-spa]");
  if (!link) return;
  event.preventDefault();
  history.pushState(null, "", link.href);
  document.querySelector("h1").remove();  // an out-transition, before the page is in
  fetch(link.href).then(function (response) { return response.text(); }).then(function (html) {
    setTimeout(function () {
      var next = new DOMParser().parseFromString(html, "text/html");
      document.querySelector("main").replaceWith(next.querySelector("main"));
      document.title = next.title;
      document.dispatchEvent(new Event("astro:page-load"));
    }, 300);
  });
});
</script>"""


@browser_test
def test_a_router_s_own_signal_decides_when_the_page_is_shown(site, rules_file):
    bundle = build_bundle(
        load_rules(
            rules_file(
                "client_navigation: on\nrules:\n  - \"on view h1 send 'view {path} - {text}'\"\n"
            )
        )
    )
    site.add("/", PAGES["/"] + ASTRO_ROUTER, bundle)
    site.add("/pricing/", PAGES["/pricing/"] + ASTRO_ROUTER, bundle)
    page = site.visit(ORIGIN + "/")
    assert settle(page, 1) == [value("view / - Home")]
    page.click("text=Pricing")
    assert settle(page, 2)[1:] == [value("view /pricing/ - Pricing")]
