"""Browser contexts reused from test to test, each handed out as clean as a new one.

Chromium spends about twice the CPU on a new context and its first page as on a new page
in a context it has (0.65 s against 0.30 s, measured here), and some 400 tests open one.
``Browser.new_context`` hands out a ``Reused`` context; closing it closes the test's
pages, then undoes what they and the test left (storage, cookies and caches of every
origin they loaded, routes, init scripts, listeners, permissions, default timeouts)
before it goes back to the pool for the next test with the same options.

What cannot be undone (an installed clock, exposed functions, extra headers, offline,
geolocation, HAR routes, tracing, a CDP session, a page outside http(s)) is never
reused: touching it marks the context, and closing a marked context closes it for good,
as does any failure while cleaning up. The page the context keeps to clean up with
closes when the context is marked, so that a clock installed before the test's first
page finds no page, as in a new context.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# Attributes a test may use on a reused context without marking it: what they change is
# undone by ``Reused.close``.
UNDONE = {
    "add_cookies",
    "browser",
    "clear_cookies",
    "clear_permissions",
    "cookies",
    "expect_event",
    "expect_page",
    "grant_permissions",
    "is_closed",
    "new_page",
    "request",
    "route",
    "set_default_navigation_timeout",
    "set_default_timeout",
    "storage_state",
    "unroute",
    "wait_for_event",
}
DEFAULT_TIMEOUT = 30_000  # Playwright's own default, in ms


class Browser:
    """Playwright's browser, with ``new_context`` handing out reused contexts."""

    def __init__(self, browser):
        self._browser = browser
        self._idle: dict[str, list[Reused]] = {}

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **options) -> Reused:
        key = repr(sorted(options.items()))
        idle = self._idle.setdefault(key, [])
        context = idle.pop() if idle else Reused(self._browser.new_context(**options), idle)
        context._in_use = True
        return context


class Reused:
    """A Playwright browser context that returns to its pool when closed."""

    def __init__(self, context, pool: list[Reused]):
        self._context = context
        self._pool = pool
        self._marked = False
        self._in_use = False
        self._listeners: list[tuple[str, object]] = []
        self._origins: set[str] = set()
        self._scripts: list = []
        # A blank page of our own keeps a session open to clear the storage with; tests
        # never see it (``pages``).
        self._keeper = context.new_page()
        self._session = context.new_cdp_session(self._keeper)
        context.on("request", self._note_origin)

    def _note_origin(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https"):
            self._origins.add(f"{parts.scheme}://{parts.netloc}")
        elif parts.scheme not in ("about", "data", "blob"):
            self._marked = True  # a file: page's storage is not cleared by origin

    def __getattr__(self, name):
        if name.startswith("_"):  # Playwright looks for its own attributes on handlers
            raise AttributeError(name)
        if name not in UNDONE and not self._marked:
            # The context will not be reused: its keeper page goes now, as a clock must
            # not find a page to install itself in that the test did not open.
            self._marked = True
            self._keeper.close()
        return getattr(self._context, name)

    @property
    def pages(self) -> list:
        return [page for page in self._context.pages if page != self._keeper]

    def on(self, event: str, handler) -> None:
        self._listeners.append((event, handler))
        self._context.on(event, handler)

    def once(self, event: str, handler) -> None:
        self._listeners.append((event, handler))
        self._context.once(event, handler)

    def remove_listener(self, event: str, handler) -> None:
        self._context.remove_listener(event, handler)
        self._listeners.remove((event, handler))

    def add_init_script(self, script=None, path=None):
        added = self._context.add_init_script(script, path=path)
        if hasattr(added, "close"):  # Playwright 1.5x: a Disposable that removes it
            self._scripts.append(added)
        else:
            self._marked = True
        return added

    def close(self) -> None:
        """Close the test's pages, undo what they and the test changed, and return the
        context to its pool; a marked context, or one that fails to clean up, is closed.
        Closing it again does nothing."""
        if not self._in_use:
            return
        self._in_use = False
        if not self._marked:
            try:
                self._clean()
            except Exception:
                self._marked = True
        if self._marked:
            self._context.close()
        else:
            self._pool.append(self)

    def _clean(self) -> None:
        for page in self.pages:
            page.close()
        self._context.unroute_all(behavior="ignoreErrors")
        for script in self._scripts:
            script.close()
        self._scripts.clear()
        for event, handler in self._listeners:
            try:
                self._context.remove_listener(event, handler)
            except KeyError:  # a ``once`` listener that has run
                pass
        self._listeners.clear()
        for origin in sorted(self._origins):
            self._session.send(
                "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}
            )
        self._origins.clear()
        self._session.send("Network.clearBrowserCache")
        self._context.clear_cookies()
        self._context.clear_permissions()
        self._context.set_default_timeout(DEFAULT_TIMEOUT)
        self._context.set_default_navigation_timeout(DEFAULT_TIMEOUT)
