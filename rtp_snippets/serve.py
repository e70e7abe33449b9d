"""Stage 9, serve: ``rtp-snippets preview --site``: serve a built site with the rules and a
debug overlay.

Nothing under the site folder is written: each HTML response gets the preview
bundle (calls go to the overlay, and on to the page's real ``rtp`` only when
live) and the overlay, injected on the fly. The rules file is read again
whenever it changes; while it has errors (or loading it fails in any way),
pages show them in a banner and the server keeps running.

Any page a browser shows can send requests here, so the server answers only
requests addressed to itself (``Host: 127.0.0.1:PORT``, ``localhost:PORT`` or
``[::1]:PORT``; a DNS rebinding domain gets 421) and serves nothing outside the
folder or hidden in it (``.env``, ``.git/``), nor anything but regular files and
folders (a FIFO or a device would block the worker that opens it): 404. A folder's
index goes through the same checks as the page it names. HEAD takes the same way
as GET. One thread reads every connection's request line and headers without
blocking, within HEADER_SECONDS; a worker takes the request only once they are
all in, and writes the answer within ANSWER_SECONDS, so neither idle nor slow
connections can hold the workers.

The server is written on ``http.server``, not on an ASGI server such as uvicorn:
measured with uvicorn 0.55 (h11 0.16), 32 connections that each send one header
byte a second are never closed, and with ``--limit-concurrency 16`` every other
request gets 503 meanwhile, so a header deadline would have to be added there too.
"""

from __future__ import annotations

import errno
import html
import io
import os
import queue
import re
import selectors
import socket
import stat
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, unquote

from . import paths
from .errors import PageSkipped, RtpSnippetsError
from .inject import insert_blocks, script_block
from .load import load_rules
from .model import Rule, RuleSet
from .render import build_bundle, build_overlay
from .terminal import counted
from .walk import HTML_SUFFIXES

HOST = "127.0.0.1"
# The names a browser on this machine may use for the server; a DNS rebinding page uses its own.
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
WORKERS = 16  # requests answered at once
# A connection silent this long before its request starts is closed.
TIMEOUT_SECONDS = 10.0
# A request's line and headers must all arrive within this many seconds of its first byte,
# and be at most HEAD_BYTES long; else the connection is closed. A worker only answers a
# request whose head has arrived, so slow senders hold no worker.
HEADER_SECONDS = 5.0
HEAD_BYTES = 65536
# An answer must be written within this many seconds (a client that does not read it
# cannot hold a worker longer); each write also waits at most TIMEOUT_SECONDS.
ANSWER_SECONDS = 30.0
# What `preview --serve` copies from a selector into the element it builds. A rules file can
# come from anyone, and whatever an element runs or loads would run on the server's origin.
COPIED_ATTRIBUTES = ("id", "class", "type", "name")
COPIED_PREFIXES = ("data-", "aria-")
NEVER_BUILT = frozenset(("script", "iframe", "object", "embed", "meta", "base", "link", "style"))
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
                # A loader bug, or a Python rules file that exits, must not leave the previous
                # rules in force: pages would run rules that are no longer in the file.
                except (Exception, SystemExit) as error:
                    self.ruleset = None
                    self.error = f"{self.path}: loading the rules failed: {_described(error)}"
                    self.report(f"Error: {self.error}\n{traceback.format_exc().rstrip()}")
            return self.ruleset, self.error


