"""The runtime's partials (the package's templates/runtime/*.js), each on its own.

Every partial is valid JavaScript alone (esbuild parses it) with no Jinja in it, and is
put into bundles by the templates. In Chromium, a page loads one partial, or a few
with what they depend on, inside a function as the bundle does, and the tests call
their functions directly: glob matching, leaving-click decisions, chunks of four,
placeholder reading, storage repair, `once: session` keys, a consent flag, DOM reads
that page markup cannot shadow. The bundle as a whole: tests/test_browser.py.
"""

from __future__ import annotations

import json
import re
import time
from importlib import resources

import pytest

from rtp_snippets import render
from rtp_snippets.links import FILE_PATTERN
from rtp_snippets.paths import glob_tokens, matches
from rtp_snippets.text import FORMAT_PATTERN

TEMPLATES = resources.files("rtp_snippets.templates")
PARTIALS = sorted(
    path.name for path in TEMPLATES.joinpath("runtime").iterdir() if path.name.endswith(".js")
)
ORIGIN = "https://site.test"


def partial(name: str) -> str:
    return TEMPLATES.joinpath("runtime", name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", PARTIALS)
def test_each_partial_is_javascript_on_its_own(name):
    source = partial(name)
    assert "{{" not in source and "{%" not in source and "{#" not in source
    assert render._esbuild_transform()(source), f"esbuild could not parse runtime/{name}"


def test_each_partial_is_included_by_a_template():
    templates = "".join(
        TEMPLATES.joinpath(name).read_text(encoding="utf-8")
        for name in ("bundle.js.j2", "consent.js.j2", "rtp-tag.js.j2")
    )
    included = set(re.findall(r'"runtime/([\w-]+\.js)"', templates))
    # The placeholders' partials are named by kind: "runtime/fill-" ~ kind ~ ".js".
    included |= {f"fill-{kind}.js" for kind in ("text", "attr", "path", "query", "host", "title")}
    assert included == set(PARTIALS)


@pytest.fixture
def load(browser):
    """load(partials, expose, body="", path="/", prelude="") opens ORIGIN + path with
    `body`, runs the partials inside one function as the bundle does (after `prelude`),
    and returns the page, where window.runtime holds the functions named in `expose`."""
    contexts = []

    def open_page(partials, expose, body="", path="/", prelude=""):
        context = browser.new_context()
        contexts.append(context)
        context.set_default_timeout(5000)
        html = (
            f"<!doctype html><html><head><meta charset=utf-8><title>Runtime</title></head>"
            f"<body>{body}</body></html>"
        )
        context.route(
            f"{ORIGIN}/**",
            lambda route: route.fulfill(
                status=200, body=html, headers={"content-type": "text/html"}
            ),
        )
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(ORIGIN + path)
        source = "\n".join(partial(name) for name in partials)
        names = ", ".join(f"{name}: {name}" for name in expose)
        page.add_script_tag(
            content=f"(function (w) {{\n{prelude}\n{source}\n"
            f"window.runtime = {{ {names} }};\n}})(window);"
        )
        assert errors == []
        return page

    yield open_page
    for context in contexts:
        context.close()


# --- page globs (globs.js, path-globs.js) ------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize(
    "globs, exclude, path",
    [
        (["/blog/**"], [], "/blog/2024/post/"),
        (["/blog/**"], [], "/blog"),
        (["/blog/**"], [], "/blogger/"),
        (["/blog/*"], [], "/blog/a/b"),
        (["/blog/*"], [], "/blog/a"),
        (["/a?c/"], [], "/abc/"),
        (["/a?c/"], [], "/a/c/"),
        (["/docs/"], [], "/docs/index.html"),
        (["/**"], ["/private/**"], "/private/x"),
        (["/**"], ["/private/**"], "/public/x"),
        (["/caf\u00e9/"], [], "/caf%C3%A9/"),
        (["/**.pdf"], [], "/files/" + "a" * 70 + ".pdf"),
    ],
)
def test_globs_match_the_page_path_as_in_python(load, globs, exclude, path):
    page = load(["option.js", "globs.js", "path-globs.js"], ["applies", "where"], path=path)
    options = {"pages": [list(glob_tokens(glob)) for glob in globs]}
    if exclude:
        options["exclude"] = [list(glob_tokens(glob)) for glob in exclude]
    page.evaluate("runtime.where()")
    applies = page.evaluate("options => !!runtime.applies(['#a', 'x', 1, options])", options)
    expected = matches(globs, path.replace("%C3%A9", "\u00e9")) and not (
        exclude and matches(exclude, path)
    )
    assert applies == expected


