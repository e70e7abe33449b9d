"""``rtp-snippets preview --site``: serve a built site with the rules and a debug overlay.

Nothing under the site folder is written: each HTML response gets the preview
bundle (calls go to the overlay, and on to the page's real ``rtp`` only when
live) and the overlay, injected on the fly. The rules file is read again
whenever it changes; while it has errors, pages show them in a banner and the
server keeps running. Requests for anything outside the folder get 404.
"""

from __future__ import annotations

import errno
import html
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .errors import RtpSnippetsError
from .inject import PageSkipped, insert_blocks, script_block
from .load import load_rules
from .model import Rule, RuleSet
from .paths import HTML_SUFFIXES
from .preview import counted
from .render import build_bundle, build_overlay
from .site import rules_for_page

HOST = "127.0.0.1"
_SIMPLE_SELECTOR = re.compile(
    r"(?P<tag>[a-z][a-z0-9-]*)?(?P<id>#[-\w]+)?(?P<classes>(?:\.[-\w]+)*)"
    r"(?P<attributes>(?:\[[-\w]+(?:=(?:\"[^\"]*\"|'[^']*'|[-\w]+))?\])*)\Z"
)
# What the request log shows of a request as it came: printable ASCII.
_PRINTABLE = "".join(chr(code) for code in range(0x20, 0x7F))


class Rules:
    """The rules file, read again when it changes; ``error`` holds its problems, if any."""

    def __init__(self, path: Path, report: Callable[[str], None] = lambda text: None):
        self.path = path
        self.report = report
        self.stamp: object = None  # (mtime, size) of the file last read; None before any read
        self.ruleset: RuleSet | None = None
        self.error: str | None = None
        self.lock = threading.Lock()

    def current(self) -> tuple[RuleSet | None, str | None]:
        with self.lock:
            try:
                status = self.path.stat()
                stamp: object = (status.st_mtime_ns, status.st_size)
            except OSError:
                stamp = "missing"
            if stamp != self.stamp:
                self.stamp = stamp
                try:
                    self.ruleset, self.error = load_rules(self.path), None
                    self.report(
                        f"rules loaded: {counted(len(self.ruleset), 'rule')} from {self.path}"
                    )
                except RtpSnippetsError as error:
                    self.ruleset, self.error = None, "\n".join(error.messages())
                    self.report("\n".join(f"Error: {message}" for message in error.messages()))
            return self.ruleset, self.error


@dataclass(frozen=True)
class PreviewPage:
    """A page as served, and what was put into it, as the request log says it:
    ``injected (3 rules)``, ``injected (the rules have errors)``, ``not injected: why``."""

    data: bytes
    outcome: str


def preview_page(
    data: bytes, path: str, ruleset: RuleSet | None, error: str | None, live: bool
) -> PreviewPage:
    """The page with the preview bundle of its rules and the overlay; unchanged if it has
    no place for them."""
    rules = ruleset.subset(rules_for_page(ruleset, path)) if ruleset else RuleSet(())
    block = script_block(build_overlay(rules, live, error))
    if ruleset is not None and len(rules):
        block += script_block(build_bundle(rules, minify=False, preview=True))
    try:
        injected = insert_blocks(data, block).data
    except PageSkipped as skipped:
        return PreviewPage(data, f"not injected: {skipped.reason}")
    if ruleset is None:
        return PreviewPage(injected, "injected (the rules have errors)")
    return PreviewPage(injected, f"injected ({counted(len(rules), 'rule')})")


def rules_page(ruleset: RuleSet) -> str:
    """A page with one element for each rule whose selector is simple enough to build."""
    items = []
    for rule in ruleset:
        label = html.escape(f"{rule.event} {rule.selector or ''}: {' | '.join(rule.send)}")
        element = _element_for(rule, label)
        if element:
            items.append(f"<li>{element}</li>")
        else:
            items.append(
                f"<li>{label} <em>(no element: "
                f"{'not a simple selector' if rule.selector else 'fires by itself'})</em></li>"
            )
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>rtp-snippets rules</title></head>"
        "<body><h1>rtp-snippets rules</h1><ul>" + "".join(items) + "</ul>"
        '<div style="height:150vh"></div>'
        "<script>document.addEventListener('submit', function (e) { e.preventDefault(); });"
        "</script></body></html>"
    )


