"""`rtp-snippets preview --site/--serve`: a real server process, driven with Chromium."""

import http.client
import json
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from rtp_snippets import build_bundle, load_rules, serve
from support.cli import command, ctrl_c_stops, run

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SPY = "<script>window.sent = []; window.rtp = function () { sent.push(Array.from(arguments)); };</script>"
PAGE = (
    "<!doctype html><html><head>" + SPY + "</head><body>"
    "<button id=download-whitepaper>Get the whitepaper</button>"
    "<a class=cta href='#'>Buy</a></body></html>"
)
RULES = """rules:
  - "on click #download-whitepaper send 'download - example whitepaper'"
  - "on click .missing send 'never'"
  - "on click a.cta send 'cta', 'a', 'b', 'c', 'd', 'e' name cta"
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, tmp_path: Path, *options: str):
        self.port = free_port()
        self.rules = tmp_path / "rtp-rules.yml"
        self.site = tmp_path / "site"
        self.process = subprocess.Popen(
            command("preview", str(self.rules), *options, "--port", str(self.port)),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=ctrl_c_stops,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}/"

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        _, errors = self.process.communicate(timeout=10)
        return self.process.returncode, errors


@pytest.fixture
def served(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE)
    (tmp_path / "rtp-rules.yml").write_text(RULES)
    servers = []

    def start(*options):
        server = Server(tmp_path, *(options or ("--site", str(site))))
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.process.kill()
        server.process.communicate()  # also closes the pipes


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 900, "height": 600})
    context.set_default_timeout(5000)
    yield context.new_page()
    context.close()


def assert_banner_and_no_rule(page, error: str) -> None:
    """The page shows the rules' errors as the banner, ``error`` among them, and a click
    on the seed's target sends nothing."""
    banner = page.inner_text("#rtp-snippets-error")
    assert banner.startswith("rtp-snippets: the rules have errors, so no rule runs here\n")
    assert error in banner
    page.click("#download-whitepaper")
    assert logged(page) == []


def logged(page):
    return page.evaluate("window.rtpSnippetsPreview.calls.map(c => [c.rule, c.line, c.args])")


def test_panel_lists_each_call_and_a_dry_run_sends_nothing(served, page):
    server = served()
    page.goto(server.url)
    page.click("#download-whitepaper")
    page.click("a.cta")
    assert logged(page) == [
        [
            "click #download-whitepaper",
            2,
            ["send", "event", {"value": "download - example whitepaper"}],
        ],
        ["cta", 4, ["send", "event", {"value": ["cta", "a", "b", "c"]}]],
        ["cta", 4, ["send", "event", {"value": ["d", "e"]}]],
    ]
    items = page.locator("#rtp-snippets-calls li").all_inner_texts()
    assert [item.split("  ", 1)[1] for item in items] == [
        'click #download-whitepaper (line 2)\n  rtp("send", "event", {"value":"download - example whitepaper"})',
        'cta (line 4)\n  rtp("send", "event", {"value":["cta","a","b","c"]})',
        'cta (line 4)\n  rtp("send", "event", {"value":["d","e"]})',
    ]
    assert page.evaluate("window.sent") == []  # the page's own rtp got nothing
    assert (
        page.get_attribute("#download-whitepaper", "data-rtp-snippets-rule")
        == "click #download-whitepaper"
    )
    assert "dashed" in page.eval_on_selector("#download-whitepaper", "e => e.style.outline")
    assert page.get_attribute("a.cta", "title") == "click → cta | a | b | c | d | e (line 4)"
    assert page.inner_text("#rtp-snippets-summary") == (
        "Active here: click #download-whitepaper, cta\n"
        "Cannot fire here (no matching element): click .missing"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "preview-panel.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 5000
    code, errors = server.stop()
    assert code == 0 and "Stopped." in errors


def test_live_sends_to_the_page_rtp(served, page, tmp_path):
    server = served("--site", str(tmp_path / "site"), "--live")
    page.goto(server.url)
    page.click("#download-whitepaper")
    assert page.evaluate("window.sent") == [
        ["send", "event", {"value": "download - example whitepaper"}]
    ]
    assert len(logged(page)) == 1


def test_editing_the_rules_reloads_them_and_errors_show_a_banner(served, page):
    server = served()
    page.goto(server.url)
    page.click("#download-whitepaper")
    server.rules.write_text(RULES.replace("download - example whitepaper", "whitepaper v2"))
    page.reload()
    page.click("#download-whitepaper")
    assert logged(page) == [
        ["click #download-whitepaper", 2, ["send", "event", {"value": "whitepaper v2"}]]
    ]
    server.rules.write_text("rules:\n  - on click #download-whitepaper send 'x'\n")
    page.reload()
    assert_banner_and_no_rule(page, "rtp-rules.yml:2:14: this rule is cut short here")
    server.rules.write_text(RULES)
    page.reload()
    assert page.locator("#rtp-snippets-error").count() == 0
    code, errors = server.stop()
    assert "Error: " in errors and "rtp-rules.yml:2:14: this rule is cut short here" in errors


def raw_get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path)
    status = connection.getresponse().status
    connection.close()
    return status


