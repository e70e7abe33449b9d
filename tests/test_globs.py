"""Page globs (issue 12): the same answers in Python and in Chromium, never a frozen page.

``reference_regex`` is the regular expression rtp-snippets used before (the old
``paths.glob_regex``, kept here as the reference). Its answers are the documented
semantics, but a regex engine backtracks: ``/**a**a**a**a**b`` against a
300-character path took 29 s in Python and 33 s in Chromium, and the visitor
chooses the path. The matchers of ``paths.py`` and of the bundle must give the
reference's answer for every glob and path hypothesis makes up, and answer
crafted worst cases (20 wildcards, 2,000-character paths) at once. How fast is
measured by ``benchmarks/glob_speed.py``; here a generous timeout only guards
against a hang.

The reference is read with ``re.DOTALL`` and ``fullmatch``: ``**`` covers any
characters. Without them the old regex let ``**`` stop at ``\\n`` (and in
JavaScript also at ``\\r``, U+2028 and U+2029, which a visitor can put into the
path as ``%0D``, ``%E2%80%A8``), so Python and the browser disagreed there.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtp_snippets import Rule, RuleSet, build_bundle
from rtp_snippets.paths import glob_problem, matches
from support.cli import run
from support.properties import CASE_COUNTS, examples

ORIGIN = "http://rtp.test"
SPY = "window.calls = []; window.rtp = function () { calls.push(Array.from(arguments)); };"
_REGEX_SPECIAL = set("\\.^$|?*+()[]{}")


def reference_regex(globs: list[str]) -> str:
    """The old ``paths.glob_regex``, word for word (with the folder rule of ``index.html``)."""
    return "^(?:" + "|".join(_reference_body(reference_normalize(glob)) for glob in globs) + ")$"


def _reference_body(glob: str) -> str:
    parts = []
    index = 0
    while index < len(glob):
        if glob.startswith("/**", index) and glob[index + 3 : index + 4] in ("", "/"):
            parts.append("(?:/.*)?")
            index += 3
        elif glob.startswith("**", index):
            parts.append(".*")
            index += 2
        elif glob[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif glob[index] == "?":
            parts.append("[^/]")
            index += 1
        else:
            char = glob[index]
            parts.append("\\" + char if char in _REGEX_SPECIAL else char)
            index += 1
    return "".join(parts)


def reference_normalize(path: str) -> str:
    # \Z, not $: Python's $ also matches before a final "\n", JavaScript's does not.
    return re.sub(r"/index\.html?\Z", "/", path)


def reference_matches(globs: list[str], path: str) -> bool:
    return re.fullmatch(reference_regex(globs), reference_normalize(path), re.DOTALL) is not None


def test_the_reference_is_the_old_regex():
    assert reference_regex(["/pricing/**", "/blog/*.html", "/a/index.html"]) == (
        "^(?:/pricing(?:/.*)?|/blog/[^/]*\\.html|/a/)$"
    )


# Glob pieces and path characters: wildcards, what they must not cross ("/"), the
# folder rule's "index.html", characters special in a regex (only those that a URL
# keeps: decodeURI leaves "+" and "$" encoded) and line terminators.
GLOB_PIECES = [
    "a",
    "b",
    "ab",
    ".",
    "-",
    "é",
    "(",
    "[",
    "^",
    "|",
    "\\",
    "/",
    "*",
    "**",
    "?",
    "/**",
    "index.html",
    "index.htm",
]
SEGMENT_CHARS = ["a", "b", ".", "-", "é", "\n", "\r", "\u2028"]
PATH_CHARS = SEGMENT_CHARS + ["/", "/", "/index.html"]
GLOB = (
    st.lists(st.sampled_from(GLOB_PIECES), max_size=9)
    .map(lambda pieces: "/" + "".join(pieces))
    .filter(lambda glob: glob_problem(glob) is None)
)


def _tokens(glob: str) -> list[str]:
    """The glob cut the way the reference reads it: "/**" (before "/" or at the end), "**",
    "*", "?" or one literal character."""
    return re.findall(r"/\*\*(?=/|\Z)|\*\*|.", glob, re.DOTALL)


def _text(draw, characters: list[str], max_size: int = 4, repeat: int = 1) -> str:
    if repeat == 1:
        return "".join(draw(st.lists(st.sampled_from(characters), max_size=max_size)))
    text = "".join(draw(st.lists(st.sampled_from(characters), min_size=1, max_size=max_size)))
    return text * draw(st.sampled_from([1, 2, repeat // 2, repeat]))


@st.composite
def path_for(draw, glob: str, repeat: int = 1) -> str:
    """A path the glob matches, often changed a little afterwards, or any path. With
    ``repeat``, what the wildcards match is repeated up to that many times."""
    kind = draw(st.sampled_from(["matching", "changed", "any"]))
    if kind == "any":
        return "/" + _text(draw, PATH_CHARS, 10, repeat)
    parts = []
    for token in _tokens(glob):
        if token == "?":
            parts.append(draw(st.sampled_from(SEGMENT_CHARS)))
        elif token == "*":
            parts.append(_text(draw, SEGMENT_CHARS, repeat=repeat))
        elif token == "**":
            parts.append(_text(draw, PATH_CHARS, repeat=repeat))
        elif token == "/**":
            parts.append(draw(st.sampled_from(["", "/"])) + _text(draw, PATH_CHARS, repeat=repeat))
        else:
            parts.append(token)
    path = "".join(parts)
    if kind == "changed" and path:
        index = draw(st.integers(0, len(path) - 1))
        path = path[:index] + _text(draw, PATH_CHARS, 2) + path[index + 1 :]
    return path if path.startswith("/") else "/" + path


@st.composite
def globs_and_paths(draw, paths_per_glob: int = 4, repeat: int = 1) -> tuple[list[str], list[str]]:
    # Long paths come from what wildcards match: each glob has one.
    glob = GLOB if repeat == 1 else GLOB.filter(lambda glob: "*" in glob)
    globs = draw(st.lists(glob, min_size=1, max_size=4))
    paths = [draw(path_for(glob, repeat)) for glob in globs for _ in range(paths_per_glob)]
    return globs, paths


def _count(name: str, number: int = 1) -> None:
    CASE_COUNTS[name] = CASE_COUNTS.get(name, 0) + number


@pytest.mark.parametrize(
    "globs, path, expected",
    [
        (["/blog/**"], "/blog/a\nb", True),
        (["/blog/**"], "/blog/a\rb", True),
        (["/blog/**"], "/blog/a\u2028b", True),
        (["/blog/**"], "/blog\n", False),
        (["/"], "/index.html\n", False),
        (["/blog/*"], "/blog/a\nb", True),
        (["/**/**"], "/", True),
        (["/a/**/**/b"], "/a/b", True),
        (["/a/**/**/b"], "/a/x/y/b", True),
        (["/a/**/**"], "/ab", False),
        (["/**a**a**a**a**b"], "/" + "a" * 40, False),
        (["/**a**a**a**a**b"], "/" + "a" * 40 + "b", True),
    ],
)
def test_page_globs_with_line_terminators_and_repeated_wildcards(globs, path, expected):
    assert reference_matches(globs, path) is expected
    assert matches(globs, path) is expected


@settings(max_examples=examples(500), deadline=None)
@given(case=globs_and_paths())
def test_python_matches_the_reference(case):
    globs, paths = case
    for path in paths:
        expected = reference_matches(globs, path)
        assert matches(globs, path) is expected, (globs, path)
        for glob in globs:
            assert matches([glob], path) is reference_matches([glob], path), (glob, path)
        _count(
            f"glob lists and paths compared with the old regex in Python, "
            f"{'matching' if expected else 'not matching'}"
        )


def test_a_glob_over_200_characters_is_refused_where_it_goes_over(tmp_path, monkeypatch):
    # Matching costs about path length × glob length; this cap and the one on wildcards
    # keep every glob within 10 ms on a 2,000-character path (benchmarks/glob_speed.py).
    monkeypatch.chdir(tmp_path)
    glob = "/docs/" + "a" * 200 + "/**"
    line = f"  - on view send 'x' pages {glob}"
    (tmp_path / "rtp-rules.yml").write_text(f"rules:\n{line}\n", encoding="utf-8")
    result = run("build", "rtp-rules.yml")
    column = line.index(glob) + 200 + 1
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: rtp-rules.yml:2:{column}: a page glob is at most 200 characters; this one "
        f"has {len(glob)}\n  {line}\n  {' ' * (column - 1)}^\n"
    )
    assert glob_problem(glob[:200]) is None


def test_a_glob_of_over_20_wildcards_is_refused_at_the_21st(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    glob = "/**" + "/*-?" * 10
    line = f"  - on view send 'x' pages {glob}"
    (tmp_path / "rtp-rules.yml").write_text(f"rules:\n{line}\n", encoding="utf-8")
    result = run("build", "rtp-rules.yml")
    column = line.index(glob) + len(glob)  # the last "?" is the 21st wildcard
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: rtp-rules.yml:2:{column}: a page glob has at most 20 wildcards (*, ** and ?); "
        f"this one has 21\n  {line}\n  {' ' * (column - 1)}^\n"
    )
    assert glob_problem(glob[:-1]) is None


# Crafted worst cases: at most 20 wildcards, paths of 2,000 characters. Each one
# makes a backtracking regex try a number of ways that grows like a power of the
# path length; the path that does not match is the slowest.
A = "/" + "a" * 1999
SEGMENTS = "/a" * 1000
CRAFTED = [
    ("/**a**a**a**a**b", A, False),  # issue 12
    ("/**a**a**a**a**b", A[:-1] + "b", True),
    ("/" + "**a" * 19 + "**b", A, False),
    ("/" + "*a" * 19 + "*b", A, False),
    ("/" + "*a" * 19 + "*b", A[:-1] + "b", True),
    ("/**a*a*a*a*a*a*a*a*a*a**b", A, False),
    ("/" + "?*" * 10 + "/b", A, False),
    ("/**" * 20 + "b", SEGMENTS, False),
    ("/**" * 20 + "b", SEGMENTS[:-1] + "b", True),
    ("/**/a" * 10 + "/b", SEGMENTS, False),
    ("/" + ("a" * 7 + "**") * 20 + "a" * 18 + "b", A, False),  # 200 characters
]


def test_crafted_globs_do_not_hang_python():
    # One process answers every case; the timeout (thousands of times the 10 ms a
    # case may take, see benchmarks/glob_speed.py) only stops a hang.
    script = (
        "import json, sys\nfrom rtp_snippets.paths import matches\n"
        "cases = json.load(sys.stdin)\n"
        "print(json.dumps([matches([glob], path) for glob, path, _ in cases]))"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script],
            input=json.dumps(CRAFTED),
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("matching the crafted globs took over 30 s", pytrace=False)
    assert json.loads(done.stdout) == [expected for _, _, expected in CRAFTED]


# ---- the bundle's matcher, in Chromium


@pytest.fixture(scope="module")
def blank_page(browser):
    """A tab on ORIGIN: every path serves an empty page with the spy rtp."""
    context = browser.new_context()
    context.set_default_timeout(5000)
    html = (
        f"<!doctype html><html><head><meta charset=utf-8><script>{SPY}</script></head>"
        "<body></body></html>"
    )
    context.route(
        f"{ORIGIN}/**",
        lambda route: route.fulfill(body=html, headers={"content-type": "text/html"}),
    )
    page = context.new_page()
    page.goto(ORIGIN + "/")
    yield page
    context.close()


def sent_at(page, paths: list[str], code: str) -> list[list[str]]:
    """For each path, the values the bundle sends when it runs on the page at that path."""
    # Percent-encoded as in a real URL: the bundle decodes location.pathname with decodeURI.
    # An inline script runs as soon as it is added, as the injected bundle does. Each run
    # stands for a new page load, so the bundle's once-per-document mark is taken off
    # first (its rules are view rules: they leave no listener behind).
    return page.evaluate(
        """([urls, code]) => urls.map(url => {
        history.replaceState(null, '', url);
        delete document.documentElement[Symbol.for('rtp-snippets')];
        window.calls = [];
        const script = document.createElement('script');
        script.textContent = code;
        document.body.append(script);
        script.remove();
        return calls.map(call => call[2].value);
    })""",
        [[ORIGIN + quote(path, safe="/") for path in paths], code],
    )


def _browser_path(path: str) -> bool:
    # The URL parser resolves "." and ".." segments, so such paths never reach a page.
    return not {".", ".."} & set(path.split("/"))


def compare_in_chromium(page, globs: list[str], paths: list[str], expected_match) -> int:
    """Run a bundle whose rules use the globs in pages and exclude at each path, and
    check what it sends against ``expected_match(globs, path)``; the pairs compared."""
    rules = [
        Rule(event="view", send=f"pages {index}", pages=glob) for index, glob in enumerate(globs)
    ]
    rules += [
        Rule(event="view", send=f"exclude {index}", exclude=glob)
        for index, glob in enumerate(globs)
    ]
    rules.append(Rule(event="view", send="pages all, exclude first", pages=globs, exclude=globs[0]))
    paths = list(filter(_browser_path, paths))
    expected = []
    for path in paths:
        sent = [
            f"pages {index}" for index, glob in enumerate(globs) if expected_match([glob], path)
        ]
        sent += [
            f"exclude {index}"
            for index, glob in enumerate(globs)
            if not expected_match([glob], path)
        ]
        if expected_match(globs, path) and not expected_match(globs[:1], path):
            sent.append("pages all, exclude first")
        expected.append(sent)
    assert sent_at(page, paths, build_bundle(RuleSet(tuple(rules))).code) == expected
    return len(globs) * len(paths)


@pytest.mark.browser
@settings(
    max_examples=examples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=globs_and_paths(paths_per_glob=3))
def test_the_bundle_matches_the_reference_in_chromium(blank_page, case):
    _count(
        "glob and path pairs compared with the old regex in Chromium",
        compare_in_chromium(blank_page, *case, reference_matches),
    )


@pytest.mark.browser
@settings(
    max_examples=examples(80),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=globs_and_paths(paths_per_glob=3, repeat=40))
def test_the_bundle_matches_python_on_long_paths_in_chromium(blank_page, case):
    # Paths of hundreds of characters, across many of the bundle's 32-bit words. The
    # old regex would take too long here; paths.matches, checked against it above on
    # shorter paths, keeps its sets in one Python integer, with no words to cross.
    _count(
        "long paths (over 64 characters) compared with paths.matches in Chromium",
        sum(len(path) > 64 for path in case[1]),
    )
    compare_in_chromium(blank_page, *case, matches)


@pytest.mark.browser
@pytest.mark.parametrize("glob, path, expected", CRAFTED)
def test_a_crafted_url_does_not_freeze_the_page(browser, glob, path, expected):
    # The visitor chooses location.pathname. The bundle runs while the page loads,
    # so a hang shows as a navigation that does not finish; the timeout only stops it.
    bundle = build_bundle(
        RuleSet(
            (Rule(event="view", send="crafted", pages=glob), Rule(event="view", send="everywhere"))
        )
    )
    html = (
        f"<!doctype html><html><head><meta charset=utf-8><script>{SPY}</script></head>"
        f"<body><script>{bundle.code}</script></body></html>"
    )
    context = browser.new_context()
    try:
        context.route(
            f"{ORIGIN}/**",
            lambda route: route.fulfill(body=html, headers={"content-type": "text/html"}),
        )
        page = context.new_page()
        page.goto(ORIGIN + path, timeout=20_000)
        assert [call[2]["value"] for call in page.evaluate("window.calls")] == (
            ["crafted"] * expected + ["everywhere"]
        )
    finally:
        context.close()