def _element_for(rule: Rule, label: str) -> str | None:
    if rule.selector is None:
        return None
    match = _SIMPLE_SELECTOR.match(rule.selector.strip())
    if not match or not rule.selector.strip():
        return None
    tag = match["tag"] or ("form" if rule.event == "submit" else "button")
    attributes = []
    if match["id"]:
        attributes.append(f'id="{match["id"][1:]}"')
    if match["classes"]:
        attributes.append(f'class="{" ".join(match["classes"][1:].split("."))}"')
    for name, value in re.findall(
        r"\[([-\w]+)(?:=(\"[^\"]*\"|'[^']*'|[-\w]+))?\]", match["attributes"]
    ):
        attributes.append(f'{name}="{html.escape(value.strip(chr(34) + chr(39)))}"')
    opening = " ".join([tag, *attributes])
    if tag == "form":
        return f"<{opening}><button>{label}</button></form>"
    return f"<{opening}>{label}</{tag}>"


class _Handler(SimpleHTTPRequestHandler):
    def __init__(
        self,
        *args,
        root: Path,
        rules: Rules,
        live: bool,
        generated: bool,
        report: Callable[[str], None],
        **kwargs,
    ):
        self.root, self.rules, self.live, self.generated = root, rules, live, generated
        self.report = report
        self.outcome: str | None = None  # what _send put into the page, for the request log
        super().__init__(*args, directory=str(root), **kwargs)

    def log_request(self, code: object = "-", size: object = "-") -> None:
        """One line per response, as ``mkdocs serve`` logs them: ``GET /pricing/ 200
        injected (3 rules)``, ``GET /style.css 200``, ``GET /missing 404``.

        The method and path are shown as the client sent them (http.server reads the
        request line as latin-1, so encoding it back gives the bytes), with everything
        but printable ASCII percent-encoded as in a URL: a path cannot put control
        characters on the terminal, and reads as the address it asks for.
        """
        # Without a command the request line could not be read (400, 414): show it whole.
        request = f"{self.command} {self.path}" if self.command else self.requestline
        shown = quote(request.encode("latin-1", "backslashreplace"), safe=_PRINTABLE) or "-"
        outcome, self.outcome = self.outcome, None
        status = code.value if isinstance(code, HTTPStatus) else code
        self.report(f"{shown} {status}" + (f" {outcome}" if outcome else ""))

    def log_message(self, format, *args):  # quiet: log_request says all that matters
        pass

    def do_GET(self):
        ruleset, error = self.rules.current()
        path = unquote(urlsplit(self.path).path)
        if self.generated:
            if path != "/":
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            page = rules_page(ruleset) if ruleset else "<!doctype html><html><body></body></html>"
            self._send(preview_page(page.encode(), "/", ruleset, error, self.live))
            return
        local = Path(self.translate_path(self.path))
        try:
            resolved = local.resolve(strict=True)
        except (OSError, RuntimeError):
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        if not resolved.is_relative_to(self.root.resolve()):
            self.send_error(HTTPStatus.NOT_FOUND, "outside the site")
            return
        if resolved.is_dir() and (resolved / "index.html").is_file() and path.endswith("/"):
            resolved, path = resolved / "index.html", path + "index.html"
        if resolved.is_file() and resolved.suffix.lower() in HTML_SUFFIXES:
            self._send(preview_page(resolved.read_bytes(), path, ruleset, error, self.live))
            return
        super().do_GET()

    def _send(self, page: PreviewPage) -> None:
        body, self.outcome = page.data, page.outcome
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def make_server(
    rules_path: Path,
    site: Path | None,
    port: int,
    live: bool = False,
    report: Callable[[str], None] = lambda text: None,
) -> ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1:port for the site (or, without one, a page of the rules)."""
    rules = Rules(Path(rules_path), report)
    rules.current()
    handler = partial(
        _Handler,
        root=Path(site or "."),
        rules=rules,
        live=live,
        generated=site is None,
        report=report,
    )
    try:
        return ThreadingHTTPServer((HOST, port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise RtpSnippetsError(f"port {port} is in use; choose another with --port") from None
        raise RtpSnippetsError(f"cannot listen on {HOST}:{port}: {error.strerror}") from None


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://{HOST}:{server.server_address[1]}/"