def test_requests_outside_the_site_are_refused(served, tmp_path):
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "site" / "link.txt").symlink_to(tmp_path / "secret.txt")
    server = served()
    assert raw_get(server.port, "/index.html") == 200
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "//etc/passwd",
        "/link.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
    ]:
        assert raw_get(server.port, path) == 404, path
    assert not any((tmp_path / "site").glob("*.tmp"))
    assert (tmp_path / "site" / "index.html").read_text() == PAGE  # nothing written


def test_serve_without_a_site_builds_a_page_of_the_rules(served, page):
    server = served("--serve")
    page.goto(server.url)
    page.click("#download-whitepaper")
    page.click("a.cta")
    assert [call[0] for call in logged(page)] == ["click #download-whitepaper", "cta", "cta"]
    assert "no element: not a simple selector" not in page.inner_text("body")
    code, errors = server.stop()
    assert "GET / 200 injected (3 rules)" in errors.splitlines()


def test_a_port_in_use_is_a_clear_error(served):
    server = served()
    second = subprocess.run(
        command("preview", str(server.rules), "--serve", "--port", str(server.port)),
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert second.returncode == 1
    assert second.stderr.endswith(
        f"Error: port {server.port} is in use; choose another with --port\n"
    )


def test_overlay_and_dry_run_code_never_reach_build_or_inject(tmp_path):
    rules = tmp_path / "rtp-rules.yml"
    rules.write_text(RULES)
    built = run("build", str(rules)).stdout
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE)
    run("inject", str(site), "-r", str(rules))
    for text in (built, (site / "index.html").read_text(), build_bundle(load_rules(rules)).code):
        assert "rtpSnippetsPreview" not in text and "rtp-snippets preview" not in text


