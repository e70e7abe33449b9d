"""Browser contexts and tabs reused from test to test, each handed out as clean as a new one.

Chromium spends about twice the CPU on a new context and its first page as on a new page
in a context it has (0.65 s against 0.30 s, measured here), and about 1.7 times as much on
a new page, its load and its closing as on loading the next page into a tab it has (0.32 to
0.38 s against 0.18 to 0.21 s); some 400 tests open one of each. ``Browser.new_context``
hands out a ``Reused`` context whose first ``new_page`` is the tab it kept from the test
before (a ``Tab``). Closing the context closes the test's other pages, takes the tab back
to a new tab's state (about:blank, no history, no window name, no listeners of the test's),
then undoes what the pages and the test left (storage, cookies and caches of every origin
they loaded, routes, init scripts, listeners, permissions, default timeouts) before it
goes back to the pool for the next test with the same options.

What cannot be undone is never reused. On a context: an installed clock, exposed
functions, extra headers, offline, geolocation, HAR routes, tracing, a CDP session, a page
outside http(s); touching it marks the context, and closing a marked context closes it for
good, as does any failure while cleaning up. A kept tab no test has yet closes when the
context is marked, so that a clock installed before the test's first page finds no page,
as in a new context. On a tab: anything but what ``TAB_UNDONE`` lists (its own routes,
init scripts, exposed functions, timeouts, keyboard, mouse, emulated media, viewport...)
marks it, and a marked tab, or one that a waiter the test left still listens to, is
closed, not kept.
"""

from __future__ import annotations

import functools
import inspect
from urllib.parse import urlsplit

