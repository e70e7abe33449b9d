"""Sites that change pages without a load, with the real routers, in Chromium: Turbo 8,
swup 4 with its progress plugin (both from npm, vendored in tests/vendor/) and Material
for MkDocs with navigation.instant.prefetch and .progress (built by mkdocs with our
plugin). A page counts as shown when its content is in: each page shown sends its own
view, title and scroll calls, once, on first visits, revisits and back/forward, also
when its stylesheet or the server is slow.

The pages are served by a real HTTP server on the loopback address, which answers each
path after the delay the test gives it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rtp_snippets import build_bundle, load_rules
from support.browser import SPY, wait_until

pytestmark = pytest.mark.browser

VENDOR = Path(__file__).parent / "vendor"
TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".xml": "application/xml",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}


class Server:
    """Pages by path (bytes, content type, seconds before the answer), on 127.0.0.1."""

    def __init__(self):
        self.pages: dict[str, tuple[bytes, str, float]] = {"/favicon.ico": (b"", "image/x-icon", 0)}
        self.folder: Path | None = None  # a built site, for paths not in pages
        self.delay = 0.0  # for the folder's HTML pages
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                path = self.path.split("?")[0].split("#")[0]
                found = server.find(path)
                if found is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                body, kind, delay = found
                time.sleep(delay)
                self.send_response(200)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(body)))
                self.send_header("cache-control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def find(self, path: str) -> tuple[bytes, str, float] | None:
        if path in self.pages:
            return self.pages[path]
        if path.startswith("/vendor/"):
            file = VENDOR / path[len("/vendor/") :]
            return (file.read_bytes(), TYPES[file.suffix], 0.0) if file.is_file() else None
        if self.folder is not None:
            file = self.folder / path.lstrip("/")
            if file.is_dir():
                file = file / "index.html"
            if file.is_file():
                kind = TYPES.get(file.suffix, "application/octet-stream")
                return file.read_bytes(), kind, self.delay if kind == "text/html" else 0.0
        return None

    def page(self, path: str, head: str, body: str, bundle, delay: float = 0.0) -> None:
        self.pages[path] = (
            (
                f"<!doctype html><html><head><meta charset=utf-8><script>{SPY}</script>{head}"
                f"</head><body>{body}<script>{bundle.code}</script></body></html>"
            ).encode(),
            "text/html",
            delay,
        )

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    served = Server()
    yield served
    served.close()


@pytest.fixture
def tab(browser):
    """A tab whose console errors and page errors are collected (none may occur)."""
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    context.set_default_timeout(8000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    yield page
    context.close()
    assert errors == []


def value(text: str) -> list:
    return ["send", "event", {"value": text}]


def new_calls(page, before: int, count: int) -> list:
    """The calls after the first ``before``, once there are ``count`` of them and no more
    comes for 0.8 s; sorted, as calls of one page shown come in any order."""
    try:
        wait_until(page, f"window.calls.length >= {before + count}", timeout=8)
    except AssertionError:
        raise AssertionError(f"calls so far: {page.evaluate('window.calls')[before:]}") from None
    page.wait_for_timeout(800)
    return sorted(page.evaluate("window.calls")[before:], key=json.dumps)


def expect(*texts: str) -> list:
    return sorted((value(text) for text in texts), key=json.dumps)


RULES = """\
client_navigation: on
rules:
  - "on view h1 send 'view {path} - {text}' once page"
  - "on view .plans send 'plans on {path}' once page"
  - "on view send 'title {path} - {title}' once page"
"""


# --- Turbo 8 -------------------------------------------------------------------------------


def turbo_site(server, rules_file, html_delay: float) -> None:
    bundle = build_bundle(load_rules(rules_file(RULES)))
    head = '<script src="/vendor/turbo/turbo.es2017-umd.js"></script>'
    nav = '<nav><a href="/">Home</a> <a href="/pricing/">Pricing</a> <a href="/about/">About</a></nav>'
    server.page("/", f"<title>Home</title>{head}", f"{nav}<h1>Home</h1>", bundle, html_delay)
    server.page(
        "/pricing/",
        f'<title>Pricing</title>{head}<link rel="stylesheet" href="/pricing.css">',
        f"{nav}<h1>Pricing</h1><div class=plans>Plans</div>",
        bundle,
        html_delay,
    )
    server.page(
        "/about/", f"<title>About</title>{head}", f"{nav}<h1>About</h1>", bundle, html_delay
    )
    # The new page's own stylesheet, which Turbo waits for before it swaps the body.
    server.pages["/pricing.css"] = (b".plans { color: green }", "text/css", 0.4)


HOME = ("view / - Home", "title / - Home")
PRICING = ("view /pricing/ - Pricing", "plans on /pricing/", "title /pricing/ - Pricing")
ABOUT = ("view /about/ - About", "title /about/ - About")


@pytest.mark.slow
@pytest.mark.parametrize("html_delay", [0.0, 0.4], ids=["fast-server", "slow-server"])
def test_turbo_each_page_shown_sends_its_own_calls_once(server, rules_file, tab, html_delay):
    turbo_site(server, rules_file, html_delay)
    tab.goto(server.origin + "/")
    assert new_calls(tab, 0, 2) == expect(*HOME)
    tab.click("text=Pricing")  # a first visit to a page whose <head> adds a stylesheet
    tab.wait_for_url(server.origin + "/pricing/")
    assert new_calls(tab, 2, 3) == expect(*PRICING)
    tab.go_back()  # a restoration visit
    assert new_calls(tab, 5, 2) == expect(*HOME)
    tab.go_forward()
    assert new_calls(tab, 7, 3) == expect(*PRICING)
    tab.click("text=About")
    assert new_calls(tab, 10, 2) == expect(*ABOUT)
    tab.click("text=Pricing")  # a revisit: Turbo shows its cached copy, then the fresh page
    assert new_calls(tab, 12, 3) == expect(*PRICING)
    assert tab.evaluate("document.documentElement.dataset.turboPreview") is None


# --- swup 4 with the progress plugin -------------------------------------------------------

SWUP_RULES = """\
client_navigation: on
rules:
  - "on view h1 send 'view {path} - {text}'"
  - "on scroll 100% send 'read {path}'"