def _described(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


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
    running = ruleset.for_page(path) if ruleset else ()
    rules = ruleset.page_share(running) if ruleset else RuleSet(())
    off = [
        (rule, _kept_off_by(rule, path))
        for index, rule in enumerate(ruleset or ())
        if index not in running
    ]
    block = script_block(build_overlay(rules, live, error, off))
    if ruleset is not None and len(rules):
        block += script_block(build_bundle(rules, minify=False, preview=True))
    try:
        injected = insert_blocks(data, block).data
    except PageSkipped as skipped:
        return PreviewPage(data, f"not injected: {skipped.reason}")
    if ruleset is None:
        return PreviewPage(injected, "injected (the rules have errors)")
    return PreviewPage(injected, f"injected ({counted(len(rules), 'rule')})")


def _kept_off_by(rule: Rule, path: str) -> str:
    """Why the rule's globs keep it off the page at ``path``: ``pages /blog/**`` (its
    pages globs, none matching) or ``exclude /blog/drafts/**`` (the exclude glob that
    matches)."""
    if rule.pages and not paths.matches(rule.pages, path):
        return "pages " + ", ".join(rule.pages)
    return "exclude " + ", ".join(glob for glob in rule.exclude if paths.matches((glob,), path))


def rules_page(ruleset: RuleSet) -> str:
    """A page with one element for each rule whose selector is simple enough to build."""
    items = []
    for rule in ruleset:
        label = html.escape(f"{rule.event} {rule.selector or ''}: {' | '.join(rule.send)}")
        element = _element_for(rule, label)
        if isinstance(element, _NoElement):
            element = f"{label} <em>(no element: {html.escape(element.reason)})</em>"
        items.append(f"<li>{element}</li>")
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>rtp-snippets rules</title></head>"
        "<body><h1>rtp-snippets rules</h1><ul>" + "".join(items) + "</ul>"
        '<div style="height:150vh"></div>'
        "<script>document.addEventListener('submit', function (e) { e.preventDefault(); });"
        "</script></body></html>"
    )


@dataclass(frozen=True)
class _NoElement:
    reason: str


