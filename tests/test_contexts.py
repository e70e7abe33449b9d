"""The browser harness reuses contexts (support.contexts): a test must get one as clean as
a new context, or a test could pass or fail because of the one before it."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = pytest.mark.browser

ORIGIN = "http://rtp.test"
OTHER = "http://other.test"
# Leaves something behind in every kind of storage a page can write.
WRITER = """<!doctype html><title>writer</title><script>
localStorage.setItem("left", "1");
sessionStorage.setItem("left", "1");
document.cookie = "left=1; path=/";
window.opened = new Promise(done => { indexedDB.open("left").onsuccess = () => done(true); });
</script>"""
# Reports what it finds.
READER = """<!doctype html><title>reader</title><script>
window.found = indexedDB.databases().then(databases =>
  ({local: localStorage.length, session: sessionStorage.length, cookie: document.cookie,
    databases: databases.map(d => d.name), script: window.fromInitScript || null}));
</script>"""


def serve(context, body: str, origin: str = ORIGIN) -> None:
    # Not support.browser.Site: it sets the default timeout, which a test here checks.
    context.route(
        f"{origin}/**",
        lambda route: route.fulfill(body=body, headers={"content-type": "text/html"}),
    )


def found(context, origin: str = ORIGIN) -> dict:
    page = context.new_page()
    page.goto(origin + "/")
    return page.evaluate("window.found")


def test_a_context_comes_back_as_clean_as_a_new_one(browser):
    used = browser.new_context()
    heard = []
    used.on("request", lambda request: heard.append(request.url))
    used.add_init_script("window.fromInitScript = 'left'")
    used.grant_permissions(["midi"])
    used.add_cookies([{"name": "added", "value": "1", "url": "http://never.test/"}])
    for origin in (ORIGIN, OTHER):
        serve(used, WRITER, origin)
        page = used.new_page()
        page.goto(origin + "/")
        assert page.evaluate("window.opened")
    used.new_page()  # left open
    used.set_default_timeout(1)
    used.set_default_navigation_timeout(1)
    used.close()

    again = browser.new_context()
    assert again is used, "the context was not reused: this test proves nothing"
    assert again.pages == []
    heard.clear()
    nothing = {"local": 0, "session": 0, "cookie": "", "databases": []}
    for origin in (ORIGIN, OTHER):
        serve(again, READER, origin)
        assert found(again, origin) == {**nothing, "script": None}
    assert heard == []
    page = again.new_page()
    page.goto(ORIGIN + "/")
    # A new context denies MIDI to a page served over http; the one before granted it.
    assert page.evaluate("navigator.permissions.query({name: 'midi'}).then(s => s.state)") == (
        "denied"
    )
    # Takes 50 ms: the 1 ms default timeout set before would fail it.
    page.wait_for_function("() => new Promise(done => setTimeout(() => done(true), 50))")
    assert again.cookies() == []
    again.close()


def test_a_route_of_the_test_before_serves_nothing(browser):
    used = browser.new_context()
    serve(used, WRITER)
    used.close()
    again = browser.new_context()
    assert again is used
    page = again.new_page()
    with pytest.raises(Exception, match="ERR_NAME_NOT_RESOLVED|ERR_FAILED"):
        page.goto(ORIGIN + "/")
    again.close()


def test_a_context_with_a_clock_is_closed_not_reused(browser):
    used = browser.new_context()
    used.clock.install(time=0)
    serve(used, "<!doctype html><script>window.now = Date.now()</script>")
    page = used.new_page()
    page.goto(ORIGIN + "/")
    assert page.evaluate("window.now") < 1_000_000
    used.close()
    assert used.is_closed()
    again = browser.new_context()
    assert again is not used
    serve(again, "<!doctype html><script>window.now = Date.now()</script>")
    page = again.new_page()
    page.goto(ORIGIN + "/")
    assert page.evaluate("window.now") > 1_000_000
    again.close()


def test_contexts_are_reused_only_with_the_same_options(browser):
    small = browser.new_context(viewport={"width": 400, "height": 300})
    small.close()
    other = browser.new_context(viewport={"width": 800, "height": 600})
    assert other is not small
    other.close()
    assert browser.new_context(viewport={"width": 400, "height": 300}) is small
    small.close()


def test_a_page_cached_by_the_test_before_is_loaded_again(browser):
    served = ["first"]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = f"<!doctype html><title>{served[0]}</title>".encode()
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("cache-control", "max-age=3600")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with ThreadingHTTPServer(("127.0.0.1", 0), Handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/"
        used = browser.new_context()
        page = used.new_page()
        page.goto(url)
        served[0] = "second"
        page.goto("about:blank")
        page.goto(url)
        assert page.title() == "first", "Chromium did not cache the page: this proves nothing"
        used.close()
        again = browser.new_context()
        assert again is used
        page = again.new_page()
        page.goto(url)
        assert page.title() == "second"
        again.close()
        server.shutdown()


def test_a_context_closed_twice_goes_back_once(browser):
    used = browser.new_context()
    used.close()
    used.close()
    first, second = browser.new_context(), browser.new_context()
    assert first is used
    assert second is not used
    first.close()
    second.close()


def test_a_context_that_loaded_a_file_is_closed_not_reused(browser, tmp_path):
    (tmp_path / "page.html").write_text("<script>localStorage.setItem('left', '1')</script>")
    used = browser.new_context()
    used.new_page().goto((tmp_path / "page.html").as_uri())
    used.close()
    assert used.is_closed()


# Leaves in the tab what a tab keeps from page to page: history, a window name, session
# storage, a listener of the test's that hears the next page.
TAB_WRITER = """<!doctype html><title>writer</title><script>
window.name = "left";
sessionStorage.setItem("left", "1");
history.pushState({}, "", "/pushed");
</script>"""
# Reports what it finds of the tab's past, and logs to the console.
TAB_READER = """<!doctype html><title>reader</title><script>
console.log("reader");
window.found = {history: history.length, entries: navigation.entries().length,
  name: window.name, session: sessionStorage.length, referrer: document.referrer};