@pytest.mark.browser
def test_a_crafted_path_does_not_freeze_the_glob_matcher(load):
    path = "/" + "a" * 3000
    page = load(["option.js", "globs.js", "path-globs.js"], ["applies", "where"], path=path)
    options = {"pages": [list(glob_tokens("/**a**a**a**a**a**a**b"))]}
    started = time.monotonic()
    assert (
        page.evaluate(
            "o => { runtime.where(); return !!runtime.applies([0, 'x', 1, o]); }", options
        )
        is False
    )
    assert time.monotonic() - started < 2


# --- leaving clicks and submits (queue.js) -----------------------------------------------

LEAVING_PAGE = """
<a id="next" href="/next/"><span id="inside">Next</span></a>
<a id="blank" href="/next/" target="_blank">new tab</a>
<a id="download" href="/next/" download>download</a>
<a id="pdf" href="/files/guide.pdf">pdf</a>
<a id="typed" href="/files/guide" type="application/pdf">typed</a>
<a id="other" href="https://other.test/">other site</a>
<a id="fragment" href="#top">fragment</a>
<a id="mail" href="mailto:someone@site.test">mail</a>
<img name="querySelector">
<form id="contact" action="/thanks/"><input name="action"><button id="send">Send</button></form>
<form id="dialog" method="dialog"><button id="close">Close</button></form>
<form id="invalid" action="/thanks/"><input required><button id="check">Send</button></form>
<form id="novalidate" action="/thanks/" novalidate><input required><button id="go">Go</button></form>
<form id="away" action="/thanks/"><button id="elsewhere" formtarget="_blank">Send</button></form>
"""


@pytest.mark.browser
@pytest.mark.parametrize(
    "selector, event, leaves",
    [
        ("#next", {}, True),
        ("#inside", {}, True),
        ("#next", {"ctrlKey": True}, False),
        ("#next", {"shiftKey": True}, False),
        ("#blank", {}, False),
        ("#download", {}, False),
        ("#pdf", {}, False),
        ("#typed", {}, False),
        ("#other", {}, False),
        ("#fragment", {}, False),
        ("#mail", {}, False),
        ("#send", {}, True),
        ("#close", {}, False),
        ("#check", {}, False),
        ("#go", {}, True),
        ("#elsewhere", {}, False),
        ("#contact", {"type": "submit"}, True),
        ("#dialog", {"type": "submit"}, False),
    ],
)
def test_which_clicks_and_submits_leave_for_a_page_of_the_site(load, selector, event, leaves):
    page = load(
        ["dom.js", "files.js", "queue.js"],
        ["leaving"],
        body=LEAVING_PAGE,
        prelude=f"var FILE_PATTERN = {json.dumps(FILE_PATTERN)};",
    )
    decided = page.evaluate(
        """([selector, init]) => !!runtime.leaving(Object.assign(
        {type: "click", target: Document.prototype.querySelector.call(document, selector),
         submitter: null}, init))""",
        [selector, event],
    )
    assert decided is leaves


# --- chunks of four (send.js) ------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize(
    "count, calls",
    [
        (1, ["v0"]),
        (2, [["v0", "v1"]]),
        (4, [["v0", "v1", "v2", "v3"]]),
        (5, [["v0", "v1", "v2", "v3"], ["v4"]]),
        (9, [["v0", "v1", "v2", "v3"], ["v4", "v5", "v6", "v7"], ["v8"]]),
    ],
)
def test_values_are_sent_one_alone_or_in_chunks_of_four(load, count, calls):
    page = load(
        ["send.js"],
        ["send", "sent"],
        prelude="var sent = []; function emit(value, rule) { sent.push([value, rule]); }",
    )
    page.evaluate(
        "count => runtime.send('rule', Array.from({length: count}, (_, i) => 'v' + i))", count
    )
    assert page.evaluate("runtime.sent") == [[call, "rule"] for call in calls]