"""


def swup_site(server, rules_file, html_delay: float) -> None:
    bundle = build_bundle(load_rules(rules_file(SWUP_RULES)))
    head = (
        '<script src="/vendor/swup/Swup.umd.js"></script>'
        '<script src="/vendor/swup/progress-plugin.umd.js"></script>'
    )
    start = (
        "<script>window.router = new Swup({containers: ['#swup'],"
        " plugins: [new SwupProgressPlugin()]});</script>"
    )
    nav = '<nav><a href="/">Long</a> <a href="/short/">Short</a></nav>'
    tall = "<div style='height: 3000px'>a long page</div>"
    server.page(
        "/",
        f"<title>Long</title>{head}",
        f"{nav}<main id=swup><h1>Long</h1>{tall}</main>{start}",
        bundle,
        html_delay,
    )
    server.page(
        "/short/",
        f"<title>Short</title>{head}",
        f"{nav}<main id=swup><h1>Short</h1><p>fits the window</p></main>{start}",
        bundle,
        html_delay,
    )


@pytest.mark.slow
def test_swup_with_its_progress_bar_each_page_is_measured_when_its_content_is_in(
    server, rules_file, tab
):
    swup_site(server, rules_file, 0.6)
    tab.goto(server.origin + "/")
    assert new_calls(tab, 0, 1) == expect("view / - Long")  # not scrolled: not read
    tab.click("text=Short")
    # The progress bar comes 300 ms after the click, the page after 600 ms: the short
    # page, which fits the window, is read at once.
    wait_until(tab, "document.querySelector('.swup-progress-bar') !== null", timeout=3)
    assert new_calls(tab, 1, 2) == expect("view /short/ - Short", "read /short/")
    tab.go_back()
    assert new_calls(tab, 3, 1) == expect("view / - Long")
    tab.go_forward()
    assert new_calls(tab, 4, 2) == expect("view /short/ - Short", "read /short/")
    tab.click("text=Long")  # a revisit, from swup's cache
    assert new_calls(tab, 6, 1) == expect("view / - Long")


# --- Material for MkDocs, navigation.instant with prefetch and progress --------------------

MKDOCS = """\
site_name: Router test
site_url: {origin}/
theme:
  name: material
  font: false
  features: [navigation.instant, navigation.instant.prefetch, navigation.instant.progress]
plugins:
  - rtp-snippets:
      rules: rtp-rules.yml
"""
DOCS = {
    "index.md": "# Home\n\n[Pricing](pricing/index.md) [About](about/index.md)\n",
    "pricing/index.md": '# Pricing\n\n<div class="plans">Plans</div>\n\n[About](../about/index.md)\n',
    "about/index.md": "# About\n\n[Pricing](../pricing/index.md)\n",
}


def material_site(server, tmp_path) -> None:
    source = tmp_path / "material"
    (source / "docs").mkdir(parents=True)
    (source / "mkdocs.yml").write_text(MKDOCS.format(origin=server.origin))
    (source / "rtp-rules.yml").write_text(RULES)
    for name, text in DOCS.items():
        (source / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (source / "docs" / name).write_text(text)
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(source / "site")],
        cwd=source,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert built.returncode == 0, built.stderr
    server.folder = source / "site"


def material_calls(path: str, heading: str, plans: bool = False) -> list:
    # Material titles a page "Heading - Site name", the home page "Site name".
    title = "Router test" if path == "/" else f"{heading} - Router test"
    texts = [f"view {path} - {heading}", f"title {path} - {title}"]
    return expect(*texts, *([f"plans on {path}"] if plans else []))


@pytest.mark.slow
@pytest.mark.parametrize("html_delay", [0.0, 0.5], ids=["fast-server", "slow-server"])
def test_material_with_prefetch_and_progress_each_page_shown_reads_its_own_content(
    server, tmp_path, tab, html_delay
):
    material_site(server, tmp_path)
    server.delay = html_delay
    tab.add_init_script(SPY)
    tab.goto(server.origin + "/")
    assert new_calls(tab, 0, 2) == material_calls("/", "Home")
    tab.hover("article >> text=Pricing")  # prefetch starts on hover
    tab.click("article >> text=Pricing")
    tab.wait_for_url(server.origin + "/pricing/")
    assert new_calls(tab, 2, 3) == material_calls("/pricing/", "Pricing", plans=True)
    tab.click("article >> text=About")
    assert new_calls(tab, 5, 2) == material_calls("/about/", "About")
    tab.go_back()
    assert new_calls(tab, 7, 3) == material_calls("/pricing/", "Pricing", plans=True)
    tab.go_forward()
    assert new_calls(tab, 10, 2) == material_calls("/about/", "About")
    tab.click("article >> text=Pricing")  # a revisit
    assert new_calls(tab, 12, 3) == material_calls("/pricing/", "Pricing", plans=True)
