"""Stage 9, verify: the built, injected site in a real browser, as a visitor uses it.

For every page, every rule that can fire there and each consent state, ``verify_site``
acts as a visitor would (loads the page, clicks each matching element, fills and submits
each form, scrolls, brings elements into view, lets time pass on the page's clock) and
compares the ``rtp`` calls the page makes with those the rule and the live page say it
should make. The expected calls are computed from the rule and the live DOM by code of
its own (``templates/verify.js``), never by the bundle's.

Nothing leaves the machine: the site is served on 127.0.0.1, every other host is
unreachable (the browser's proxy is a closed port on the loopback address, bypassed for
127.0.0.1 only), so Marketo's rtp.js and consent platforms' scripts never load; ``rtp``
is a recorder installed before any page script, and a
consent platform is a stand-in of its documented API in the state checked. Playwright
for Python drives the browser; it is an optional extra, imported only here.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import quoteattr

from .errors import PageSkipped, VerifyError
from .files import Unreadable, read_page
from .inject import script_block
from .links import link_matches
from .model import Rule, RuleSet, with_depth
from .page import client_navigation, decode
from .paths import matches
from .render import build_bundle
from .scan import MARKER, attribute_value, is_block, scan
from .text import FORMAT_PATTERN
from .walk import site_pages

CONSENT_STATES = ("none", "refused", "granted")
# The events a visitor triggers on an element (the others happen to the page).
TRIGGERED = ("click", "submit")
# Elements of a rule tried on each page unless told to try all.
DEFAULT_ELEMENTS = 3
# How long to wait, on the page's clock, after a click: a click the page did not leave
# after has its stored calls sent a second later (templates/runtime/queue.js, handle()).
AFTER_CLICK_MS = 1100
# Real time a click is given to start a navigation, and a navigation to load.
NAVIGATION_START_SECONDS = 0.25
LOAD_SECONDS = 15.0
# How long a page's clock is waited for while the page attempts a navigation.
ATTEMPT_SECONDS = 2.0
# The browser's proxy: a closed port on the loopback address. Every request for another
# host goes there (and fails); those for 127.0.0.1 bypass it.
CLOSED_PROXY = "http://127.0.0.1:9"
LAUNCH_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-gpu",
]
BINDING = "__rtpSnippetsVerify"
# The client-navigation walk: pages shown one after another by the site's own links, and
# how long a page shown is given to send its views (then how long to wait for more).
WALK_STEPS = 5
WALK_SECONDS = 5.0
WALK_SETTLE_SECONDS = 0.5
# A page of the served origin without a bundle, from which the tab's storage is cleared.
BLANK = "/__rtp-snippets-verify__"
# Browsers verify looks for when Playwright has none of its own, in this order: the
# headless shell first (the build Playwright itself runs headless: a page of the corpus
# site loads in about two thirds of the time Debian's full chromium takes).
SYSTEM_BROWSERS = (
    "chromium-headless-shell",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "/usr/bin/chromium",
)


@dataclass(frozen=True)
class Result:
    """One check: a rule (None: the page itself) on a page in a consent state ("-" without
    a consent section); ``ok`` is None when the rule could not fire there (not
    applicable). ``expected`` and ``sent`` are rtp's arguments exactly as called."""

    page: str
    rule: Rule | None
    consent: str
    ok: bool | None
    expected: list = field(default_factory=list)
    sent: list = field(default_factory=list)
    reason: str = ""
    elements: int = 0  # elements the rule's selector matched on the live page

    @property
    def line(self) -> int | None:
        return self.rule.source.line if self.rule and self.rule.source else None

    @property
    def name(self) -> str:
        """The rule as reports name it: its name, or its event and target."""
        if self.rule is None:
            return "the page"
        return self.rule.name or f"{self.rule.event} {self.rule.target}"

    def as_json(self) -> dict:
        return {
            "page": self.page,
            "rule": self.rule.name if self.rule else None,
            "line": self.line,
            "event": self.rule.event if self.rule else None,
            "target": self.rule.target if self.rule else None,
            "consent": self.consent,
            "ok": self.ok,
            "expected": self.expected,
            "sent": self.sent,
            "reason": self.reason,
            "elements": self.elements,
        }