def _element_for(rule: Rule, label: str) -> str | _NoElement:
    """An element that the rule's selector matches, with the label inside. Only inert ones are
    built (NEVER_BUILT, COPIED_ATTRIBUTES): a rule whose selector needs more gets none."""
    if rule.link is not None:
        return _NoElement("a link rule (the page's own links)")
    if rule.selector is None:
        return _NoElement("fires by itself")
    match = _SIMPLE_SELECTOR.match(rule.selector.strip())
    if not match or not rule.selector.strip():
        return _NoElement("not a simple selector")
    tag = match["tag"] or ("form" if rule.event == "submit" else "button")
    if tag in NEVER_BUILT:
        return _NoElement(f"<{tag}> is not built")
    attributes = []
    if match["id"]:
        attributes.append(f'id="{match["id"][1:]}"')
    if match["classes"]:
        attributes.append(f'class="{" ".join(match["classes"][1:].split("."))}"')
    refused = []
    for name, value in re.findall(
        r"\[([-\w]+)(?:=(\"[^\"]*\"|'[^']*'|[-\w]+))?\]", match["attributes"]
    ):
        if name.lower() in COPIED_ATTRIBUTES or name.lower().startswith(COPIED_PREFIXES):
            attributes.append(f'{name}="{html.escape(value.strip(chr(34) + chr(39)))}"')
        else:
            refused.append(f"[{name}]")
    if refused:
        return _NoElement(f"{', '.join(refused)} {'is' if len(refused) == 1 else 'are'} not copied")
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

    def setup(self) -> None:
        """The request's head, read by the server's reading thread, is the handler's input;
        its answer goes out within ANSWER_SECONDS."""
        self.connection = self.request
        self.connection.settimeout(TIMEOUT_SECONDS)  # for each write
        server = cast(PreviewServer, self.server)
        self.rfile = io.BytesIO(server.heads.pop(self.connection, b""))
        self.wfile = _DeadlineWriter(self.connection, time.monotonic() + ANSWER_SECONDS)

    def parse_request(self) -> bool:
        """http.server's parsing, then the Host check: a page on a DNS rebinding domain
        (one that resolves to 127.0.0.1) reaches this server under its own name."""
        if not super().parse_request():
            return False
        port = cast(PreviewServer, self.server).server_port
        names = [f"{name}:{port}" for name in LOCAL_NAMES]
        if port == 80:  # the default port, which browsers leave out
            names += LOCAL_NAMES
        hosts = self.headers.get_all("Host", [])
        if len(hosts) != 1 or hosts[0].strip().lower() not in names:
            explain = f"This server answers only requests for {HOST}:{port} or localhost:{port}."
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, explain=explain)
            return False
        return True

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

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        """GET and HEAD: the same checks and headers; HEAD leaves out the body."""
        ruleset, error = self.rules.current()
        # As http.server's translate_path reads it, so both name the same file.
        path = unquote(self.path.split("?", 1)[0].split("#", 1)[0])
        if "\0" in path:  # no file name holds one; os calls raise ValueError on it
            self.send_error(HTTPStatus.BAD_REQUEST, explain="The path holds a NUL character.")
            return
        if self.generated:
            if path != "/":
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            text = rules_page(ruleset) if ruleset else "<!doctype html><html><body></body></html>"
            self._send(preview_page(text.encode(), "/", ruleset, error, self.live), with_body)
            return
        raw = self.path.split("?", 1)[0].split("#", 1)[0]
        resolved = self._site_file(path, raw)
        if resolved is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        if resolved.is_dir():
            if not path.endswith("/"):  # as http.server does: the folder's own address
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", quote(path + "/", errors="surrogatepass"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            # The folder's index, through the same checks as a request for it.
            for index in ("index.html", "index.htm"):
                if (resolved / index).exists() or (resolved / index).is_symlink():
                    path, raw = path + index, raw + index
                    resolved = self._site_file(path, raw)
                    if resolved is None:
                        self.send_error(HTTPStatus.NOT_FOUND)
                        return
                    break
            else:
                listing = self.list_directory(str(resolved))
                if listing is not None:
                    self._copy(listing, with_body)
                return
        opened = _open_regular(resolved)
        if opened is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        with opened:
            if resolved.suffix.lower() in HTML_SUFFIXES:
                page = preview_page(opened.read(), path, ruleset, error, self.live)
                self._send(page, with_body)
                return
            size = os.fstat(opened.fileno()).st_size
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", self.guess_type(str(resolved)))
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if with_body:
                self.copyfile(opened, self.wfile)

    def _copy(self, body: io.BytesIO, with_body: bool) -> None:
        if with_body:
            self.copyfile(body, self.wfile)

    def _site_file(self, path: str, raw: str) -> Path | None:
        """The file or folder under the site that ``path`` (``raw`` as the request wrote it,
        percent-encoded) names, links followed; None if there is none, or it is outside
        the site, or hidden: a name starting with a dot (``.env``, ``.git/config``, also
        reached through a link) is never served."""
        if any(part.startswith(".") for part in path.split("/")):
            return None
        root = self.root.resolve()
        try:
            resolved = Path(self.translate_path(raw)).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not resolved.is_relative_to(root):
            return None
        if any(part.startswith(".") for part in resolved.relative_to(root).parts):
            return None
        return resolved

    def list_directory(self, path: str | os.PathLike[str]) -> io.BytesIO | None:
        """A folder without index.html: its names, as http.server lists them, but without
        the hidden ones."""
        try:
            names = sorted(
                (name for name in os.listdir(path) if not name.startswith(".")), key=str.lower
            )
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "No permission to list directory")
            return None
        title = html.escape(f"Directory listing for {unquote(self.path)}", quote=False)
        items = []
        for name in names:
            slash = "/" if os.path.isdir(os.path.join(path, name)) else ""
            link = quote(name + slash, errors="surrogatepass")
            items.append(f'<li><a href="{link}">{html.escape(name + slash, quote=False)}</a></li>')
        listing = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"</head><body><h1>{title}</h1><ul>{''.join(items)}</ul></body></html>\n"
        ).encode("utf-8", "surrogateescape")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(listing)))
        self.end_headers()
        return io.BytesIO(listing)

    def _send(self, page: PreviewPage, with_body: bool) -> None:
        body, self.outcome = page.data, page.outcome
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if with_body:
            self.wfile.write(body)