def request(port: int, raw: bytes) -> bytes:
    """Send ``raw`` as it is (http.client refuses control characters in a path) and read the
    whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(raw)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_each_request_is_logged_with_what_was_injected(served, tmp_path):
    (tmp_path / "rtp-rules.yml").write_text(
        "rules:\n"
        "  - \"on click #download-whitepaper send 'download'\"\n"
        "  - \"on click a.cta send 'cta' pages /pricing/**\"\n"
    )
    site = tmp_path / "site"
    (site / "pricing").mkdir()
    (site / "pricing" / "index.html").write_text(PAGE)
    (site / "style.css").write_text("body { color: red }")
    (site / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n")
    server = served()
    for path in ["/", "/pricing/", "/pricing", "/style.css", "/missing", "/image.html"]:
        raw_get(server.port, path)
    request(
        server.port,
        b"GET /\x1b[31m\xe2\x80\xae HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
        b"Connection: close\r\n\r\n" % server.port,
    )
    server.rules.write_text("rules:\n  - on click #download-whitepaper send 'x'\n")
    raw_get(server.port, "/")
    code, errors = server.stop()
    lines = errors.splitlines()
    assert lines[0] == f"rules loaded: 2 rules from {server.rules}"
    assert [line for line in lines if line.startswith("GET ")] == [
        "GET / 200 injected (1 rule)",
        "GET /pricing/ 200 injected (2 rules)",
        "GET /pricing 301",
        "GET /style.css 200",
        "GET /missing 404",
        "GET /image.html 200 not injected: a binary file, not HTML",
        "GET /%1B[31m%E2%80%AE 404",  # as sent, percent-encoded: nothing raw on the terminal
        "GET / 200 injected (the rules have errors)",
    ]
    assert lines.index("GET / 200 injected (the rules have errors)") > lines.index(
        next(line for line in lines if line.startswith("Error: "))
    )
    assert code == 0 and lines[-1] == "Stopped."


# Issue 12: the preview server faces a browser that also runs other sites' pages, and a
# machine where anything can open sockets to it.


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: the connection was closed without an answer
    headers: dict[str, str]  # names in lower case; Date left out, it ticks between requests
    body: bytes


def ask(port: int, target: str, method: str = "GET", hosts: list[str] | None = None) -> Answer:
    """One raw HTTP/1.1 request, sent as it is: ``target`` may hold any latin-1 character
    and ``hosts`` any Host headers (default: the one a browser sends, ``127.0.0.1:PORT``)."""
    hosts = [f"127.0.0.1:{port}"] if hosts is None else hosts
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"Host: {host}\r\n" for host in hosts)
    answer = request(port, (head + "Connection: close\r\n\r\n").encode("latin-1"))
    if not answer:
        return Answer(None, {}, b"")
    head_bytes, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head_bytes.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return Answer(
        int(status_line.split()[1]),
        {name.lower(): value for name, value in headers.items() if name != "Date"},
        body,
    )


def hostile_site(tmp_path: Path) -> Path:
    """The site of ``served``, plus what a rebinding page would be after: dot-files, a
    dot-folder, links into them and out of the site."""
    site = tmp_path / "site"
    (tmp_path / "secret.txt").write_text("secret outside the site")
    (site / "link.txt").symlink_to(tmp_path / "secret.txt")
    (site / ".env").write_text("API_KEY=secret")
    (site / ".draft.html").write_text(PAGE)
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text("[remote] url = secret")
    (site / "repository").symlink_to(site / ".git")
    (site / "environment.txt").symlink_to(site / ".env")
    (site / "pricing").mkdir()
    (site / "pricing" / "index.html").write_text(PAGE)
    (site / "style.css").write_text("body { color: red }")
    (site / "notes").mkdir()  # no index.html: a directory listing
    (site / "notes" / "todo.txt").write_text("todo")
    (site / "notes" / ".hidden").write_text("secret")
    return site


HOSTS = [  # (Host headers sent, status): only the server's own address is answered
    (["127.0.0.1:{port}"], 200),
    (["localhost:{port}"], 200),
    (["LocalHost:{port}"], 200),  # host names are case-insensitive
    (["[::1]:{port}"], 200),
    (["rebind.example:{port}"], 421),
    (["127.0.0.1.rebind.example:{port}"], 421),
    (["localhost.:{port}"], 421),
    (["127.0.0.1"], 421),  # a browser always names a port other than 80
    (["localhost:1{port}"], 421),
    (["127.0.0.1:{port}@rebind.example"], 421),
    ([], 421),
    (["127.0.0.1:{port}", "rebind.example:{port}"], 421),
]


def test_only_requests_for_the_server_s_own_host_and_port_are_answered(served, tmp_path):
    hostile_site(tmp_path)
    server = served()
    for hosts, status in HOSTS:
        hosts = [host.format(port=server.port) for host in hosts]
        for target in ["/", "/style.css", "/missing"]:
            answer = ask(server.port, target, hosts=hosts)
            expected = 404 if status == 200 and target == "/missing" else status
            assert answer.status == expected, (hosts, target)
            if status == 421:
                assert b"rtp-snippets" not in answer.body and b"color" not in answer.body
    ask(server.port, "/.env", hosts=["rebind.example"])
    ask(server.port, "/\x1b[31m\xe2\x80\xae", hosts=["rebind.example"])
    code, errors = server.stop()
    lines = errors.splitlines()
    assert "GET /.env 421" in lines
    assert "GET /%1B[31m%E2%80%AE 421" in lines  # refused requests are logged, escaped as all are


HIDDEN = [
    "/.env",
    "/%2eenv",
    "/%2Eenv",
    "/.git/config",
    "/.git/",
    "/.git",
    "/%2egit/config",
    "/notes/.hidden",
    "/notes/./.hidden",
    "/notes/%2ehidden",
    "/.draft.html",
    "/repository/config",
    "/environment.txt",
    "/pricing/../.env",
]


def test_dot_files_and_dot_folders_are_never_served(served, tmp_path):
    hostile_site(tmp_path)
    server = served()
    for target in HIDDEN:
        for method in ["GET", "HEAD"]:
            answer = ask(server.port, target, method)
            assert answer.status == 404, (method, target)
            assert b"secret" not in answer.body, (method, target)
    listing = ask(server.port, "/notes/")
    assert listing.status == 200 and b"todo.txt" in listing.body
    assert b"hidden" not in listing.body  # not even the name
    root = ask(server.port, "/pricing/")  # the rest of the site is served as before
    assert root.status == 200 and b"data-rtp-snippets" in root.body


SAME_AS_GET = [
    "/",
    "/index.html",
    "/pricing",
    "/pricing/",
    "/pricing/index.html",
    "/style.css",
    "/notes/",
    "/notes",
    "/missing",
    "/link.txt",
    "/../secret.txt",
    "/.env",
    "/repository/config",
    "/%00",
    "/?q=1",
    "/\x1b[31m",
]


def test_head_answers_exactly_as_get_without_the_body(served, tmp_path):
    hostile_site(tmp_path)
    server = served()
    for target in SAME_AS_GET:
        get, head = ask(server.port, target), ask(server.port, target, "HEAD")
        assert (head.status, head.headers) == (get.status, get.headers), target
        assert head.body == b"", target
        if get.status == 200:
            assert int(get.headers["content-length"]) == len(get.body), target
    assert ask(server.port, "/link.txt", "HEAD").status == 404  # a link to outside the site
    served_page = ask(server.port, "/")
    assert b"data-rtp-snippets" in served_page.body  # the length HEAD gave is of the injected page
    assert int(ask(server.port, "/", "HEAD").headers["content-length"]) == len(served_page.body)


def test_head_of_the_generated_page_answers_as_get(served, tmp_path):
    (tmp_path / "notes.txt").write_text("in the folder the server was started from")
    server = served("--serve")
    for target in ["/", "/notes.txt", "/rtp-rules.yml", "/site/index.html", "/missing"]:
        get, head = ask(server.port, target), ask(server.port, target, "HEAD")
        assert (head.status, head.headers, head.body) == (get.status, get.headers, b""), target
        assert get.status == (200 if target == "/" else 404), target


def test_a_nul_in_the_path_is_a_bad_request(served, tmp_path):
    server = served()
    for target in ["/%00", "/index.html%00.txt", "/%00/../index.html", "/x%00"]:
        for method in ["GET", "HEAD"]:
            assert ask(server.port, target, method).status == 400, (method, target)
    assert ask(server.port, "/").status == 200
    code, errors = server.stop()
    assert "Traceback" not in errors
    assert "GET /%00 400" in errors.splitlines()


def server_threads(server: Server) -> int:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


@pytest.mark.slow
def test_idle_connections_hold_no_thread_and_do_not_block_requests(served):
    server = served()
    assert ask(server.port, "/").status == 200
    # Its workers, started with it, and threads of its libraries (the Go runtime of `minify`
    # starts a few more as it likes): 200 silent and 100 stalled connections add none.
    most_threads = server_threads(server) + 8
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(200)]
    try:
        time.sleep(1)  # the server has accepted them all
        assert server_threads(server) <= most_threads
        started = time.monotonic()
        assert ask(server.port, "/").status == 200
        assert time.monotonic() - started < 5  # not after the silent ones time out (10 s)
        # Requests started and left unfinished wait for a worker of the fixed pool.
        stalled = []
        for _ in range(100):
            connection = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            connection.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n".encode())
            stalled.append(connection)
        idle += stalled
        time.sleep(1)
        assert server_threads(server) <= most_threads
    finally:
        for connection in idle:
            connection.close()


def test_silent_and_stalled_connections_are_closed_after_the_timeout(monkeypatch, tmp_path):
    monkeypatch.setattr(serve, "TIMEOUT_SECONDS", 0.5)
    (tmp_path / "rtp-rules.yml").write_text(RULES)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text(PAGE)
    server = serve.make_server(tmp_path / "rtp-rules.yml", tmp_path / "site", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        silent = socket.create_connection(("127.0.0.1", port), timeout=5)
        stalled = socket.create_connection(("127.0.0.1", port), timeout=5)
        stalled.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
        started = time.monotonic()
        for connection in (silent, stalled):
            while connection.recv(65536):  # until the server closes it
                pass
            connection.close()
        assert time.monotonic() - started < 3
        assert ask(port, "/").status == 200
    finally:
        server.shutdown()
        server.server_close()


BAD_EDIT = """rules:
  - event: click
    selector: "#download-whitepaper"
    send: download
    pages: 404