@dataclass
class VerifyReport:
    """What ``verify_site`` found: a result per rule, page and consent state."""

    pages: int
    results: list[Result]
    seconds: float = 0.0
    rules_path: Path | None = None
    changes: list[str] = field(default_factory=list)  # against --baseline
    browser: str = ""  # the program driven and its version

    @property
    def failures(self) -> list[Result]:
        return [result for result in self.results if result.ok is False]

    def counts(self) -> dict[str, int]:
        return {
            "passed": sum(result.ok is True for result in self.results),
            "failed": len(self.failures),
            "not_applicable": sum(result.ok is None for result in self.results),
        }

    def failure_lines(self) -> list[str]:
        """One line per failure: page, rule (file:line and name), consent state, expected
        and sent calls, and why."""
        lines = []
        for result in self.failures:
            where = f"{self.rules_path}:{result.line} " if result.line else ""
            state = f" [consent {result.consent}]" if result.consent != "-" else ""
            lines.append(
                f"FAILED {result.page} {where}{result.name}{state}: {result.reason}; "
                f"expected {json.dumps(result.expected)}, sent {json.dumps(result.sent)}"
            )
        return lines

    def summary(self) -> str:
        counts = self.counts()
        checks = len(self.results)
        return (
            f"verify: {_count(self.pages, 'page')}, {_count(checks, 'check')}: "
            f"{counts['passed']} passed, "
            f"{counts['failed']} failed, {counts['not_applicable']} not applicable "
            f"({self.seconds:.1f} s{', ' + self.browser if self.browser else ''})"
        )

    def as_json(self) -> dict:
        return {
            "pages": self.pages,
            "results": [result.as_json() for result in self.results],
            "summary": self.counts(),
            "changes": self.changes,
            "browser": self.browser,
        }

    def junit(self) -> str:
        """JUnit XML: one test case per rule, page and consent state."""
        counts = self.counts()
        cases = []
        for result in self.results:
            name = f"line {result.line}: {result.name}" if result.line else result.name
            if result.consent != "-":
                name += f" [consent {result.consent}]"
            body = ""
            if result.ok is False:
                message = (
                    f"{result.reason}; expected {json.dumps(result.expected)}, "
                    f"sent {json.dumps(result.sent)}"
                )
                body = f"<failure message={quoteattr(message)}/>"
            elif result.ok is None:
                body = f"<skipped message={quoteattr(result.reason)}/>"
            cases.append(
                f"  <testcase classname={quoteattr(result.page)} name={quoteattr(name)}>"
                f"{body}</testcase>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuite name="rtp-snippets verify" tests="{len(self.results)}" '
            f'failures="{counts["failed"]}" skipped="{counts["not_applicable"]}" '
            f'time="{self.seconds:.3f}">\n' + "\n".join(cases) + "\n</testsuite>\n"
        )


