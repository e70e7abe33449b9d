"""`rtp-snippets preview --site/--serve`: a real server process, driven with Chromium."""

import http.client
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from rtp_snippets import build_bundle, load_rules
from rtp_snippets.cli import main

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SPY = "<script>window.sent = []; window.rtp = function () { sent.push(Array.from(arguments)); };</script>"
PAGE = ("<!doctype html><html><head>" + SPY + "</head><body>"
        "<button id=download-whitepaper>Get the whitepaper</button>"
        "<a class=cta href='#'>Buy</a></body></html>")
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
            [sys.executable, "-m", "rtp_snippets", "preview", str(self.rules), *options,
             "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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


def logged(page):
    return page.evaluate("window.rtpSnippetsPreview.calls.map(c => [c.rule, c.line, c.args])")


def test_panel_lists_each_call_and_a_dry_run_sends_nothing(served, page):
    server = served()
    page.goto(server.url)
    page.click("#download-whitepaper")
    page.click("a.cta")
    assert logged(page) == [
        ["click #download-whitepaper", 2, ["send", "event", {"value": "download - example whitepaper"}]],
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
    assert page.get_attribute("#download-whitepaper", "data-rtp-snippets-rule") == \
        "click #download-whitepaper"
    assert "dashed" in page.eval_on_selector("#download-whitepaper", "e => e.style.outline")
    assert page.get_attribute("a.cta", "title") == "click → cta | a | b | c | d | e (line 4)"
    assert page.inner_text("#rtp-snippets-summary") == (
        "Active here: click #download-whitepaper, cta\n"
        "Cannot fire here (no matching element): click .missing")
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
        ["send", "event", {"value": "download - example whitepaper"}]]
    assert len(logged(page)) == 1


def test_editing_the_rules_reloads_them_and_errors_show_a_banner(served, page):
    server = served()
    page.goto(server.url)
    page.click("#download-whitepaper")
    server.rules.write_text(RULES.replace("download - example whitepaper", "whitepaper v2"))
    page.reload()
    page.click("#download-whitepaper")
    assert logged(page) == [["click #download-whitepaper", 2, ["send", "event", {"value": "whitepaper v2"}]]]
    server.rules.write_text("rules:\n  - on click #download-whitepaper send 'x'\n")
    page.reload()
    banner = page.inner_text("#rtp-snippets-error")
    assert banner.startswith("rtp-snippets: the rules have errors, so no rule runs here\n")
    assert "rtp-rules.yml:2:14: this rule is cut short here" in banner
    page.click("#download-whitepaper")
    assert logged(page) == []
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
    for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "//etc/passwd",
                 "/link.txt", "/%2E%2E/%2E%2E/etc/passwd"]:
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
    second = subprocess.run([sys.executable, "-m", "rtp_snippets", "preview", str(server.rules),
                             "--serve", "--port", str(server.port)], capture_output=True, text=True,
                            timeout=20)
    assert second.returncode == 1
    assert second.stderr.endswith(f"Error: port {server.port} is in use; choose another with --port\n")


def test_overlay_and_dry_run_code_never_reach_build_or_inject(tmp_path):
    rules = tmp_path / "rtp-rules.yml"
    rules.write_text(RULES)
    built = CliRunner().invoke(main, ["build", str(rules)]).stdout
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE)
    CliRunner().invoke(main, ["inject", str(site), "-r", str(rules)])
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
        "  - \"on click a.cta send 'cta' pages /pricing/**\"\n")
    site = tmp_path / "site"
    (site / "pricing").mkdir()
    (site / "pricing" / "index.html").write_text(PAGE)
    (site / "style.css").write_text("body { color: red }")
    (site / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n")
    server = served()
    for path in ["/", "/pricing/", "/pricing", "/style.css", "/missing", "/image.html"]:
        raw_get(server.port, path)
    request(server.port, b"GET /\x1b[31m\xe2\x80\xae HTTP/1.1\r\nConnection: close\r\n\r\n")
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
    assert lines.index("GET / 200 injected (the rules have errors)") > \
        lines.index(next(line for line in lines if line.startswith("Error: ")))
    assert code == 0 and lines[-1] == "Stopped."
