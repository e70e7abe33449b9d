"""Bundle sizes: ours against esbuild --minify and against a hand-written minimum.

Run by hand (not in CI):  .venv/bin/python benchmarks/bundle_size.py [--write]

For 1, 10 and 100 rules, in two series (plain click rules; a mix that uses
every event and feature), each built with `navigation: queue` (the default:
calls of a click that leaves the page are kept for the next page) and with
`navigation: send`, it prints raw and gzip -9 bytes of:
  - our minified bundle,
  - `esbuild --minify` (npm package, installed into benchmarks/.cache/) run on
    the same readable source (`build_bundle(..., minify=False)`),
  - the runtime overhead: gzip(bundle) - gzip(the rules' data as JSON), i.e.
    what the code costs beyond the data any implementation has to ship,
and, for the one click rule of the examples (`on click #download-whitepaper send
'download - example whitepaper'`), a hand-written minimal equivalent (which, like
`navigation: send`, does not keep calls across navigation); then what each run-time part
adds to the bundle of that one rule (rule data included). It then checks its limits for
both settings (printed as met or MISSED) and exits 1 if one is missed. With --write it
also writes the tables, with the date and the machine, into docs/benchmarks.md between
its bundle_size.py markers (benchmarks/docs_table.py).

With --budget it only measures the bundles of BUDGETED and writes their gzip sizes to
benchmarks/bundle-size.json, the size budget that tests/test_size_budget.py holds every
bundle to (at most 2 % over): a change that makes a bundle bigger commits the new
budget with it.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from rtp_snippets import Consent, Rule, RuleSet, build_bundle, render
from rtp_snippets.render import Bundle, _records

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_table import table, write_section  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
BUDGET = Path(__file__).resolve().parent / "bundle-size.json"
ESBUILD = CACHE / "node_modules" / ".bin" / "esbuild"

# The one click rule of the examples, the first rule of every series.
CLICK_RULE = Rule(
    event="click", selector="#download-whitepaper", send="download - example whitepaper"
)
# That rule written by hand: the official queue stub and one capture listener
# with closest(), window.rtp looked up at the call. No IIFE is needed because
# it declares no variables.
HAND_WRITTEN = (
    "window.rtp||(window.rtp=function(){(window.rtp.q=window.rtp.q||[]).push(arguments)});"
    'document.addEventListener("click",function(e){e.target.closest("#download-whitepaper")'
    '&&window.rtp("send","event",{value:"download - example whitepaper"})},!0)'
)

# The same rule written by hand with the debug log of issue 15 (the switch kept in
# sessionStorage for the tab's session, `=off` ends it; each call logged with the rule's
# line, what happened and the exact rtp arguments) and without the session switch (only
# pages whose address asks log): the least that log costs written by hand. The block keeps
# the switch out of window.
HAND_WRITTEN_DEBUG = (
    "window.rtp||(window.rtp=function(){(window.rtp.q=window.rtp.q||[]).push(arguments)});"
    "{let d;try{d=/rtp-snippets-debug(=off)?/.exec(location.href),d=d?sessionStorage["
    '"rtp-snippets-debug"]=d[1]?"":1:sessionStorage["rtp-snippets-debug"]}catch(e){}'
    'document.addEventListener("click",function(e){e.target.closest("#download-whitepaper")'
    '&&(e=["send","event",{value:"download - example whitepaper"}],d&&console.log('
    '"rtp-snippets line",1,"sent",e),window.rtp.apply(window,e))},!0)}'
)
HAND_WRITTEN_DEBUG_NO_SESSION = (
    "window.rtp||(window.rtp=function(){(window.rtp.q=window.rtp.q||[]).push(arguments)});"
    "{let d=/rtp-snippets-debug/.test(location.href);"
    'document.addEventListener("click",function(e){e.target.closest("#download-whitepaper")'
    '&&(e=["send","event",{value:"download - example whitepaper"}],d&&console.log('
    '"rtp-snippets line",1,"sent",e),window.rtp.apply(window,e))},!0)}'
)


def gzip_size(text: str) -> int:
    return len(gzip.compress(text.encode(), compresslevel=9, mtime=0))


def click_rules(count: int) -> list[Rule]:
    return [CLICK_RULE] + [
        Rule(event="click", selector=f"#cta-{index}", send=f"cta {index} - pricing page")
        for index in range(1, count)
    ]


def mixed_rules(count: int) -> list[Rule]:
    kinds = [
        lambda i: Rule(event="click", selector=f"a.product-{i}", send=[f"product {i}", "{text}"]),
        lambda i: Rule(
            event="submit",
            selector=f"form#form-{i}",
            once="session",
            send=[f"form {i}", "lead - {attr:data-product}", "{query:utm_campaign}"],
        ),
        lambda i: Rule(
            event="view",
            send=f"viewed section {i}",
            pages=f"/section-{i}/**",
            exclude="/section-0/archive/**",
            once="page",
        ),
        lambda i: Rule(event="visible", selector=f"#case-study-{i}", send=f"saw case study {i}"),
        lambda i: Rule(event="scroll", percent=25 + i % 4 * 25, send=f"read {i}", pages="/blog/**"),
        lambda i: Rule(event="timer", seconds=10 + i, send=[f"stayed {i}", "{path}"]),
        lambda i: Rule(
            event="click", selector=f"#share-{i}", send=["share", "a", "b", "c", "d", f"{i}"]
        ),
    ]
    return [CLICK_RULE] + [kinds[index % len(kinds)](index) for index in range(1, count)]


def esbuild_minify(code: str) -> str:
    if not ESBUILD.exists():
        CACHE.mkdir(exist_ok=True)
        subprocess.run(
            ["npm", "install", "--silent", "--prefix", str(CACHE), "esbuild"], check=True
        )
    return subprocess.run(
        [str(ESBUILD), "--minify", "--loader=js"],
        input=code,
        text=True,
        capture_output=True,
        check=True,
    ).stdout.rstrip("\n")


def measure(rules: list[Rule], navigation: str) -> dict:
    ruleset = RuleSet(tuple(rules), navigation=navigation)
    ours = build_bundle(ruleset).code
    theirs = esbuild_minify(build_bundle(ruleset, minify=False).code)
    data = json.dumps(
        [record.to_json() for rule in rules for record in _records(rule)], separators=(",", ":")
    )
    return {
        "rules": len(rules),
        "raw": len(ours),
        "gzip": gzip_size(ours),
        "esbuild_raw": len(theirs),
        "esbuild_gzip": gzip_size(theirs),
        "overhead": gzip_size(ours) - gzip_size(data),
    }


# One rule per run-time part, added to the one click rule to show what that part costs.
FEATURES = {
    "submit listener": Rule(event="submit", selector="form", send="x"),
    "several values (arrays, chunks of four)": Rule(event="click", selector="#b", send=["x", "y"]),
    "{attr:NAME} placeholder": Rule(event="click", selector="#b", send="{attr:a}"),
    "{text} placeholder": Rule(event="click", selector="#b", send="{text}"),
    "{path} placeholder": Rule(event="click", selector="#b", send="{path}"),
    "{query:NAME} placeholder": Rule(event="click", selector="#b", send="{query:q}"),
    "once: page": Rule(event="click", selector="#b", send="x", once="page"),
    "once: session": Rule(event="click", selector="#b", send="x", once="session"),
    "pages / exclude": Rule(event="click", selector="#b", send="x", pages="/a/**"),
    "view": Rule(event="view", send="x"),
    "visible": Rule(event="visible", selector="#v", send="x"),
    "scroll": Rule(event="scroll", percent=50, send="x"),
    "timer": Rule(event="timer", seconds=5, send="x"),
    # The triggers of issue 15.
    "scroll, four depths with {percent}": Rule(
        event="scroll", percent=[25, 50, 75, 100], send="read {percent}"
    ),
    "visible 50% for 2s": Rule(event="visible", selector="#v", percent=50, seconds=2, send="x"),
    "click link '*.pdf'": Rule(event="click", link="*.pdf", send="x"),
    "click link outbound": Rule(event="click", link="outbound", send="x"),
    "{host} placeholder": Rule(event="click", selector="#b", send="{host}"),
    "{title} placeholder": Rule(event="click", selector="#b", send="{title}"),
    "click link file": Rule(event="click", link="file", send="x"),
}
# What a new trigger adds over the older rule it extends (the one click rule in both).
OVER = {
    "visible 50% for 2s": "visible",
    "scroll, four depths with {percent}": "scroll",
}


CONSENTS = {
    "onetrust": Consent(platform="onetrust", groups="C0004"),
    "cookiebot": Consent(platform="cookiebot", categories="marketing"),
    "tcf": Consent(platform="tcf", purposes=[1, 3, 4]),
    "cookie": Consent(platform="cookie", cookie="site_consent", value="granted*"),
    "cookie, a field of its JSON": Consent(
        platform="cookie", cookie="cc_cookie", field="categories", value="marketing"
    ),
    "cookieconsent": Consent(platform="cookieconsent", categories="marketing"),
    "klaro": Consent(platform="klaro", services="google-ads"),
    "flag": Consent(platform="flag", flag="siteConsent.marketing", event="consent-changed"),
}


def without_debug_log(ruleset: RuleSet) -> Bundle:
    """The bundle as it would be without the debug log: its code left out, and the rules'
    records without their lines (render's own steps, with that one feature off)."""
    features = dataclasses.replace(render.bundle_features(ruleset), debug=False)
    groups: dict[str, list] = {}
    for rule in ruleset:
        record = render._record(rule).to_json()
        del record[2]  # the line; only the one click rule (no options) is measured here
        groups.setdefault(rule.event, []).append(record)
    source = render._template(render.TEMPLATE).render(
        groups=groups,
        features=features,
        file_pattern=render.FILE_PATTERN,
        format_pattern=render.FORMAT_PATTERN,
    )
    return render._finish(source, render.TEMPLATE, minify=True)


def feature_costs() -> list[list[object]]:
    """Rows of what each part adds to the bundle of the one click rule built with
    navigation: send: name, added raw bytes, added gzip bytes."""
    alone = build_bundle(RuleSet((CLICK_RULE,), navigation="send"))

    def added(name: str, bundle: Bundle, base: Bundle = alone) -> list[object]:
        return [name, bundle.size - base.size, bundle.gzip_size - base.gzip_size]

    rows = [
        added(name, build_bundle(RuleSet((CLICK_RULE, rule), navigation="send")))
        for name, rule in FEATURES.items()
    ]
    for name, older in OVER.items():
        new = build_bundle(RuleSet((CLICK_RULE, FEATURES[name]), navigation="send"))
        old = build_bundle(RuleSet((CLICK_RULE, FEATURES[older]), navigation="send"))
        rows.append(added(f"{name}, over a {older} rule", new, old))
    rows.append(
        added(
            "navigation: queue (keeping calls across navigation)",
            build_bundle(RuleSet((CLICK_RULE,))),
        )
    )
    view = Rule(event="view", send="x")
    rows.append(
        added(
            "sending queued calls, on a page without click/submit rules",
            build_bundle(RuleSet((CLICK_RULE, view)).subset([view])),
            build_bundle(RuleSet((view,))),
        )
    )
    for platform, consent in CONSENTS.items():
        rows.append(
            added(
                f"consent: {platform}",
                build_bundle(RuleSet((CLICK_RULE,), navigation="send", consent=consent)),
            )
        )
    for navigation in ("send", "queue"):
        ruleset = RuleSet((CLICK_RULE,), navigation=navigation)
        rows.append(
            added(
                f"debug log (in every bundle), one click rule with navigation: {navigation}",
                build_bundle(ruleset),
                without_debug_log(ruleset),
            )
        )
    for name, hand in (
        ("the same log and switch", HAND_WRITTEN_DEBUG),
        ("the log without the session switch", HAND_WRITTEN_DEBUG_NO_SESSION),
    ):
        rows.append(
            [
                f"debug log written by hand over the hand-written minimum: {name}",
                len(hand) - len(HAND_WRITTEN),
                gzip_size(hand) - gzip_size(HAND_WRITTEN),
            ]
        )
    # Client-side navigation, added to bundles built with `navigation: send` whose rules
    # depend on the page shown: one view rule, and every event at once.
    every = (CLICK_RULE, *FEATURES.values())
    for name, rules in (("a view rule", (CLICK_RULE, view)), ("every part above", every)):
        off = build_bundle(RuleSet(rules, navigation="send"))
        on = build_bundle(RuleSet(rules, navigation="send", client_navigation="on"))
        rows.append(added(f"client_navigation: on, with {name}", on, off))
    return rows


# The bundles whose size is budgeted (benchmarks/bundle-size.json), by name: their rules
# and settings. tests/test_size_budget.py builds the same ones from here.
BUDGETED: dict[str, Callable[[], RuleSet]] = {
    "one click rule, navigation: queue": lambda: RuleSet((CLICK_RULE,)),
    "one click rule, navigation: send": lambda: RuleSet((CLICK_RULE,), navigation="send"),
    "10 click rules, navigation: queue": lambda: RuleSet(tuple(click_rules(10))),
    "10 mixed rules, navigation: queue": lambda: RuleSet(tuple(mixed_rules(10))),
    "10 mixed rules, navigation: send": lambda: RuleSet(tuple(mixed_rules(10)), navigation="send"),
    "10 mixed rules, client_navigation: on": lambda: RuleSet(
        tuple(mixed_rules(10)), client_navigation="on"
    ),
    **{
        f"one click rule, consent: {platform}": (
            lambda consent=consent: RuleSet((CLICK_RULE,), consent=consent)
        )
        for platform, consent in CONSENTS.items()
    },
}


def budget_sizes() -> dict[str, int]:
    """The gzip size of each budgeted bundle."""
    return {name: build_bundle(make()).gzip_size for name, make in BUDGETED.items()}


def write_budget() -> None:
    sizes = budget_sizes()
    BUDGET.write_text(
        json.dumps(
            {
                "about": "gzip -9 bytes of each bundle, written by benchmarks/bundle_size.py --budget; "
                "tests/test_size_budget.py fails when a bundle is more than 2 % over its size here",
                "gzip": sizes,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    for name, size in sizes.items():
        print(f"{size:6d} B gzip  {name}")
    print(f"written to {BUDGET.name}")


def span(values: list[int]) -> str:
    return f"{min(values)}–{max(values)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--budget",
        action="store_true",
        help="write the size budget (benchmarks/bundle-size.json) and stop",
    )
    parser.add_argument(
        "--write", action="store_true", help="write the tables into docs/benchmarks.md"
    )
    options = parser.parse_args()
    if options.budget:
        write_budget()
        return 0
    rows = {
        (series, navigation, count): measure(make(count), navigation)
        for series, make in (("click", click_rules), ("mixed", mixed_rules))
        for navigation in ("queue", "send")
        for count in (1, 10, 100)
    }
    sizes = table(
        [
            "rules",
            "series",
            "navigation",
            "ours raw",
            "ours gzip",
            "esbuild raw",
            "esbuild gzip",
            "gzip ratio",
            "runtime overhead (gzip)",
        ],
        "rllrrrrrr",
        [
            [
                count,
                series,
                navigation,
                row["raw"],
                row["gzip"],
                row["esbuild_raw"],
                row["esbuild_gzip"],
                f"{row['gzip'] / row['esbuild_gzip']:.3f}",
                row["overhead"],
            ]
            for (series, navigation, count), row in rows.items()
            # one mixed rule is the one click rule, as in the click series
            if not (series == "mixed" and count == 1)
        ],
    )
    hand = gzip_size(HAND_WRITTEN)
    send, queue = rows["click", "send", 1], rows["click", "queue", 1]
    per_click = {
        navigation: (rows["click", navigation, 100]["gzip"] - rows["click", navigation, 1]["gzip"])
        / 99
        for navigation in ("queue", "send")
    }

    def overheads(series: str, navigation: str) -> str:
        # from the rows of the table: its smallest mixed bundle has 10 rules
        smallest = 10 if series == "mixed" else 1
        return span(
            [
                row["overhead"]
                for (s, n, count), row in rows.items()
                if (s, n) == (series, navigation) and count >= smallest
            ]
        )

    summary = [
        f"- The one click rule with `navigation: send`: {send['gzip']} B gzip against {hand} B "
        f"for the hand-written minimum ({send['gzip'] / hand:.2f}×); with `navigation: queue`: "
        f"{queue['gzip']} B gzip ({queue['gzip'] / hand:.2f}×).",
        f"- Each extra click rule (from 1 to 100 click rules): {per_click['send']:.1f} B gzip "
        f"with `send`, {per_click['queue']:.1f} B with `queue`.",
        f"- Runtime overhead (gzip): click rules {overheads('click', 'send')} B with `send`, "
        f"{overheads('click', 'queue')} B with `queue`; mixed rules "
        f"{overheads('mixed', 'send')} B with `send`, {overheads('mixed', 'queue')} B with "
        "`queue`.",
    ]
    parts = table(["part", "added raw", "added gzip"], "lrr", feature_costs())
    markdown = "\n\n".join([sizes, "\n".join(summary), parts])
    print(markdown)
    limits = []
    for navigation in ("queue", "send"):
        first = rows["click", navigation, 1]
        mine = [row for (_, setting, _), row in rows.items() if setting == navigation]
        worst_overhead = max(row["overhead"] for row in mine)
        worst_ratio = max(row["gzip"] / row["esbuild_gzip"] for row in mine)
        limits += [
            (
                navigation,
                "runtime overhead <= 600 B gzip",
                worst_overhead <= 600,
                f"worst {worst_overhead} B",
            ),
            (
                navigation,
                "<= 1.05x esbuild's gzip size",
                worst_ratio <= 1.05,
                f"worst {worst_ratio:.3f}x",
            ),
            (
                navigation,
                "one click rule <= 1.3x the hand-written minimum",
                first["gzip"] <= 1.3 * hand,
                f"{first['gzip'] / hand:.3f}x",
            ),
            (
                navigation,
                "<= 50 B gzip per extra click rule",
                per_click[navigation] <= 50,
                f"{per_click[navigation]:.1f} B",
            ),
        ]
    print()
    for navigation, name, met, figure in limits:
        print(f"{'met   ' if met else 'MISSED'} navigation: {navigation}: {name}: {figure}")
    if options.write:
        write_section("bundle_size.py", markdown)
    return 0 if all(met for _, _, met, _ in limits) else 1


if __name__ == "__main__":
    sys.exit(main())