</script>"""


def tab_state(page) -> dict:
    """What a page loaded in ``page`` sees of the tab's past, and where going back leads."""
    state = {"before": page.url}
    page.goto(ORIGIN + "/")
    state.update(page.evaluate("window.found"))
    page.go_back()
    return {**state, "back": page.url}


def test_a_kept_tab_comes_back_as_a_new_one(browser):
    used = browser.new_context()
    serve(used, TAB_WRITER)
    tab = used.new_page()
    heard = []
    tab.on("console", lambda message: heard.append(message.text))
    tab.goto(ORIGIN + "/")
    tab.goto(ORIGIN + "/second")
    assert tab.evaluate("[history.length, window.name]") == [5, "left"]
    used.close()

    again = browser.new_context()
    assert again is used
    page = again.new_page()
    assert page is tab, "the tab was not kept: this test proves nothing"
    assert again.pages == [tab]
    serve(again, TAB_READER)
    new = again.new_page()  # the tab is taken: a new one
    assert new is not tab
    assert (
        tab_state(tab)
        == tab_state(new)
        == {
            "before": "about:blank",
            "history": 2,
            "entries": 1,
            "name": "",
            "session": 0,
            "referrer": "",
            "back": "about:blank",
        }
    )
    assert heard == [], "a listener of the test before heard this one's page"
    again.close()


def abandon_a_waiter(page) -> None:
    """Fail inside ``with page.expect_navigation()``: the waiter's listeners stay behind."""
    with pytest.raises(KeyError), page.expect_navigation(timeout=5000):
        raise KeyError("the test failed inside the with block")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda page: page.set_default_timeout(1), id="timeout"),
        pytest.param(lambda page: page.route("**/*", lambda route: route.abort()), id="route"),
        pytest.param(lambda page: page.expose_function("left", lambda: 1), id="exposed"),
        pytest.param(lambda page: page.add_init_script("window.left = 1"), id="init-script"),
        pytest.param(lambda page: page.emulate_media(color_scheme="dark"), id="media"),
        pytest.param(
            lambda page: page.set_viewport_size({"width": 300, "height": 200}), id="viewport"
        ),
        pytest.param(lambda page: page.set_extra_http_headers({"x-left": "1"}), id="headers"),
        pytest.param(lambda page: page.keyboard.down("Shift"), id="key"),
        pytest.param(lambda page: page.mouse.down(), id="mouse"),
        pytest.param(lambda page: page.close(), id="closed"),
        pytest.param(abandon_a_waiter, id="waiter"),
    ],
)
def test_a_tab_the_test_changed_for_good_is_closed_not_kept(browser, change):
    used = browser.new_context()
    tab = used.new_page()
    change(tab)
    used.close()
    assert tab.is_closed()
    again = browser.new_context()
    assert again is used, "the context was not reused: this test proves nothing"
    assert again.new_page() is not tab
    again.close()


def test_a_kept_tab_s_context_and_clock_are_the_pool_s(browser):
    used = browser.new_context()
    tab = used.new_page()
    assert tab.context is used
    tab.clock.install(time=0)
    used.close()
    assert used.is_closed(), "a clock installed through the tab left the context reusable"


def test_a_kept_tab_refuses_what_playwright_remembers_of_earlier_pages(browser):
    used = browser.new_context()
    tab = used.new_page()
    for name in ("requests", "console_messages", "page_errors"):
        with pytest.raises(TypeError, match="listen with page.on"):
            getattr(tab, name)()
    used.close()