from playwright.sync_api import Page

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
# Attributes a test may use on a kept tab without marking it: what they change ends with the
# page the tab shows (the document, its frames and handles) or is undone by
# ``Reused.close`` (listeners). The tab's ``context`` is the pool's ``Reused`` context.
TAB_UNDONE = {
    "add_script_tag",
    "add_style_tag",
    "aria_snapshot",
    "check",
    "click",
    "close",
    "content",
    "context",
    "dblclick",
    "dispatch_event",
    "drag_and_drop",
    "eval_on_selector",
    "eval_on_selector_all",
    "evaluate",
    "evaluate_handle",
    "expect_console_message",
    "expect_download",
    "expect_event",
    "expect_navigation",
    "expect_popup",
    "expect_request",
    "expect_request_finished",
    "expect_response",
    "fill",
    "focus",
    "frame",
    "frame_locator",
    "frames",
    "get_attribute",
    "get_by_alt_text",
    "get_by_label",
    "get_by_placeholder",
    "get_by_role",
    "get_by_test_id",
    "get_by_text",
    "get_by_title",
    "go_back",
    "go_forward",
    "goto",
    "hover",
    "inner_html",
    "inner_text",
    "input_value",
    "is_checked",
    "is_closed",
    "is_disabled",
    "is_editable",
    "is_enabled",
    "is_hidden",
    "is_visible",
    "locator",
    "main_frame",
    "on",
    "once",
    "opener",
    "press",
    "query_selector",
    "query_selector_all",
    "reload",
    "remove_listener",
    "request",
    "screenshot",
    "select_option",
    "set_checked",
    "set_content",
    "text_content",
    "title",
    "type",
    "uncheck",
    "url",
    "viewport_size",
    "wait_for_event",
    "wait_for_function",
    "wait_for_load_state",
    "wait_for_selector",
    "wait_for_timeout",
    "wait_for_url",
}
# What Playwright remembers of every page a tab showed: on a kept tab these lists would hold
# earlier tests' entries, so a kept tab refuses them.
TAB_HISTORIES = {"console_messages", "page_errors", "requests"}
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
        # The tab kept for the next test's first page, with a session open to clear the
        # storage with; tests do not see it (``pages``) until ``new_page`` hands it out.
        self._tab: Tab | None = None
        self._tab_in_use = False
        self._session = None
        self._keep_a_tab()
        context.on("request", self._note_origin)

    def _keep_a_tab(self) -> None:
        page = self._context.new_page()
        page.__class__ = Tab
        page._kept_start(self)
        self._tab = page
        self._session = self._context.new_cdp_session(page)

    def _note_origin(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https"):
            self._origins.add(f"{parts.scheme}://{parts.netloc}")
        elif parts.scheme not in ("about", "data", "blob"):
            self._mark()  # a file: page's storage is not cleared by origin

    def _mark(self) -> None:
        """The context will not be reused. Its kept tab goes now if no test has it yet, as
        a clock must not find a page to install itself in that the test did not open."""
        if not self._marked:
            self._marked = True
            if self._tab is not None and not self._tab_in_use:
                self._tab.close()
                self._tab = None

    def __getattr__(self, name):
        if name.startswith("_"):  # Playwright looks for its own attributes on handlers
            raise AttributeError(name)
        if name not in UNDONE:
            self._mark()
        return getattr(self._context, name)

    @property
    def pages(self) -> list:
        return [page for page in self._context.pages if page is not self._tab or self._tab_in_use]

    def new_page(self):
        if self._tab is not None and not self._tab_in_use:
            self._tab_in_use = True
            return self._tab
        return self._context.new_page()

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
            self._mark()
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
            if page is not self._tab:
                page.close()
        if self._tab_in_use:
            self._tab_in_use = False
            if not self._tab._kept_reset(self._session):
                self._keep_a_tab()
        self._context.unroute_all(behavior="ignoreErrors")
        for script in self._scripts:
            script.close()
        self._scripts.clear()
        _remove_all(self._listeners, self._context.remove_listener)
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


class Tab(Page):
    """A Playwright page kept by a ``Reused`` context from test to test: still a ``Page``
    (``expect`` and ``context.pages`` see it as one), which notes the listeners a test adds
    and marks itself when the test uses anything outside ``TAB_UNDONE``."""

    def _kept_start(self, context: Reused) -> None:
        self._kept_context = context
        self._kept_marked = False
        self._kept_listeners: list[tuple[str, object]] = []
        self._kept_listening_when_new = self._kept_listening()

    def _kept_mark(self) -> None:
        self._kept_marked = True

    def _kept_listening(self) -> list:
        """How many listeners Playwright's page and main frame hold, by event: a waiter
        that a test abandoned (an exception inside ``with page.expect_navigation()``)
        leaves some behind."""
        return [
            (event, len(emitter.listeners(event)))
            for emitter in (self._impl_obj, self._impl_obj.main_frame)
            for event in sorted(emitter.event_names())
        ]

    @property
    def context(self) -> Reused:
        return self._kept_context

    @property
    def clock(self):
        """The context's clock: installing it marks the context as well as the tab."""
        self._kept_mark()
        self._kept_context._mark()
        return super().clock

    def on(self, event, f) -> None:
        self._kept_listeners.append((event, f))
        super().on(event, f)

    def once(self, event, f) -> None:
        self._kept_listeners.append((event, f))
        super().once(event, f)

    def remove_listener(self, event, f) -> None:
        super().remove_listener(event, f)
        self._kept_listeners.remove((event, f))

    def _kept_reset(self, session) -> bool:
        """Take the tab back to a new tab's state for the next test; close it instead, and
        return False, if it cannot be."""
        if self.is_closed():
            return False
        _remove_all(self._kept_listeners, super().remove_listener)
        if self._kept_marked or self._kept_listening() != self._kept_listening_when_new:
            self.close()
            return False
        self.goto("about:blank", timeout=DEFAULT_TIMEOUT)
        self.evaluate("window.name = ''")  # kept by the tab from page to page, like history
        session.send("Page.resetNavigationHistory")
        return True


def _remove_all(listeners: list[tuple[str, object]], remove) -> None:
    """Remove the listeners a test added, as noted, and forget them."""
    for event, handler in listeners:
        try:
            remove(event, handler)
        except KeyError:  # a ``once`` listener that has run
            pass
    listeners.clear()


def _marking(attribute):
    if isinstance(attribute, property):

        def read(tab):
            tab._kept_mark()
            return attribute.fget(tab)

        return property(read)

    @functools.wraps(attribute)
    def call(tab, *args, **kwargs):
        tab._kept_mark()
        return attribute(tab, *args, **kwargs)

    return call


def _refusing(name: str):
    def refuse(tab, *args, **kwargs):
        raise TypeError(
            f"page.{name}() on a tab kept from test to test (support.contexts) would list "
            f"what earlier tests' pages did: listen with page.on() instead"
        )

    return refuse


for _name in dir(Page):
    if _name.startswith("_") or _name in TAB_UNDONE or _name in vars(Tab):
        continue
    if _name in TAB_HISTORIES:
        setattr(Tab, _name, _refusing(_name))
    else:
        setattr(Tab, _name, _marking(inspect.getattr_static(Page, _name)))
