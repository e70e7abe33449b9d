"""Page glob matching on crafted worst cases (at most 10 ms each is the limit it checks).

Run by hand (not in CI):
    .venv/bin/python benchmarks/glob_speed.py [--old-limit SECONDS] [--write]

Each case is a glob of at most 20 wildcards and 200 characters (what rules may
have) and a path of 2,000 characters that the glob does not match (for a
backtracking engine the slowest answer). It times, in Python and in Chromium
(/usr/bin/chromium through Playwright):
  - the old regular expression (tests/test_globs.py's `reference_regex`, which
    rtp-snippets used before), stopped after --old-limit seconds (default 3):
    in Python in a subprocess, in Chromium in a Worker that is terminated;
  - `rtp_snippets.paths.matches`, median of 21 calls, each with its caches
    (the glob's tokens, the path's character positions) emptied first;
  - the bundle in Chromium: a minified bundle whose one rule has the glob in
    `pages`, run as a page runs it, with the path as location.pathname. "first
    run" is the median of 15 runs of freshly compiled code (what a visitor's
    page load costs, before the JIT has seen it), with the fastest and the
    slowest of them in brackets; "warm" the median of 21 later runs of the same
    code. The first row, a glob of one literal, is what any bundle with globs
    costs (reading the path into bit sets).
Then it prints MISSED and exits 1 if a median of a new matcher is over 10 ms.
Other work on the machine shows as outliers (the slowest runs); the load
average is printed. With --write it also writes its table, with the date and the
machine, into docs/benchmarks.md between its glob_speed.py markers
(benchmarks/docs_table.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rtp_snippets import Rule, RuleSet, build_bundle, paths
from rtp_snippets.paths import glob_tokens, matches

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the old regex is the reference of tests/test_globs.py
from test_globs import reference_regex  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from docs_table import table, write_section  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://bench.test"
BUDGET_MS = 10.0
LENGTH = 2000
A = "/" + "a" * (LENGTH - 1)
SEGMENTS = "/a" * (LENGTH // 2)
CASES = [
    ("one literal (no wildcard)", "/x", A),
    ("4 x **a, then **b", "/**a**a**a**a**b", A),
    ("20 x **", "/" + "**a" * 19 + "**b", A),
    ("20 x *", "/" + "*a" * 19 + "*b", A),
    ("2 x **, 18 x *", "/**a" + "*a" * 18 + "**b", A),
    ("10 x ?*", "/" + "?*" * 10 + "/b", A),
    ("20 x /**", "/**" * 20 + "b", SEGMENTS),
    ("10 x /**/a", "/**/a" * 10 + "/b", SEGMENTS),
    ("20 x ** in 200 characters", "/" + ("a" * 7 + "**") * 20 + "a" * 18 + "b", A),
    ("20 x * in 200 characters", "/" + ("a" * 8 + "*") * 20 + "a" * 18 + "b", A),
    ("10 x ?* in 200 characters", "/" + ("a" * 17 + "?*") * 10 + "a" * 8 + "b", A),
]

# Runs in the page: the old regex in a Worker, so a run that takes too long can be stopped.
OLD_IN_WORKER = """async ([source, path, limit]) => {
  const code = `onmessage = (event) => {
    const start = performance.now();
    RegExp(event.data[0]).test(event.data[1]);
    postMessage(performance.now() - start);
  };`;
  const worker = new Worker(URL.createObjectURL(new Blob([code])));
  return await new Promise((resolve) => {
    const timer = setTimeout(() => { worker.terminate(); resolve(null); }, limit * 1000);
    worker.onmessage = (event) => { clearTimeout(timer); worker.terminate(); resolve(event.data); };
    worker.postMessage([source, path]);
  });
}"""
# Runs in the page: the bundle, as its <script> runs, at the crafted path. Each run
# stands for a new page load: the bundle's once-per-document mark is taken off first
# (outside the timing), or every run after the first would return at once.
BUNDLE_RUNS = """([url, code]) => {
  history.replaceState(null, '', url);
  const mark = Symbol.for('rtp-snippets'), root = document.documentElement, first = [];
  for (let run = 0; run < 15; run++) {
    const bundle = new Function(code + '\\n//' + run);  // new source: nothing compiled yet
    delete root[mark];
    const start = performance.now();
    bundle();
    first.push(performance.now() - start);
  }
  const bundle = new Function(code), warm = [];
  for (let run = 0; run < 20; run++) {
    delete root[mark];
    bundle();
  }
  for (let run = 0; run < 21; run++) {
    delete root[mark];
    const start = performance.now();
    bundle();
    warm.push(performance.now() - start);
  }
  first.sort((a, b) => a - b);
  warm.sort((a, b) => a - b);
  return [first[7], first[0], first[14], warm[10]];
}"""


def old_python(glob: str, path: str, limit: float) -> float | None:
    """Seconds the old regex takes in a fresh process, None when stopped at the limit."""
    script = (
        "import re, sys, time\nsource, path = sys.argv[1:]\npattern = re.compile(source)\n"
        "start = time.perf_counter()\npattern.match(path)\n"
        "print(time.perf_counter() - start)"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, reference_regex([glob]), path],
            capture_output=True,
            text=True,
            timeout=limit,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return float(done.stdout)


def new_python(glob: str, path: str) -> float:
    times = []
    for _ in range(21):
        glob_tokens.cache_clear()
        paths._positions.cache_clear()
        start = time.perf_counter()
        matches([glob], path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def shown(seconds: float | None, limit: float) -> str:
    if seconds is None:
        return f"> {limit:g} s (stopped)"
    if seconds >= 1:
        return f"{seconds:.1f} s"
    return f"{seconds * 1000:.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--old-limit",
        type=float,
        default=3.0,
        help="stop the old regex after this many seconds (default 3)",
    )
    parser.add_argument(
        "--write", action="store_true", help="write the table into docs/benchmarks.md"
    )
    options = parser.parse_args()
    limit = options.old_limit
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        page.route(
            f"{ORIGIN}/**",
            lambda route: route.fulfill(
                body="<!doctype html><title>glob speed</title>",
                headers={"content-type": "text/html"},
            ),
        )
        page.goto(ORIGIN + "/")
        # Once unmeasured: the browser's own first-use costs are not the bundle's.
        page.evaluate(
            BUNDLE_RUNS,
            [
                ORIGIN + A,
                build_bundle(
                    RuleSet((Rule(event="view", send="x", pages="/x"),), navigation="send")
                ).code,
            ],
        )
        for name, glob, path in CASES:
            assert not matches([glob], path)
            code = build_bundle(
                RuleSet((Rule(event="view", send="x", pages=glob),), navigation="send")
            ).code
            first, fastest, slowest, warm = page.evaluate(BUNDLE_RUNS, [ORIGIN + path, code])
            old_chromium = page.evaluate(OLD_IN_WORKER, [reference_regex([glob]), path, limit])
            rows.append(
                {
                    "name": name,
                    "glob": glob,
                    "path": path,
                    "wildcards": sum(
                        token in ("/**", "**", "*", "?") for token in glob_tokens(glob)
                    ),
                    "old python": old_python(glob, path, limit),
                    "old chromium": None if old_chromium is None else old_chromium / 1000,
                    "python": new_python(glob, path),
                    "bundle first": first / 1000,
                    "bundle fastest": fastest / 1000,
                    "bundle slowest": slowest / 1000,
                    "bundle warm": warm / 1000,
                }
            )
        version = browser.version
        browser.close()

    markdown = (
        f"Chromium {version}; paths of {LENGTH:,} characters that the globs do not match; "
        f"load average {os.getloadavg()[0]:.1f}:\n\n"
        + table(
            [
                "case",
                "wildcards",
                "glob chars",
                "old regex, Python",
                "old regex, Chromium",
                "paths.matches",
                "bundle, first run (fastest–slowest)",
                "bundle, warm",
            ],
            "lrrrrrrr",
            [
                [
                    row["name"].replace("*", "\\*"),  # Markdown would read ** as bold
                    row["wildcards"],
                    len(row["glob"]),
                    shown(row["old python"], limit),
                    shown(row["old chromium"], limit),
                    shown(row["python"], limit),
                    f"{shown(row['bundle first'], limit)} "
                    f"({shown(row['bundle fastest'], limit)}–{shown(row['bundle slowest'], limit)})",
                    shown(row["bundle warm"], limit),
                ]
                for row in rows
            ],
        )
    )
    print(markdown)
    if options.write:
        write_section("glob_speed.py", markdown)
    print()
    worst = {
        "paths.matches (Python)": max(row["python"] for row in rows),
        "the bundle in Chromium (first run)": max(row["bundle first"] for row in rows),
    }
    for what, seconds in worst.items():
        met = seconds * 1000 <= BUDGET_MS
        print(
            f"{'met   ' if met else 'MISSED'} {what}: worst {seconds * 1000:.2f} ms "
            f"(limit {BUDGET_MS:g} ms)"
        )
    return 0 if all(seconds * 1000 <= BUDGET_MS for seconds in worst.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