# --- placeholders (values.js, fill*.js) --------------------------------------------------

PLACEHOLDER_PAGE = """
<img name="title"><img name="getAttribute">
<h2 id="plans"><a id="buy" data-product="Pro" data-empty="" href="/buy/">Buy <span hidden>secret</span>
<b>the\u00ad plan</b><a href="#plans">\u00b6</a></a></h2>
"""
FILL = [
    "dom.js",
    "path.js",
    "values.js",
    "fill.js",
    "fill-text.js",
    "fill-attr.js",
    "fill-path.js",
    "fill-query.js",
    "fill-host.js",
    "fill-title.js",
]


@pytest.mark.browser
@pytest.mark.parametrize(
    "value, sent",
    [
        ("plain", ["plain"]),
        (["one", "two"], ["one", "two"]),
        ([["lead - ", ["attr", "data-product"]]], ["lead - Pro"]),
        ([["x", ["attr", "data-missing"]], "kept"], ["kept"]),
        ([["x", ["attr", "data-empty"]]], []),
        ([[["text"]]], ["Buy the plan"]),
        ([["q=", ["query", "q"]]], ["q=1 2"]),
        ([[["query", "missing"]]], []),
        ([[["host"]]], ["site.test"]),
        ([[["title"]]], ["Runtime"]),
        ([[["path"]]], ["/caf\u00e9/"]),
    ],
)
def test_placeholders_are_read_from_the_element_and_the_page(load, value, sent):
    page = load(
        FILL,
        ["values", "where"],
        body=PLACEHOLDER_PAGE,
        path="/caf%C3%A9/?q=1+2",
        prelude=f"var FORMAT_PATTERN = {json.dumps(FORMAT_PATTERN)};",
    )
    page.evaluate("runtime.where()")
    assert (
        page.evaluate("value => runtime.values(value, document.getElementById('buy'))", value)
        == sent
    )


# --- storage repair (deliver.js) ---------------------------------------------------------

DELIVER = ["dom.js", "lost.js", "no-consent.js", "deliver.js"]
SPY = "window.calls = []; w.rtp = function () { calls.push(Array.from(arguments)); };"
KEY, SENT = "rtp-snippets queue", "rtp-snippets sent"


def call(value):
    return ["send", "event", {"value": value}]


@pytest.mark.browser
def test_only_calls_the_bundle_could_have_queued_are_sent(load):
    page = load(DELIVER, ["deliver"], prelude=SPY)
    now = page.evaluate("Date.now()")
    entries = [
        [1, now, call("kept")],
        [2, now, call(["a", "b", "c", "d"])],
        [3, now - 31 * 60 * 1000, call("too old")],
        [4, now, call(["a", "b", "c", "d", "e"])],
        [5, now, call([1])],
        [6, now, call([])],
        ["7", now, call("batch not a number")],
        [8, now, [*call("extra argument"), 1]],
        [9, now, ["send", "event", {"value": "x", "other": 1}]],
        [10, now, ["get", "campaign", True]],
        [11, now],
        None,
        "text",
        {"0": 1},
    ]
    page.evaluate(
        "([key, list]) => sessionStorage.setItem(key, JSON.stringify(list))", [KEY, entries]
    )
    page.evaluate("runtime.deliver()")
    assert page.evaluate("calls") == [call("kept"), call(["a", "b", "c", "d"])]
    assert page.evaluate("key => sessionStorage.getItem(key)", KEY) is None
    sent = page.evaluate("key => JSON.parse(localStorage.getItem(key))", SENT)
    assert [batch for batch, _ in sent] == [1, 2]


