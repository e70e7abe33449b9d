import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from rtp_snippets import BundleError, Rule, RuleSet, build_bundle, load_rules, render
from rtp_snippets.render import Features, html_safe

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / "tests" / "expected"
EXAMPLE = ROOT / "examples" / "rtp-rules.yml"
SEED = "on click #download-whitepaper send 'download - example whitepaper'"


@pytest.mark.parametrize("name, minify", [("example.min.js", True), ("example.pretty.js", False)])
def test_golden_files_of_the_example_rules(regenerate, name, minify):
    code = build_bundle(load_rules(EXAMPLE), minify=minify).code + "\n"
    golden = EXPECTED / name
    if regenerate:
        golden.write_text(code, encoding="ascii")
    assert code == golden.read_text(encoding="ascii"), (
        "run pytest --regenerate after a deliberate change"
    )


def test_seed_bundle_golden(regenerate, bundle_of):
    code = bundle_of(SEED).code + "\n"
    golden = EXPECTED / "seed.min.js"
    if regenerate:
        golden.write_text(code, encoding="ascii")
    assert code == golden.read_text(encoding="ascii")


def test_same_rules_same_bytes_across_processes():
    script = (
        "from rtp_snippets import build_bundle, load_rules;"
        f"print(build_bundle(load_rules({str(EXAMPLE)!r})).code)"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert outputs == {build_bundle(load_rules(EXAMPLE)).code + "\n"}


# What each run-time part leaves in the minified code: object keys and globals
# that minification cannot rename.
PARTS = {
    "session storage": '=="session"',
    "once": '"rtp-snippets:"+',
    "path globs": "index\\.html?",
    "placeholders": ".attr=function",
    "query placeholder": ".query=function",
    "text placeholder": '"firstChild"',
    "visible observer": "IntersectionObserver",
    "new elements": "MutationObserver",
    "scroll": "scrollHeight",
    "timer": "*1e3",
    "page load": "DOMContentLoaded",
    "arrays": ".slice(",
    "submit": '"submit"',
    "navigation queue": '"a[href],area[href]"',
    "queued calls sent": "pageshow",
    "visible for a time": "rootBounds",
    "link globs": '"baseURI"',
    "host placeholder": ".host=function",
    "title placeholder": ".title=function",
}
QUEUE = {"navigation queue", "queued calls sent"}


@pytest.mark.parametrize(
    "lines, included",
    [
        ([SEED, "on click .cta send 'cta'"], QUEUE),
        ([SEED + " once page"], QUEUE | {"once"}),
        ([SEED + " once session"], QUEUE | {"once", "session storage"}),
        ([SEED + " pages /blog/**"], QUEUE | {"path globs"}),
        (
            [SEED.replace("'download", "'{attr:data-x} download")],
            QUEUE | {"placeholders", "arrays"},
        ),
        (["on click #a send '{text}'"], QUEUE | {"text placeholder", "arrays"}),
        (["on click #a send '{query:q}'"], QUEUE | {"query placeholder", "arrays"}),
        (["on click #a send 'a', 'b'"], QUEUE | {"arrays"}),
        (["on submit form send 'x'"], QUEUE | {"submit"}),
        (["on view send 'x'"], {"page load"}),
        (["on visible #a send 'x'"], {"page load", "visible observer", "new elements"}),
        (["on scroll 50% send 'x'"], {"page load", "scroll"}),
        (["on timer 5s send 'x'"], {"timer"}),
        (["on scroll 25%, 50% send 'read {percent}'"], {"page load", "scroll"}),
        (
            ["on visible #a 50% send 'x'"],
            {"page load", "visible observer", "new elements", "visible for a time"},
        ),
        (
            ["on visible #a for 2s send 'x'"],
            {"page load", "visible observer", "new elements", "visible for a time"},
        ),
        (["on click link '*.pdf' send 'x'"], QUEUE | {"link globs"}),
        (["on click #a link outbound send 'x'"], QUEUE | {"link globs"}),
        (["on view send '{host}'"], {"page load", "arrays", "host placeholder"}),
        (["on view send '{title}'"], {"page load", "arrays", "title placeholder"}),
    ],
)
def test_the_bundle_carries_only_the_parts_its_rules_need(bundle_of, lines, included):
    code = bundle_of(*lines).code
    assert {part for part, marker in PARTS.items() if marker in code} == included


@pytest.mark.parametrize("navigation, included", [("queue", QUEUE), ("send", set())])
def test_navigation_setting_decides_the_queue_code(rules_file, navigation, included):
    ruleset = load_rules(rules_file(f'navigation: {navigation}\nrules:\n  - "{SEED}"\n'))
    code = build_bundle(ruleset).code
    assert {part for part, marker in PARTS.items() if marker in code} == included


def test_a_page_without_click_rules_still_sends_what_other_pages_queued(rules_file):
    ruleset = load_rules(rules_file(f"rules:\n  - \"{SEED}\"\n  - on view send 'x'\n"))
    view_only = ruleset.subset(rule for rule in ruleset if rule.event == "view")
    code = build_bundle(view_only).code
    assert {part for part, marker in PARTS.items() if marker in code} == {
        "page load",
        "queued calls sent",
    }
    # The same rule in a set that queues nothing gets no queue code at all.
    alone = load_rules(rules_file("rules:\n  - on view send 'x'\n"))
    assert build_bundle(alone).code == build_bundle(alone.subset(alone)).code
    assert "pageshow" not in build_bundle(alone).code


@pytest.mark.parametrize("navigation, sizes", [("queue", (3423, 1638)), ("send", (989, 545))])
def test_seed_bundle_size(rules_file, navigation, sizes):
    bundle = build_bundle(
        load_rules(rules_file(f'navigation: {navigation}\nrules:\n  - "{SEED}"\n'))
    )
    assert (bundle.size, bundle.gzip_size) == sizes


@pytest.mark.parametrize(
    "value",
    [
        "</script><script>alert(1)</script>",
        "<!-- x",
        "</SCRIPT >",
        "a\u2028b\u2029c",
        "\x00nul",
        "quote \" and ' and ` and \\",
        "${{not a template}}",
        "emoji \U0001f600 and RTL \u200f",
        "carriage\rreturn\nnewline\ttab",
    ],
)
def test_values_stay_inside_the_script_and_ascii(bundle_of, value):
    rule = Rule(event="click", selector="#a", send=[value, "second"])
    code = build_bundle(RuleSet((rule,))).code
    assert code.isascii()
    lowered = code.lower()
    assert "</script" not in lowered and "<!--" not in lowered
    assert "\r" not in code and "\x00" not in code


def test_the_template_reads_exactly_the_feature_switches():
    template = (ROOT / "rtp_snippets" / "templates" / "bundle.js.j2").read_text(encoding="utf-8")
    read = set(re.findall(r"\bfeatures\.(\w+)", template))
    assert read == {field.name for field in dataclasses.fields(Features)}


def test_a_misspelt_feature_switch_fails_the_render():
    features = render.bundle_features(load_rules(EXAMPLE))
    template = render._environment().from_string("{% if features.glob %}applies{% endif %}")
    with pytest.raises(jinja2.UndefinedError, match="has no attribute 'glob'"):
        template.render(features=features)


@pytest.mark.parametrize(
    "value, text",
    [
        (["</script>", "a&b", "\u2028"], '["\\u003c/script\\u003e","a\\u0026b","\\u2028"]'),
        ("it's \\", '"it\\u0027s \\\\"'),
        ("\U0001f600", '"\\ud83d\\ude00"'),
        ({"once": "page", "key": "home"}, '{"once":"page","key":"home"}'),  # keys as written
    ],
)
def test_values_enter_the_javascript_as_ascii_json_with_html_characters_escaped(value, text):
    rendered = render._environment().from_string("{{ value | tojson }}").render(value=value)
    assert rendered == text
    assert json.loads(rendered) == value


def test_html_safe_escapes_what_the_minifier_unescaped():
    assert html_safe('f("</script>","<!--",`a\rb`,"\U0001f600",a<b)') == (
        'f("\\x3c/script>","\\x3c!--",`a\\u000db`,"\\ud83d\\ude00",a<b)'
    )


def test_esbuild_failure_is_an_error_not_empty_output(monkeypatch):
    monkeypatch.setattr(render, "_esbuild_transform", lambda: lambda code: "")
    with pytest.raises(
        BundleError,
        match="esbuild could not parse the JavaScript rendered from templates/bundle.js.j2",
    ):
        build_bundle(load_rules(EXAMPLE))


def test_esbuild_really_returns_empty_on_a_syntax_error():
    # The behaviour build_bundle relies on (esbuild-py 0.1.6 raises nothing).
    assert render._esbuild_transform()("function (") == ""


def test_esbuild_is_imported_without_distutils_or_setuptools():
    # esbuild-py imports distutils.sysconfig; render lends it the standard library's
    # sysconfig for that import, so no setuptools is loaded (0.4 s) or needed (3.12+).
    code = (
        "import sys; from rtp_snippets import render; render._esbuild_transform(); "
        "print(sorted(name for name in sys.modules "
        "if name.split('.')[0] in ('distutils', 'setuptools', 'pkg_resources', 'esbuild_py')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "['esbuild_py', 'esbuild_py.esbuild']\n"


def test_navigation_in_a_python_rules_file(rules_file):
    path = rules_file(
        "from rtp_snippets import Rule\n\nnavigation = 'send'\n"
        "rules = [Rule(event='click', selector='#a', send='x')]\n",
        name="rules.py",
    )
    assert load_rules(path).navigation == "send"
    assert "pageshow" not in build_bundle(load_rules(path)).code


def test_the_budget_is_for_the_minified_bundle_also_when_a_readable_one_is_built():
    """build_bundle(max_bytes=...) is the build command's one call: over the budget it
    raises BudgetExceeded; a readable bundle is judged by the size it will have deployed."""
    from rtp_snippets.errors import BudgetExceeded

    ruleset = load_rules(EXAMPLE)
    minified = build_bundle(ruleset)
    readable = build_bundle(ruleset, minify=False, max_bytes=minified.gzip_size)
    assert readable.gzip_size > minified.gzip_size
    with pytest.raises(BudgetExceeded, match="over --max-bytes"):
        build_bundle(ruleset, minify=False, max_bytes=minified.gzip_size - 1)
    with pytest.raises(BudgetExceeded):
        build_bundle(ruleset, max_bytes=minified.gzip_size - 1)


def test_no_two_parts_of_the_bundle_declare_the_same_name():
    # Every part shares the bundle's one function scope: a name declared twice (a
    # function and a variable of one name) breaks whichever comes first, and only in
    # bundles that have both parts. Built with every part at once, readable.
    from rtp_snippets import Consent

    every = [
        "on click #a send '{text} {attr:x} {path} {query:q} {host} {title}' once session",
        "on click link '*.pdf' send 'pdf'",
        "on click link outbound send 'out'",
        "on click link file send 'file'",
        "on submit form send 'lead', 'a', 'b', 'c', 'd'",
        "on view h1 send 'view {text}' once page pages /blog/**",
        "on visible .v 50% for 2s send 'v'",
        "on visible .w send 'w'",
        "on scroll 25%, 50% send 'read {percent}'",
        "on timer 5s send 't'",
    ]
    rules = tuple(rule for line in every for rule in load_rules_text(line))
    platforms = [
        Consent(platform="onetrust", groups="C0004"),
        Consent(platform="cookie", cookie="c", value="*yes*"),
        Consent(platform="cookie", cookie="c", field="a", value="b"),
        Consent(platform="klaro", services="s"),
        Consent(platform="cookieconsent", categories="marketing"),
        Consent(platform="flag", flag="a.b"),
    ]
    for consent in platforms:
        for preview in (False, True):
            code = build_bundle(
                RuleSet(rules, client_navigation="on", consent=consent),
                minify=False,
                preview=preview,
            ).code
            names = top_level_names(code)
            assert len(names) == len(set(names)), sorted(
                name for name in set(names) if names.count(name) > 1
            )


def load_rules_text(line: str):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "one.rules")
        path.write_text(line + "\n", encoding="utf-8")
        return load_rules(path).rules


def top_level_names(code: str) -> list[str]:
    """The names the bundle's IIFE declares in its own scope (esbuild's readable output
    indents them by two spaces): functions, and each variable of a var statement."""
    names = re.findall(r"^  function (\w+)\(", code, re.M)
    for statement in re.findall(r"^  var (.*?);$", code, re.M | re.S):
        depth, start, parts = 0, 0, []
        for index, char in enumerate(statement):
            depth += char in "([{"
            depth -= char in ")]}"
            if char == "," and depth == 0:
                parts.append(statement[start:index])
                start = index + 1
        parts.append(statement[start:])
        names += [re.match(r"\s*(\w+)", part).group(1) for part in parts]
    return names