def verify_site(
    root: str | Path,
    ruleset: RuleSet,
    *,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    jobs: int | None = None,
    consent: str = "all",
    browser: str | None = None,
    elements: int | None = DEFAULT_ELEMENTS,
    baseline: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> VerifyReport:
    """Verify every page under ``root`` (``include``/``exclude`` globs choose them) with
    ``jobs`` tabs at once, in the consent states ``consent`` names ("all": each of
    CONSENT_STATES; without a consent section there is one). ``elements`` is how many
    matching elements of a rule are tried on each page (None: all); ``browser`` the path
    of a Chromium or Chrome. Raises VerifyError without Playwright or a browser."""
    started = time.monotonic()
    root = Path(root)
    paths = sorted(site_pages(root)[0])
    paths = [
        path
        for path in paths
        if (not include or matches(include, path)) and not (exclude and matches(exclude, path))
    ]
    if ruleset.consent is None:
        states = ["-"]
    elif consent == "all":
        states = list(CONSENT_STATES)
    else:
        states = [consent]
    plans = [_Plan.of(root, path, ruleset) for path in paths]
    server = _serve(root, ruleset)
    try:
        results, used = _run_to_end(
            partial(
                _run,
                plans,
                ruleset,
                server,
                states,
                jobs or min(os.cpu_count() or 1, 4),
                browser,
                elements,
                progress,
            )
        )
    finally:
        server.shutdown()
        server.server_close()
    results.sort(key=lambda result: (result.page, result.line or 0, result.consent))
    report = VerifyReport(len(paths), results, time.monotonic() - started, ruleset.path)
    report.browser = used
    if baseline is not None:
        report.changes = baseline_changes(baseline, report)
    return report


def baseline_changes(baseline: dict, report: VerifyReport) -> list[str]:
    """The rules whose matched elements changed since ``baseline`` (a previous --json)."""
    before = {
        (item["page"], item["line"], item["rule"], item["consent"]): item.get("elements", 0)
        for item in baseline.get("results", [])
        if item.get("line") is not None
    }
    changes = []
    for result in report.results:
        if result.rule is None:
            continue
        key = (result.page, result.line, result.rule.name, result.consent)
        if key in before and before[key] != result.elements:
            changes.append(
                f"{result.rule.target} matched {_count(before[key], 'element')} on {result.page}, "
                f"now {result.elements}"
            )
    return sorted(set(changes))


# --- what to check on each page ------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """A page: whether it carries our bundle, its bundle's code, its rules, and why it is
    no page to verify ("" when it is one)."""

    path: str
    injected: bool
    bundle_code: str
    rules: tuple[Rule, ...]
    skipped: str = ""
    navigation: str | None = None  # what makes it change pages without a load

    @classmethod
    def of(cls, root: Path, path: str, ruleset: RuleSet) -> _Plan:
        rules = tuple(ruleset.rules[index] for index in ruleset.for_page(path))
        data = read_page(str(root), path)
        if isinstance(data, Unreadable):
            return cls(path, False, "", rules, data.reason)
        try:
            _, text, _ = decode(data)
        except PageSkipped as skipped:
            return cls(path, False, "", rules, skipped.reason)
        found = scan(text)
        if found.body_end is None:  # no place for a script: inject skips it too
            return cls(path, False, "", rules, found.problem or "no place for a script")
        code = "".join(
            script.text
            for script in found.scripts
            if is_block(script.attributes)
            and attribute_value(script.attributes, MARKER) == "bundle"
        )
        src = [
            script
            for script in found.scripts
            if is_block(script.attributes) and attribute_value(script.attributes, "src")
        ]
        if src:  # an external bundle: its file at the site root
            name = (attribute_value(src[0].attributes, "src") or "").rsplit("/", 1)[-1]
            if (root / name).is_file():
                code += (root / name).read_text(encoding="ascii", errors="replace")
        injected = bool(code) or bool(src)
        return cls(path, injected, code, rules, navigation=client_navigation(data))


def calls_of(values: list[str | None]) -> list[list]:
    """rtp's arguments for these values as the bundle must call it: empty ones left out,
    one value as a string, several four at a time."""
    kept = [value for value in values if value is not None]
    if not kept:
        return []
    if len(kept) == 1:
        return [["send", "event", {"value": kept[0]}]]
    return [
        ["send", "event", {"value": kept[index : index + 4]}] for index in range(0, len(kept), 4)
    ]


# --- the browser ---------------------------------------------------------------------


async def _run(
    plans, ruleset, server, states, jobs, browser, elements, progress
) -> tuple[list[Result], str]:
    """The results of every page, and the browser that gave them (its path and version)."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        raise VerifyError("verify needs Playwright: pip install 'rtp-snippets[verify]'") from None
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    results: list[Result] = []
    async with async_playwright() as playwright:
        launched, program = await _launch(playwright, browser)
        used = f"{program} {launched.version}"
        try:
            queue: asyncio.Queue = asyncio.Queue()
            for plan in plans:
                queue.put_nowait(plan)
            done = [0]

            async def work() -> None:
                workers = {
                    state: await _Worker.start(launched, origin, ruleset, state, elements)
                    for state in states
                }
                try:
                    while not queue.empty():
                        plan = queue.get_nowait()
                        for state in states:
                            results.extend(await workers[state].verify(plan))
                        done[0] += 1
                        if progress:
                            progress(done[0], len(plans))
                finally:
                    for worker in workers.values():
                        await worker.context.close()

            await asyncio.gather(*(work() for _ in range(max(1, min(jobs, len(plans) or 1)))))
            if _navigates(plans, ruleset):
                for state in states:
                    worker = await _Worker.start(launched, origin, ruleset, state, elements)
                    try:
                        results.extend(await _Walk(worker, plans).run())
                    finally:
                        await worker.context.close()
        finally:
            await launched.close()
    return results, used


def _navigates(plans: list[_Plan], ruleset: RuleSet) -> bool:
    """Whether the site shows pages without a load: the rules file says so, or (auto) its
    pages do (Material for MkDocs' navigation.instant)."""
    if ruleset.client_navigation != "auto":
        return ruleset.client_navigation == "on"
    return any(plan.navigation for plan in plans)


async def _launch(playwright, browser: str | None):
    """Playwright's own Chromium, else one found on the system, else ``browser``; the
    proxy makes every host but the loopback address unreachable. The browser and the
    path of its program."""
    options = {"args": LAUNCH_ARGS, "proxy": {"server": CLOSED_PROXY, "bypass": "127.0.0.1"}}
    if browser:
        found = shutil.which(browser) or (browser if Path(browser).is_file() else None)
        if not found:
            raise VerifyError(f"--browser {browser}: no such program")
        return await playwright.chromium.launch(executable_path=found, **options), found
    try:
        launched = await playwright.chromium.launch(**options)
        return launched, playwright.chromium.executable_path
    except Exception:  # Playwright's own browser is not installed
        pass
    for candidate in SYSTEM_BROWSERS:
        found = shutil.which(candidate)
        if found:
            return await playwright.chromium.launch(executable_path=found, **options), found
    raise VerifyError(
        "no browser found: install Playwright's (python -m playwright install chromium) or "
        "a Chromium (Debian: apt-get install chromium-headless-shell), or give one with "
        "--browser PATH"
    )


def _script(settings: dict) -> str:
    source = resources.files("rtp_snippets.templates").joinpath("verify.js").read_text("utf-8")
    return f"{source.rstrip().rstrip(';')}({json.dumps(settings)});"


class _Worker:
    """One browser context (a consent state) and its one tab, on a clock of its own, in
    which each page is loaded for its checks."""

    def __init__(self, context, origin: str, ruleset: RuleSet, state: str, elements: int | None):
        self.context, self.origin, self.ruleset, self.state = context, origin, ruleset, state
        self.elements = elements
        self.events: dict[Any, list[tuple[str, str, Any]]] = {}
        self.tab: Any = None
        # The rules (by key) whose click or submit has been followed to another page.
        self.followed: set[str] = set()
        self.holding = False  # navigations of the tab are answered with no content

    async def hold_navigations(self) -> None:
        """From now on, a navigation of the tab's page is answered with no content (HTTP
        204: the page stays, as after a download)."""
        if not self.holding:
            await self.tab.route("**/*", self._held)
            self.holding = True

    async def release_navigations(self) -> None:
        """Navigations load pages again."""
        if self.holding:
            await self.tab.unroute("**/*", self._held)
            self.holding = False

    async def _held(self, route) -> None:
        request = route.request
        if request.is_navigation_request() and request.frame == self.tab.main_frame:
            await route.fulfill(status=204)
        else:
            await route.fallback()

    @classmethod
    async def start(cls, browser, origin, ruleset, state, elements) -> _Worker:
        context = await browser.new_context(viewport={"width": 1280, "height": 800})
        context.set_default_timeout(LOAD_SECONDS * 1000)
        worker = cls(context, origin, ruleset, state, elements)
        await context.expose_binding(BINDING, worker._record)
        settings: dict = {"binding": BINDING, "format": FORMAT_PATTERN, "consent": None}
        if ruleset.consent is not None and state != "-":
            settings["consent"] = {"state": state, "settings": _consent_settings(ruleset)}
            for pattern in _platform_scripts(ruleset):
                await context.route(pattern, lambda route: route.abort())
        await context.add_init_script(_script(settings))
        worker.tab = await context.new_page()
        await worker.tab.clock.install()
        return worker

    def _record(self, source: dict, kind: str, path: str, data: str) -> None:
        self.events.setdefault(source["page"], []).append((kind, path, json.loads(data)))

    async def verify(self, plan: _Plan) -> list[Result]:
        if plan.skipped:
            return [
                Result(
                    plan.path,
                    None,
                    self.state,
                    None,
                    reason=f"not a page to verify: {plan.skipped}",
                )
            ]
        if not plan.rules:
            return []
        if not plan.injected:
            return [
                Result(
                    plan.path,
                    None,
                    self.state,
                    False,
                    reason="not injected: the page has no rtp-snippets bundle",
                )
            ]
        checks = _Checks(self, plan)
        return await checks.run()


def _consent_settings(ruleset: RuleSet) -> dict:
    consent = ruleset.consent
    assert consent is not None
    settings = {
        "platform": consent.platform,
        "groups": list(consent.groups),
        "categories": list(consent.categories),
        "purposes": list(consent.purposes),
        "vendors": list(consent.vendors),
        "services": list(consent.services),
        "flag": consent.flag,
        "cookie": consent.cookie,
    }
    if consent.platform == "cookie":
        if consent.field:
            value: object = True if consent.value is None else [consent.value]
            for name in reversed(consent.field.split(".")):
                value = {name: value}
            refused: object = False if consent.value is None else []
            for name in reversed(consent.field.split(".")):
                refused = {name: refused}
            settings["granted"] = _cookie_text(json.dumps(value))
            settings["refused"] = _cookie_text(json.dumps(refused))
        else:
            settings["granted"] = (consent.value or "").replace("*", "")
            settings["refused"] = "rtp-snippets-verify-refused"
    return settings


def _cookie_text(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _platform_scripts(ruleset: RuleSet) -> list[str]:
    """URL globs of the consent platform's own script, from its selector's src tests."""
    consent = ruleset.consent
    selector = consent.script_selector if consent else None
    if not selector:
        return []
    return [f"**/*{part}*" for part in re.findall(r"src\s*[*^$]?=\s*[\"']([^\"']+)[\"']", selector)]


class _Checks:
    """The checks of one page in one consent state, in the worker's tab.

    One load serves most checks, in phases: the views (counted over the whole load), each
    visible rule (elements held in view), the scroll depths, the timers (on the page's
    clock), then each click rule without ``once``. A rule with ``once``, a submit rule, and
    every click after one that left the page, get a fresh load: no earlier phase may have
    used them up. Each click or visible phase counts only the calls made during it."""

    def __init__(self, worker: _Worker, plan: _Plan):
        self.worker, self.plan = worker, plan
        # A folder's index at the folder's own address, as the site is visited.
        self.url = worker.origin + re.sub(r"(?<=/)index\.html?\Z", "", plan.path)
        self.state = worker.state
        self.results: list[Result] = []

    def result(
        self, rule: Rule | None, ok: bool | None, expected=(), sent=(), reason="", elements=0
    ) -> None:
        self.results.append(
            Result(
                self.plan.path, rule, self.state, ok, list(expected), list(sent), reason, elements
            )
        )

    @property
    def held(self) -> bool:
        """Nothing may be sent in this state: the visitor has not consented."""
        return self.state in ("none", "refused")

    elsewhere = ""  # the page went on to another by itself (a redirect page)

    async def run(self) -> list[Result]:
        rules = self.plan.rules
        problem = await self.open()
        if problem:
            self.result(None, None if self.elsewhere else False, reason=problem)
            return self.results
        await self.check_loaded(
            [rule for rule in rules if not rule.once or rule.event not in TRIGGERED]
        )
        for rule in rules:
            if rule.once and rule.event in TRIGGERED:
                await self.check_clicks(rule)
        return self.results

    async def open(self) -> str:
        """The page loaded afresh in the worker's tab, with a new session (sessionStorage
        and the bundle's keys in localStorage cleared); why the bundle did not run there
        ("" when it did)."""
        page = self.worker.tab
        await self.worker.release_navigations()
        if not page.url.startswith(self.worker.origin + "/"):
            # sessionStorage is the origin's: clear it from a page of the origin.
            with contextlib.suppress(Exception):
                await page.goto(self.worker.origin + BLANK, wait_until="domcontentloaded")
        with contextlib.suppress(Exception):
            await page.evaluate(
                "() => { sessionStorage.clear(); Object.keys(localStorage).forEach(k =>"
                " k.indexOf('rtp-snippets') == 0 && localStorage.removeItem(k)); }"
            )
        self.worker.events[page] = []
        self.elsewhere = ""
        try:
            await page.goto(self.url, wait_until="domcontentloaded")
        except Exception as error:
            return f"the page did not load: {str(error).splitlines()[0]}"
        try:
            ran = await _ask(page, "ran")
        except Exception:  # the page went on to another while it was asked
            ran = False
        if page.url.split("#")[0] != self.url:
            self.elsewhere = f"the page sends the visitor on to {page.url} by itself"
            return self.elsewhere
        if ran:
            return ""
        blocked = [data for kind, _, data in self.worker.events[page] if kind == "csp"]
        if blocked:
            return (
                "the bundle did not run: the Content-Security-Policy blocked it "
                f"({blocked[0]['directive']})"
            )
        return "the bundle did not run on the page"

    @property
    def page(self):
        return self.worker.tab

    def calls(self, since: int = 0, until: int | None = None) -> list[list]:
        events = self.worker.events[self.page][since:until]
        return [data for kind, _, data in events if kind == "call"]

    def mark(self) -> int:
        return len(self.worker.events[self.page])

    def diagnose(self, rule: Rule) -> str:
        """Why a rule's calls did not come, as far as the page tells ("" when it does not)."""
        events = self.worker.events[self.page]
        replaced = [data for kind, _, data in events if kind == "rtp replaced"]
        if replaced:
            return f"page script replaced window.rtp ({replaced[-1]}), so the calls went elsewhere"
        if not _rule_in_bundle(rule, self.plan.bundle_code):
            return "the page's bundle was not built from these rules: run inject again"
        return ""

    def compare(
        self, rule: Rule, expected: list, found: list, reason: str, elements: int, note: str = ""
    ) -> None:
        self.results.append(self.judge(rule, expected, found, reason, elements, note))

    def judge(
        self, rule: Rule, expected: list, found: list, reason: str, elements: int, note: str = ""
    ) -> Result:
        """The result of a rule: ``found`` (its calls) against ``expected``; in a state
        without consent, nothing may be found, nor written to storage."""
        page, state = self.plan.path, self.state
        if self.held:
            writes = [data for kind, _, data in self.worker.events[self.page] if kind == "storage"]
            if found or writes:
                why = (
                    "sent before the visitor chose"
                    if self.state == "none"
                    else "sent though the visitor refused consent"
                )
                if not found:
                    why = f"wrote {writes[0][2]} to {writes[0][0]}Storage without consent"
                return Result(page, rule, state, False, [], found, why, elements)
            return Result(page, rule, state, True, [], [], note, elements)
        wanted = Counter(json.dumps(call) for call in expected)
        got = Counter(json.dumps(call) for call in found)
        if wanted == got:
            return Result(page, rule, state, True, expected, found, note, elements)
        if reason:
            why = reason
        elif not found:
            why = "not sent"
        elif not wanted - got:
            why = "sent more often than the visitor triggered it"
        else:
            why = "sent other values than the rule and the page give"
        return Result(
            page,
            rule,
            state,
            False,
            expected,
            found,
            "; ".join(filter(None, [why, note])),
            elements,
        )

    def mine(self, calls: list[list], rule: Rule, possible: list[list]) -> list[list]:
        """Of the calls, those this rule can have made: equal to one it should make, or
        with values its written values could give (placeholders stand for any text)."""
        wanted = {json.dumps(call) for call in possible}
        return [call for call in calls if json.dumps(call) in wanted or _could_be(call, rule)]

    # --- one load: views, visible, scroll, timers, clicks ------------------------------

    async def check_loaded(self, rules: list[Rule]) -> None:
        page = self.page
        views = [rule for rule in rules if rule.event == "view"]
        expected: dict[int, list] = {}
        counts: dict[int, int] = {}
        for rule in views:
            selector = rule.element_selector
            counts[id(rule)] = await _ask(page, "count", selector) if selector else 0
            if not selector or counts[id(rule)]:
                expected[id(rule)] = calls_of(await _ask(page, "values", _parts(rule), selector))
        visible = [rule for rule in rules if rule.event == "visible"]
        seen: dict[int, list[int]] = {id(rule): [] for rule in visible}
        counts.update(
            {id(rule): await _ask(page, "count", rule.element_selector) for rule in visible}
        )
        await self.hold(visible, seen)
        for rule in visible:
            if counts[id(rule)]:
                for number in self.tried(counts[id(rule)]):
                    if number not in seen[id(rule)]:
                        await _ask(page, "scrollToElement", rule.element_selector, number)
                        await self.hold(visible, seen)
        for rule in visible:
            calls = []
            for number in seen[id(rule)][:1] if rule.once else seen[id(rule)]:
                values = await _ask(page, "values", _parts(rule), rule.element_selector, number)
                calls += calls_of(values)
            expected[id(rule)] = calls
        # Each depth once, smallest first, over every scroll rule.
        scrolls = [rule for rule in rules if rule.event == "scroll"]
        for depth in sorted({depth for rule in scrolls for depth in rule.percents}):
            await _ask(page, "scrollToDepth", depth)
            await _frames(page)
        for rule in scrolls:
            expected[id(rule)] = [
                call
                for depth in sorted(rule.percents)
                for call in calls_of(await _ask(page, "values", _parts(rule, depth), None))
            ]
        timers = [rule for rule in rules if rule.event == "timer"]
        if timers:
            await page.clock.run_for(int(max(rule.seconds or 0 for rule in timers) * 1000) + 100)
            for rule in timers:
                expected[id(rule)] = calls_of(await _ask(page, "values", _parts(rule), None))
        await _flush(page)
        found = self.calls()
        for rule in [*views, *visible, *scrolls, *timers]:
            if id(rule) not in expected or rule.event == "visible" and not counts[id(rule)]:
                self.result(rule, None, reason="no element on the live page")
                continue
            mine = self.mine(found, rule, expected[id(rule)])
            why = self.diagnose(rule) if expected[id(rule)] and not mine else ""
            self.compare(rule, expected[id(rule)], mine, why, counts.get(id(rule), 0))
        for rule in rules:
            if rule.event in TRIGGERED:
                await self.check_clicks(rule)

    def tried(self, count: int) -> range:
        return range(count if self.worker.elements is None else min(count, self.worker.elements))

    async def hold(self, rules: list[Rule], seen: dict[int, list[int]]) -> None:
        """Stay where the page is scrolled for as long as the longest visible rule wants,
        then note, for each, which of its elements are in view enough."""
        if not rules:
            return
        await _ask(self.page, "observed", [rule.element_selector for rule in rules])
        await self.page.clock.run_for(int(max(rule.seconds or 0 for rule in rules) * 1000) + 100)
        for rule in rules:
            need = rule.percents[0] / 100 if rule.percent is not None else 0
            shares = await _ask(self.page, "shares", rule.element_selector)
            for number, share in enumerate(shares):
                if number not in seen[id(rule)] and (share >= need if need else share > 0):
                    seen[id(rule)].append(number)

    # --- clicks and submits --------------------------------------------------------------

    async def check_clicks(self, rule: Rule) -> None:
        """Click each of the rule's first elements (or submit each form) as a person would;
        the calls each makes count, on this page or the one it leads to. The first click
        of the rule that leaves a page is followed to the next page; after that, a page a
        click would leave is held (the navigation is answered with no content, as a
        download is), and the bundle sends the stored calls on it within a second."""
        if rule.once or self.left or self.away():
            problem = await self.open()
            if problem:
                self.result(rule, False, reason=problem)
                return
        self.left = False
        selector = rule.element_selector
        assert selector is not None
        targets = await self.targets(rule)
        if not targets:
            what = "element" if rule.link is None else "link whose URL matches"
            self.result(rule, None, reason=f"no {what} on the live page")
            return
        submit = rule.event == "submit"
        expected_all: list = []
        found_all: list = []
        problems: list[str] = []
        reasons: list[str] = []
        used = False
        triggered = 0
        for number in targets[: len(self.tried(len(targets)))]:
            if self.left or self.away():
                problem = await self.open()
                if problem:
                    problems.append(problem)
                    break
                self.left = False
            why, values, point = await _ask(
                self.page, "prepare", _parts(rule), selector, number, submit
            )
            if why:
                problems.append(f"element {number + 1} {why}")
                continue
            expected = [] if used and rule.once else calls_of(values)
            since = self.mark()
            followed = rule.key in self.worker.followed
            self.left = await self.press(point, hold=followed)
            if self.left:
                self.worker.followed.add(rule.key)
            found = self.mine(self.calls(since), rule, expected)
            triggered += 1
            used = used or bool(found)
            if expected and not found:
                reasons.append(await self.why_not(rule))
            expected_all += expected
            found_all += found
            if rule.once and used and not self.left:
                # once: a second trigger sends nothing.
                since = self.mark()
                self.left = await self.press(point, hold=True)
                found_all += self.mine(self.calls(since), rule, [])
        await self.worker.release_navigations()
        if not triggered:
            self.result(rule, False, [], [], "; ".join(problems), len(targets))
            return
        reason = next((reason for reason in reasons if reason), "")
        self.compare(rule, expected_all, found_all, reason, len(targets), "; ".join(problems))

    left = False  # a click left the page: the next check loads it again

    def away(self) -> bool:
        """The tab no longer shows the page (a click left it later than it was looked at)."""
        return self.page.url.split("#")[0] != self.url

    async def targets(self, rule: Rule) -> list[int]:
        """The indexes of the rule's elements on the live page (for a link rule, the links
        whose URL matches)."""
        selector = rule.element_selector
        if rule.link is None:
            return list(range(await _ask(self.page, "count", selector)))
        host = urlsplit(self.url).hostname
        hrefs = await _ask(self.page, "hrefs", selector)
        return [number for number, href in enumerate(hrefs) if link_matches(rule.link, href, host)]

    async def press(self, point: list[float], hold: bool) -> bool:
        """Click with the mouse at ``point`` (the centre of the element, or of a form's
        submit button), as a person would. With ``hold``, a navigation it starts is
        answered with no content (HTTP 204: the page stays); without, the page is followed
        where it goes. True when another page is shown."""
        page = self.page
        if hold:
            await self.worker.hold_navigations()
        before = page.url.split("#")[0]
        started: list = []

        def request(request) -> None:
            if request.is_navigation_request() and request.frame == page.main_frame:
                started.append(request)

        page.on("request", request)
        try:
            await page.mouse.click(*point)
            leaving, now = await _ask(page, "clicked")
            if leaving and not hold:
                # A link or a form submission starts its navigation a moment later.
                deadline = time.monotonic() + NAVIGATION_START_SECONDS
                while not started and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)
            if not started or hold:
                await self.advance(AFTER_CLICK_MS, now)  # a page that stays: stored calls
            if started and not hold:
                return await self.follow(before, started[-1])
            return False
        except Exception:  # the document went away under an evaluation: it left
            await self.worker.release_navigations()
            await self.settle()
            return True
        finally:
            page.remove_listener("request", request)

    async def advance(self, ms: int, now: float | None = None) -> None:
        """Run the page's clock ``ms`` on (from ``now``, its time before, when known).
        Playwright runs nothing, without a word, in a page attempting a navigation (a
        form submitted, a held link): then it is run again once the attempt is over."""
        page = self.page
        if now is None:
            now = await _ask(page, "now")
        deadline = time.monotonic() + ATTEMPT_SECONDS
        while True:
            await page.clock.run_for(ms)
            later = await _ask(page, "now")
            if not isinstance(later, (int, float)) or later - now >= ms:
                return
            if time.monotonic() > deadline:
                return
            await asyncio.sleep(0.02)

    async def follow(self, before: str, request) -> bool:
        """The page after a navigation started: the next page loaded, or the same page when
        the answer was a download or failed. True when another page is shown."""
        page = self.page
        deadline = time.monotonic() + LOAD_SECONDS
        while time.monotonic() < deadline:
            if page.url.split("#")[0] != before:
                await self.settle()
                return True
            response = await request.response() if request.failure is None else None
            if (
                request.failure is not None
                or response is not None
                and not page.url.split("#")[0] != before
            ):
                # Answered without a new document (a download), or failed: the page stays.
                await asyncio.sleep(0.05)
                if page.url.split("#")[0] == before:
                    await self.advance(AFTER_CLICK_MS)
                    return False
            await asyncio.sleep(0.02)
        return True

    async def settle(self) -> None:
        """Wait for the page shown now to be parsed (its bundle has run)."""
        with contextlib.suppress(Exception):
            await self.page.wait_for_load_state("domcontentloaded", timeout=LOAD_SECONDS * 1000)
        await _frames(self.page)
        await _flush(self.page)

    async def why_not(self, rule: Rule) -> str:
        known = self.diagnose(rule)
        if known:
            return known
        with contextlib.suppress(Exception):
            if await _ask(self.page, "clickStopped"):
                return "page script stopped the click before it reached the bundle (at window)"
        return ""


class _Walk:
    """On a site that shows pages without a load: from the first page, follow the site's
    own links with the mouse, as a visitor would, and check that each page shown sends
    its views once, with its own content."""

    def __init__(self, worker: _Worker, plans: list[_Plan]):
        self.worker = worker
        self.plans = {re.sub(r"(?<=/)index\.html?\Z", "", plan.path): plan for plan in plans}
        self.results: list[Result] = []

    async def run(self) -> list[Result]:
        first = next((path for path in self.plans if path == "/"), next(iter(self.plans), None))
        if first is None or not self.plans[first].injected:
            return []
        checks = _Checks(self.worker, self.plans[first])
        if await checks.open():
            return []
        page = self.worker.tab
        shown = {first}
        for _ in range(WALK_STEPS):
            target = await _ask(page, "nextLink", sorted(self.plans), sorted(shown))
            if target is None:
                break
            path, point = target
            plan = self.plans[path]
            views = [rule for rule in plan.rules if rule.event == "view"]
            since = checks.mark()
            await page.evaluate("() => { window.__rtpVerifyWalk = 1; }")
            await page.mouse.click(*point)
            try:
                await page.wait_for_url(partial(_at_path, path=path), timeout=LOAD_SECONDS * 1000)
            except Exception:
                break
            shown.add(path)
            loaded = not await _ask_safely(page, "walked")
            found, expected = await self.views_of(page, checks, views, since)
            note = "shown after a full load, not by the site's own navigation" if loaded else ""
            checks.plan = plan
            for rule in views:
                mine = checks.mine(found, rule, expected[id(rule)])
                outcome = checks.judge(rule, expected[id(rule)], mine, "", 0, note)
                reason = "; ".join(filter(None, ["shown by the site's navigation", outcome.reason]))
                self.results.append(dataclasses.replace(outcome, reason=reason))
        return self.results

    async def views_of(self, page, checks: _Checks, views: list[Rule], since: int):
        """The calls since the click, and the views the page shown should send, once its
        content is in: looked at until they match, or for WALK_SECONDS."""
        deadline = time.monotonic() + WALK_SECONDS
        while True:
            expected = {}
            for rule in views:
                selector = rule.element_selector
                present = await _ask_safely(page, "count", selector) if selector else 1
                expected[id(rule)] = (
                    calls_of(await _ask(page, "values", _parts(rule), selector)) if present else []
                )
            found = checks.calls(since)
            done = all(
                Counter(json.dumps(call) for call in checks.mine(found, rule, expected[id(rule)]))
                == Counter(json.dumps(call) for call in expected[id(rule)])
                for rule in views
            )
            if done or time.monotonic() > deadline:
                await asyncio.sleep(WALK_SETTLE_SECONDS)  # anything sent twice shows by now
                return checks.calls(since), expected
            await asyncio.sleep(0.1)


def _at_path(url: str, path: str) -> bool:
    return urlsplit(url).path == path


async def _ask_safely(page, name: str, *args):
    with contextlib.suppress(Exception):
        return await _ask(page, name, *args)
    return None


async def _ask(page, name: str, *args):
    """Call ``__rtpVerify[name](*args)`` in the page (templates/verify.js)."""
    return await page.evaluate("([name, args]) => __rtpVerify[name](...args)", [name, list(args)])


def _parts(rule: Rule, depth: int | None = None) -> list:
    """The rule's values as verify.js fills them: text and [kind, name] parts, with a
    scroll rule's {percent} as ``depth``."""
    return [
        [
            part if isinstance(part, str) else [part.kind, part.name]
            for part in with_depth(parts, depth)
        ]
        for parts in rule.values
    ]


def _rule_in_bundle(rule: Rule, code: str) -> bool:
    """Whether the bundle's code holds the rule's values as written (a bundle built from
    other rules does not): each literal part, as JSON writes it."""
    return all(
        json.dumps(part)[1:-1] in code
        for _, parts in rule.sent_parts
        for part in parts
        if isinstance(part, str)
    )


def _could_be(call: list, rule: Rule) -> bool:
    """Whether the rule could have made the call, whatever its placeholders held: its
    values are a run of the rule's values (those with a placeholder may be left out, when
    empty), each matching its value's text with any text for each placeholder; a single
    value comes as a string only from a rule that can send just one."""
    if len(call) != 3 or call[:2] != ["send", "event"] or not isinstance(call[2], dict):
        return False
    value = call[2].get("value")
    found = value if isinstance(value, list) else [value]
    if not found or not all(isinstance(item, str) for item in found):
        return False
    items = cast(list[str], found)
    values = [parts for _, parts in rule.sent_parts]
    optional = [any(not isinstance(part, str) for part in parts) for parts in values]
    patterns = [
        re.compile(
            "".join(re.escape(part) if isinstance(part, str) else ".+" for part in parts) + r"\Z",
            re.S,
        )
        for parts in values
    ]
    if not isinstance(value, list) and optional.count(False) > 1:
        return False

    def run(item: int, at: int) -> bool:
        if item == len(items):
            return True
        while at < len(patterns):
            if patterns[at].match(items[item]) and run(item + 1, at + 1):
                return True
            if not optional[at]:
                return False
            at += 1
        return False

    return any(run(0, start) for start in range(len(patterns)))


async def _frames(page, count: int = 2) -> None:
    """Wait for ``count`` renderings of the page (its scroll events and intersection
    observers have run by then).

    Not requestAnimationFrame: Playwright's clock, which every verified page runs on,
    fakes it with its timers, so its frames count the clock and not the rendering. A new
    IntersectionObserver reports at the next rendering, after the scroll events of that
    rendering and the page's older observers.
    """
    try:
        await asyncio.wait_for(
            page.evaluate(
                "n => new Promise(done => { (function next(k) { if (!k) return done();"
                " const probe = new IntersectionObserver(() => { probe.disconnect(); next(k - 1);"
                " }); probe.observe(document.documentElement); })(n); })",
                count,
            ),
            LOAD_SECONDS,
        )
    except Exception:
        pass


async def _flush(page) -> None:
    """Every call the page made so far has reached the recorder."""
    try:
        await page.evaluate("0")
    except Exception:
        pass


# --- the site on the loopback address --------------------------------------------------


def _serve(root: Path, ruleset: RuleSet) -> ThreadingHTTPServer:
    """The folder on 127.0.0.1 (regular files, no dot-names, nothing outside it). A page
    the folder does not have (a form's action, a redirect) is a stand-in page of the site
    that carries the bundle of no rules: it sends what a click that left stored."""
    stand_in = (
        "<!doctype html><html><head><meta charset=utf-8><title>rtp-snippets verify</title>"
        f"</head><body><p>A page of the site (a stand-in).</p>"
        f"{script_block(build_bundle(ruleset.page_share(())))}</body></html>"
    ).encode()
    handler = partial(_SiteHandler, root=root.resolve(), stand_in=stand_in)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _SiteHandler(BaseHTTPRequestHandler):
    # Connections kept open (a page's requests share them, as with any web server), and
    # each answer sent as soon as it is written.
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def __init__(self, *args, root: Path, stand_in: bytes, **kwargs):
        self.root, self.stand_in = root, stand_in
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self.answer(with_body=False)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length > 1 << 20:  # not read to the end: the connection cannot serve another
            self.close_connection = True
        self.rfile.read(min(length, 1 << 20))
        self.send(HTTPStatus.OK, "text/html", self.stand_in, True)

    def answer(self, with_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == BLANK:
            self.send(HTTPStatus.OK, "text/html", b"<!doctype html><title>-</title>", with_body)
            return
        file = self.file(path)
        if file is None:
            if "text/html" in (self.headers.get("Accept") or ""):
                self.send(HTTPStatus.OK, "text/html", self.stand_in, with_body)
            else:
                self.send(HTTPStatus.NOT_FOUND, "text/plain", b"not found", with_body)
            return
        kind = _TYPES.get(file.suffix.lower(), "application/octet-stream")
        body = file.read_bytes()
        if file.name == "sitemap.xml":
            body = _local_sitemap(body, f"http://{self.headers.get('Host', '127.0.0.1')}/")
        self.send(HTTPStatus.OK, kind, body, with_body)

    def file(self, path: str) -> Path | None:
        if "\0" in path or any(part.startswith(".") for part in path.split("/")):
            return None
        try:
            found = (self.root / path.lstrip("/")).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not found.is_relative_to(self.root):
            return None
        if found.is_dir():
            for index in ("index.html", "index.htm"):
                if (found / index).is_file():
                    return found / index
            return None
        return found if found.is_file() else None

    def send(self, status: HTTPStatus, kind: str, body: bytes, with_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        # Pages are fetched afresh each time; the files they use (style sheets, scripts,
        # images: unchanged during the run) are kept by the browser from page to page, as
        # a visitor's browser keeps them.
        page = kind.startswith("text/html")
        self.send_header("Cache-Control", "no-store" if page else "max-age=3600")
        self.end_headers()
        if with_body:
            self.wfile.write(body)


def _local_sitemap(data: bytes, origin: str) -> bytes:
    """The sitemap with the site's address (its shortest <loc>, the home page's) replaced by
    the local one, as a site is served while it is built: a router that follows only the
    links it lists (Material for MkDocs' instant navigation) follows them here too."""
    locations = re.findall(rb"<loc>\s*([^<\s]+)\s*</loc>", data)
    if not locations:
        return data
    home = min(locations, key=len)
    home = home if home.endswith(b"/") else home.rsplit(b"/", 1)[0] + b"/"
    return data.replace(b"<loc>" + home, b"<loc>" + origin.encode("ascii"))


_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
}


def _run_to_end(coroutine: Callable[[], Any]) -> Any:
    """Run ``coroutine()`` in an event loop of its own. When this thread already runs one
    (a notebook, an async build script, Playwright's sync API), in a thread of its own:
    asyncio.run refuses a running loop, and waiting on it from here would block it."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine())
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine())
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, name="rtp-snippets verify")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _count(number: int, noun: str) -> str:
    """``1 page``, ``2 pages``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