@pytest.mark.browser
@pytest.mark.parametrize(
    "queue, sent_list, sent",
    [
        ("not JSON", None, []),
        ('{"an": "object"}', None, []),
        ("[[1, 2, 3]", None, []),
        (None, "not JSON", [call("valid")]),
        (None, '{"1": 1}', [call("valid")]),
        (None, '[["x", 1], [1]]', [call("valid")]),
    ],
)
def test_storage_the_bundle_did_not_write_is_discarded_never_fatal(load, queue, sent_list, sent):
    page = load(DELIVER, ["deliver"], prelude=SPY)
    now = page.evaluate("Date.now()")
    page.evaluate(
        """([key, sentKey, queue, list, valid]) => {
        sessionStorage.setItem(key, queue === null ? JSON.stringify(valid) : queue);
        if (list !== null) localStorage.setItem(sentKey, list);
    }""",
        [KEY, SENT, queue, sent_list, [[1, now, call("valid")]]],
    )
    page.evaluate("runtime.deliver()")
    assert page.evaluate("calls") == sent
    assert page.evaluate("key => sessionStorage.getItem(key)", KEY) is None


@pytest.mark.browser
def test_a_batch_sent_by_a_duplicated_tab_is_not_sent_again(load):
    page = load(DELIVER, ["deliver"], prelude=SPY)
    now = page.evaluate("Date.now()")
    page.evaluate(
        """([key, sent, now, queued]) => {
        sessionStorage.setItem(key, JSON.stringify(queued));
        localStorage.setItem(sent, JSON.stringify([[1, now]]));
    }""",
        [KEY, SENT, now, [[1, now, call("sent before")], [2, now, call("new")]]],
    )
    page.evaluate("runtime.deliver()")
    assert page.evaluate("calls") == [call("new")]


# --- once: session (once-session.js) -----------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("stored, first", [(None, True), ("1", False), ("2", True), ("", True)])
def test_a_session_key_counts_only_as_the_bundle_writes_it(load, stored, first):
    page = load(["once-session.js"], ["first"])
    if stored is not None:
        page.evaluate("value => sessionStorage.setItem('rtp-snippets:key', value)", stored)
    assert page.evaluate("runtime.first('session', 'key')") is first
    assert page.evaluate("runtime.first('session', 'key')") is False  # used up on this page
    assert page.evaluate("sessionStorage.getItem('rtp-snippets:key')") == ("1" if first else stored)


# --- wildcard.js, consent-flag.js, dom.js ------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize(
    "text, glob, matched",
    [
        ("granted", "granted", True),
        ("granted:all", "granted*", True),
        ("not granted", "granted*", False),
        ("https://site.test/a.pdf", "*.pdf", True),
        ("https://site.test/a.pdf?x", "*.pdf", False),
        ("aab", "a*b*ab", False),
        ("abab", "a*b*ab", True),
        ("", "*", True),
    ],
)
def test_wildcard_matches_parts_joined_by_any_characters(load, text, glob, matched):
    page = load(["wildcard.js"], ["wildcard"])
    assert (
        page.evaluate("([text, parts]) => runtime.wildcard(text, parts)", [text, glob.split("*")])
        is matched
    )


@pytest.mark.browser
@pytest.mark.parametrize(
    "body, script, state",
    [
        ("", "", 0),
        ('<form id="siteConsent"><input type="checkbox" name="marketing" checked></form>', "", 0),
        ("", "window.siteConsent = {marketing: true};", 1),
        ("", "window.siteConsent = {marketing: false};", -1),
        ("", "window.siteConsent = {marketing: 'yes'};", 0),
        ("", "window.siteConsent = {marketing: document.body};", 0),
    ],
)
def test_a_consent_flag_is_a_value_the_sites_script_set(load, body, script, state):
    page = load(
        ["consent-flag.js"],
        ["decide"],
        body=body,
        prelude='var names = ["siteConsent", "marketing"];',
    )
    if script:
        page.evaluate(script)
    assert page.evaluate("runtime.decide()") == state


@pytest.mark.browser
def test_page_markup_does_not_shadow_what_dom_reads(load):
    page = load(["dom.js"], ["dom"], body='<img name="title"><img name="querySelector">')
    assert page.evaluate("typeof document.title") == "object"
    assert page.evaluate("runtime.dom(document, 'title')") == "Runtime"
    assert page.evaluate("runtime.dom(document, 'querySelector', ['title']).localName") == "title"