"""


def test_an_exception_while_reloading_the_rules_shows_as_the_banner_and_in_the_terminal(
    served, page
):
    server = served()
    page.goto(server.url)
    page.click("#download-whitepaper")
    assert len(logged(page)) == 1
    server.rules.write_text(BAD_EDIT)
    for _ in range(2):  # the first request after the edit, and the next: not the old rules
        page.reload()
        assert_banner_and_no_rule(page, "rtp-rules.yml:5:12: 'pages' takes a page glob")
    server.rules.write_text(RULES)
    page.reload()
    assert page.locator("#rtp-snippets-error").count() == 0
    code, errors = server.stop()
    assert code == 0
    assert any(
        line.startswith("Error: ")
        and line.endswith(
            "rtp-rules.yml:5:12: 'pages' takes a page "
            'glob or a list of them, e.g. pages: "/blog/**"'
        )
        for line in errors.splitlines()
    )
    assert "GET / 200 injected (the rules have errors)" in errors.splitlines()


class Broken(Exception):
    pass


def fail_to_load(path):
    raise Broken("the loader failed")


@pytest.mark.parametrize(
    "name, bad_edit, shown",
    [
        # Each of the first four once ended in a traceback (TypeError, ReaderError,
        # RecursionError, SystemExit); now each is an error at its place.
        ("rtp-rules.yml", BAD_EDIT, ":5:12: 'pages' takes a page glob"),
        ("rtp-rules.yml", 'rules: "\0"\n', ":1:9: YAML does not allow the character U+0000"),
        ("rtp-rules.yml", "rules: " + "[" * 5000 + "]" * 5000 + "\n", ":1:17: nested more than 10"),
        (
            "rules.py",
            "import sys\nsys.exit(3)\n",
            ":2:1: running the rules file failed: SystemExit: 3",
        ),
        ("rtp-rules.yml", fail_to_load, "Broken: the loader failed"),
    ],
)
def test_any_exception_while_loading_the_rules_is_their_error_until_they_change(
    tmp_path, monkeypatch, name, bad_edit, shown
):
    path = tmp_path / name
    path.write_text("rules = []\n" if name.endswith(".py") else "rules: []\n")
    reports = []
    rules = serve.Rules(path, reports.append)
    assert rules.current() == (load_rules(path), None)
    if callable(bad_edit):
        monkeypatch.setattr(serve, "load_rules", bad_edit)
        path.write_text("rules: [] # edited\n")
    else:
        path.write_text(bad_edit)
    for _ in range(2):  # read once, and remembered: not the old rules
        ruleset, error = rules.current()
        assert ruleset is None and error is not None and shown in error and str(path) in error
    assert reports[-1].startswith("Error: ") and shown in reports[-1]
    assert len([report for report in reports if report.startswith("Error: ")]) == 1


# Selectors a rules file may hold (it may come from anyone), and what `preview --serve` makes
# of each: only inert elements, with id, class, data-*, aria-*, type and name copied.
SELECTORS = [
    (
        'button#go.primary.big[data-track="a b"][aria-label=Go][type=button][name=go]',
        '<button id="go" class="primary big" data-track="a b" aria-label="Go" type="button" '
        'name="go">',
    ),
    ('[data-x="<img src=x onerror=ran(1)>"]', '<button data-x="&lt;img src=x onerror=ran(1)&gt;">'),
    (
        "iframe[srcdoc=\"<script>ran('iframe srcdoc')</script>\"]",
        "(no element: &lt;iframe&gt; is not built)",
    ),
    ('iframe[src="/from-iframe"]', "(no element: &lt;iframe&gt; is not built)"),
    ("iframe", "(no element: &lt;iframe&gt; is not built)"),
    (
        'script[src="https://third-party.example/from-script.js"]',
        "(no element: &lt;script&gt; is not built)",
    ),
    ('script[src="/from-script.js"]', "(no element: &lt;script&gt; is not built)"),
    ("script", "(no element: &lt;script&gt; is not built)"),
    ('object[data="/from-object"]', "(no element: &lt;object&gt; is not built)"),
    ('embed[src="/from-embed"]', "(no element: &lt;embed&gt; is not built)"),
    (
        'meta[http-equiv=refresh][content="1;url=/from-meta"]',
        "(no element: &lt;meta&gt; is not built)",
    ),
    ('base[href="https://third-party.example/"]', "(no element: &lt;base&gt; is not built)"),
    ('link[rel=stylesheet][href="/from-link.css"]', "(no element: &lt;link&gt; is not built)"),
    ("style", "(no element: &lt;style&gt; is not built)"),
    ("button[onclick=\"ran('onclick')\"]", "(no element: [onclick] is not copied)"),
    ("[ONCLICK=\"ran('ONCLICK')\"]", "(no element: [ONCLICK] is not copied)"),
    (
        'img[src="/from-img"][onerror="ran(\'onerror\')"]',
        "(no element: [src], [onerror] are not copied)",
    ),
    ("svg[onload=\"ran('svg onload')\"]", "(no element: [onload] is not copied)"),
    ("body[onload=\"ran('body onload')\"]", "(no element: [onload] is not copied)"),
    (
        "input[autofocus][onfocus=\"ran('onfocus')\"]",
        "(no element: [autofocus], [onfocus] are not copied)",
    ),
    (
        "details[open][ontoggle=\"ran('ontoggle')\"]",
        "(no element: [open], [ontoggle] are not copied)",
    ),
    ("[onmouseover=\"ran('onmouseover')\"]", "(no element: [onmouseover] is not copied)"),
    ("a[href=\"javascript:ran('href')\"]", "(no element: [href] is not copied)"),
    ("form[action=\"javascript:ran('action')\"]", "(no element: [action] is not copied)"),
    (
        "button[formaction=\"javascript:ran('formaction')\"]",
        "(no element: [formaction] is not copied)",
    ),
    ('[style="background: url(/from-style)"]', "(no element: [style] is not copied)"),
    (
        'video[src="/from-video"][poster="/from-poster"]',
        "(no element: [src], [poster] are not copied)",
    ),
]


def click_rules(*selectors: str) -> str:
    return "rules:\n" + "".join(
        f"  - {{event: click, selector: {json.dumps(selector)}, send: 'rule {index}'}}\n"
        for index, selector in enumerate(selectors)
    )


@pytest.mark.parametrize("selector, made", SELECTORS)
def test_serve_builds_only_inert_elements_from_selectors(rules_file, selector, made):
    assert made in serve.rules_page(load_rules(rules_file(click_rules(selector))))


def test_no_selector_runs_or_loads_anything_in_chromium(served, page, tmp_path):
    (tmp_path / "rtp-rules.yml").write_text(click_rules(*(selector for selector, _ in SELECTORS)))
    server = served("--serve")
    ran, requested = [], []
    page.expose_function("ran", lambda *args: ran.append(args))  # in every frame

    def only_the_page(route):
        requested.append(route.request.url)
        if route.request.url == server.url:
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_the_page)
    page.on("dialog", lambda dialog: ran.append(("dialog", dialog.message)) or dialog.dismiss())
    page.goto(server.url)
    page.evaluate("""() => {
        for (const element of document.querySelectorAll("li *")) {
            for (const type of ["mouseover", "focus", "toggle", "load", "error"])
                element.dispatchEvent(new Event(type, {bubbles: true}));
            element.focus?.();
            element.click?.();
        }
        for (const form of document.forms) form.requestSubmit();
    }""")
    page.wait_for_timeout(1500)  # a <meta> refresh after 1 s, image errors, frames loading
    assert ran == []
    assert requested == [server.url]
    assert page.url == server.url
    page.click("#go")  # the elements that are built still fire their rules
    assert (
        logged(page)[-1][0] == 'click button#go.primary.big[data-track="a b"][aria-label=Go]'
        "[type=button][name=go]"
    )


# Nothing lost, second round: a real server process on the loopback address, with bounded
# connection counts and times.


def test_a_folder_s_index_that_links_out_of_the_site_is_not_served(served, tmp_path):
    site = tmp_path / "site"
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("secret outside the site")
    (tmp_path / ".env").write_text("API_KEY=secret")
    (site / "docs").mkdir()
    (site / "docs" / "index.html").symlink_to(tmp_path / "outside" / "secret.txt")
    (site / "d2").mkdir()
    (site / "d2" / "index.htm").symlink_to(tmp_path / ".env")
    server = served()
    for target in ["/docs/", "/docs", "/d2/", "/d2", "/docs/index.html", "/d2/index.htm"]:
        for method in ["GET", "HEAD"]:
            answer = ask(server.port, target, method)
            assert answer.status in (301, 404), (method, target, answer.status)
            assert b"secret" not in answer.body, (method, target)
    assert ask(server.port, "/").status == 200


def test_a_fifo_or_other_file_that_is_not_regular_does_not_block_the_server(served, tmp_path):
    import os

    site = tmp_path / "site"
    os.mkfifo(site / "pipe.html")
    os.mkfifo(site / "pipe.txt")
    (site / "folder").mkdir()
    os.mkfifo(site / "folder" / "index.html")
    server = served()
    # As many requests for them as there are workers, at once, as a web page could send.
    waiting = []
    for index in range(serve.WORKERS):
        connection = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        target = ["/pipe.html", "/pipe.txt", "/folder/"][index % 3]
        connection.sendall(
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        waiting.append(connection)
    try:
        started = time.monotonic()
        assert ask(server.port, "/").status == 200
        for connection in waiting:
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
            assert answer.startswith(b"HTTP/1.0 404"), answer[:40]
        assert time.monotonic() - started < 3
    finally:
        for connection in waiting:
            connection.close()


@pytest.mark.slow
def test_slow_connections_cannot_hold_every_worker(served):
    # Sixteen connections that send one header byte now and then (slowloris): each request
    # has a deadline for its headers, and requests are answered meanwhile.
    server = served()
    slow = []
    try:
        for _ in range(serve.WORKERS * 2):
            connection = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            connection.sendall(b"G")
            slow.append(connection)
        started = time.monotonic()
        for round_ in range(6):
            time.sleep(0.5)
            for connection in slow:
                try:
                    connection.sendall(b"E" if round_ == 0 else b"x")
                except OSError:
                    pass  # closed by the server: what it should do in time
            answer_started = time.monotonic()
            assert ask(server.port, "/").status == 200
            assert time.monotonic() - answer_started < 1.5, round_
        # Past the header deadline, the server has closed every slow connection (after a
        # 408 answer, or without one); a recv that timed out would fail the test.
        time.sleep(max(0.0, serve.HEADER_SECONDS + 1 - (time.monotonic() - started)))
        for connection in slow:
            connection.settimeout(3)
            rest = b""
            while chunk := connection.recv(65536):
                rest += chunk
            assert rest == b"" or rest.startswith(b"HTTP/1.0 408"), rest[:40]
    finally:
        for connection in slow:
            connection.close()
