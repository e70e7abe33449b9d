"""The browser harness: Debian's Chromium, pages served by Playwright's request routing
(no server, and response headers such as CSP are ours to set), a spy ``rtp`` that
records every call, and waiting on a condition rather than for a fixed time."""

from __future__ import annotations

import mimetypes
import time
from pathlib import Path
from urllib.parse import unquote

CHROMIUM = "/usr/bin/chromium"
# No GPU process, and none of the background traffic this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

ORIGIN = "http://rtp.test"
# In <head>, before the bundle: records every call to rtp as a plain array of its arguments.
SPY = "window.calls = []; window.rtp = function () { calls.push(Array.from(arguments)); };"
# Records every write to sessionStorage and localStorage as [storage, method, args...]; the
# consent stubs read the page's ?state= (granted, refused, undecided) from ``state``.
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


class Site:
    """Pages served under ``origin`` in a browser context, and the console errors they
    produce."""

    def __init__(self, context, origin: str = ORIGIN):
        self.context = context
        self.origin = origin
        context.set_default_timeout(5000)
        self.pages: dict[str, tuple[str, dict]] = {}
        self.errors: list[str] = []
        context.route(f"{origin}/**", self._serve)

    def _serve(self, route):
        path = unquote(route.request.url[len(self.origin) :].split("?")[0])
        if path not in self.pages:
            route.fulfill(status=404, body="not found")
            return
        body, headers = self.pages[path]
        route.fulfill(status=200, body=body, headers={"content-type": "text/html", **headers})

    def add(self, path: str, body: str, bundle=None, spy: bool = True, headers=None) -> str:
        head = f"<script>{SPY}</script>" if spy else ""
        script = f"<script>{bundle.code}</script>" if bundle else ""
        self.pages[path] = (
            f"<!doctype html><html><head><meta charset=utf-8>{head}</head>"
            f"<body>{body}{script}</body></html>",
            headers or {},
        )
        return self.origin + path

    def open(self, path: str, body: str, bundle=None, spy: bool = True, headers=None, query=""):
        return self.visit(self.add(path, body, bundle, spy, headers) + query)

    def visit(self, url: str):
        """A new tab at ``url`` whose console errors are collected."""
        page = self.context.new_page()
        page.on(
            "console", lambda message: message.type == "error" and self.errors.append(message.text)
        )
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.goto(url)
        return page


def serve_folder(context, root: Path, origin: str) -> None:
    """Serve the folder ``root`` under ``origin`` in a Playwright browser context, each file
    with its type (a folder's index.html for the folder); every other request fails
    (there is no network here)."""

    def handle(route):
        url = route.request.url
        if not url.startswith(origin + "/"):
            route.abort()
            return
        path = root / unquote(url[len(origin) + 1 :].split("?")[0].split("#")[0])
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            route.fulfill(status=404, body="not found")
            return
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=path.read_bytes(), headers={"content-type": kind})

    context.route("**/*", handle)


def calls(page) -> list:
    """What the spy recorded: one list of arguments per call of rtp."""
    return page.evaluate("window.calls")


def wait_until(page, expression: str, timeout: float = 5.0):
    """Look at ``expression`` from outside the page every 50 ms until it is true.

    Not ``page.wait_for_function``: after its first look it evaluates the string with
    the page's own eval, which a strict content security policy blocks (EvalError).
    """
    deadline = time.monotonic() + timeout
    while not (value := page.evaluate(expression)):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)
    return value


def wait_for_calls(page, count: int) -> list:
    wait_until(page, f"window.calls.length >= {count}")
    return calls(page)


def rendered(page) -> None:
    """Return once the page has rendered two frames after this call and its intersection
    observers have been told what each showed.

    A new IntersectionObserver reports at the next rendering update, in the same task as
    (and after) the page's older observers: once it has reported, the bundle's observers
    have seen the last scroll or layout change. The second frame covers elements the
    bundle starts watching in a requestAnimationFrame callback after a DOM change. Works
    on Playwright's paused clock too, which stops timers but not rendering.
    """
    page.evaluate("""() => new Promise(done => {
        let frames = 0;
        (function probe() {
            const observer = new IntersectionObserver(() => {
                observer.disconnect();
                if (++frames == 2) done(); else probe();
            });
            observer.observe(document.documentElement);
        })();
    })""")


def paused_clock(context, at: int = 1000) -> None:
    """Timers on a clock that stands still until the test moves it (``page.clock.run_for``):
    install before the first page, so the page's timers start at ``at`` ms."""
    context.clock.install(time=0)
    context.clock.pause_at(at)


def timers_run(page) -> None:
    """Return once the timers the page has set for now (``setTimeout(f)``, no delay) have
    run: a timer of ours, set after them with the same delay, runs after them."""
    page.evaluate("() => new Promise(done => setTimeout(done))")