def _open_regular(path: Path) -> io.BufferedReader | None:
    """The file at ``path``, opened without blocking, if it is a regular file; else None
    (a FIFO, a device or a socket would block or never end)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        return None
    return open(descriptor, "rb")


class _DeadlineWriter(io.BufferedIOBase):
    """The connection's output: each write waits at most TIMEOUT_SECONDS, and none is
    started past the deadline."""

    def __init__(self, connection: socket.socket, deadline: float):
        self.connection, self.deadline = connection, deadline

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the answer took too long to be read")
        self.connection.settimeout(min(left, TIMEOUT_SECONDS))
        self.connection.sendall(data)
        return len(data)


class PreviewServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer with a fixed pool of WORKERS threads, where a connection takes a
    worker only once its request's line and headers have arrived.

    Until then it waits, with all the others, in one thread's selector, which reads what
    each sends without blocking: idle connections (a browser's preconnects, or thousands
    of sockets opened by anyone) are closed after TIMEOUT_SECONDS, and a request whose head
    is not complete within HEADER_SECONDS of its first byte (or longer than HEAD_BYTES) is
    closed too. None of them costs a thread or holds up requests.
    """

    # Connections the system accepts before the server takes them; beyond this a connection
    # waits a second to try again (socketserver's default is 5).
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: Callable[..., _Handler]):
        self.threads: list[threading.Thread] = []
        super().__init__(address, handler)  # if it cannot listen, it calls server_close
        self.arrived: queue.SimpleQueue[tuple[socket.socket, Any]] = queue.SimpleQueue()
        self.readable: queue.SimpleQueue[tuple[socket.socket, Any] | None] = queue.SimpleQueue()
        self.heads: dict[socket.socket, bytes] = {}  # each request's head, for its handler
        # A byte on this pair wakes the selector thread: a connection arrived, or closing.
        self.wake_reader, self.wake_writer = socket.socketpair()
        self.closing = False
        self.threads = [threading.Thread(target=self._wait_for_requests, daemon=True)]
        self.threads += [threading.Thread(target=self._work, daemon=True) for _ in range(WORKERS)]
        for thread in self.threads:
            thread.start()

    def process_request(self, request, client_address):
        """Called for each accepted connection: hand it to the selector thread."""
        self.arrived.put((request, client_address))
        self.wake_writer.send(b"\0")

    def _wait_for_requests(self) -> None:
        with selectors.DefaultSelector() as selector, self.wake_reader, self.wake_writer:
            # Each connection's data: [connection, address, deadline, bytes of its head].
            selector.register(self.wake_reader, selectors.EVENT_READ, None)
            while True:
                deadlines = [key.data[2] for key in selector.get_map().values() if key.data]
                wait = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
                for key, _ in selector.select(wait):
                    if key.data is None:
                        self.wake_reader.recv(4096)
                        while not self.arrived.empty():
                            request, address = self.arrived.get()
                            deadline = time.monotonic() + TIMEOUT_SECONDS
                            try:
                                request.setblocking(False)
                                selector.register(
                                    request,
                                    selectors.EVENT_READ,
                                    [request, address, deadline, b""],
                                )
                            except (OSError, ValueError):  # closed already: nothing to wait for
                                self.shutdown_request(request)
                    else:
                        self._read_head(selector, key.data)
                now = time.monotonic()
                for key in list(selector.get_map().values()):
                    if key.data and (self.closing or key.data[2] <= now):
                        selector.unregister(key.fileobj)
                        self.shutdown_request(key.data[0])
                if self.closing:
                    return

    def _read_head(self, selector: selectors.BaseSelector, data: list) -> None:
        """Read what the connection sent; once its request's head is in, a worker answers."""
        request = data[0]
        try:
            chunk = request.recv(HEAD_BYTES)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:  # closed by the client
            selector.unregister(request)
            self.shutdown_request(request)
            return
        if not data[3]:  # the first byte: the whole head must follow in time
            data[2] = min(data[2], time.monotonic() + HEADER_SECONDS)
        data[3] += chunk
        if b"\r\n\r\n" in data[3] or b"\n\n" in data[3] or len(data[3]) > HEAD_BYTES:
            selector.unregister(request)
            request.setblocking(True)
            self.heads[request] = data[3]
            self.readable.put((request, data[1]))

    def _work(self) -> None:
        while (connection := self.readable.get()) is not None:
            self.process_request_thread(*connection)  # handles, logs errors, closes

    def server_close(self) -> None:
        super().server_close()
        if self.threads and not self.closing:
            self.closing = True  # the selector thread closes the waiting connections and ends
            self.wake_writer.send(b"\0")
            for _ in range(WORKERS):
                self.readable.put(None)


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
        return PreviewServer((HOST, port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise RtpSnippetsError(f"port {port} is in use; choose another with --port") from None
        raise RtpSnippetsError(f"cannot listen on {HOST}:{port}: {error.strerror}") from None


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://{HOST}:{server.server_address[1]}/"
