"""Frames Chromium draws while a page with many `visible` targets keeps changing.

Run by hand (not in CI):  .venv/bin/python benchmarks/visible_frames.py [--write]

The page: 20,000 elements matching the rule's selector, below the fold,
and a clock whose text changes every 16 ms. For 3 s the page counts the animation
frames Chromium draws (requestAnimationFrame callbacks). Three variants:
  - no bundle: the page alone;
  - an IntersectionObserver watching every matching element, and nothing else: the
    least that `visible` needs for elements that have not been seen yet;
  - bundle: the bundle of `on visible .item send 'seen'` built by this checkout;
  - bundle, 50% for 2s: the same rule with a share and a time, which
    watches every element at 101 thresholds;
  - full rescan: the same bundle plus a MutationObserver that runs
    querySelectorAll(selector) over the whole document on every mutation and checks
    each element against a WeakSet, which is what the bundle's `visible` code did
    before it watched only added elements (reproduced, so the comparison needs no old
    checkout).
Median of five runs each, in Debian's Chromium at /usr/bin/chromium. What it checks: the
bundle draws as many frames as the IntersectionObserver alone (within 5 %): looking
for added elements costs nothing on top of watching them. With --write it also writes
its table, with the date and the machine, into docs/benchmarks.md between its
visible_frames.py markers (benchmarks/docs_table.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from rtp_snippets import Rule, RuleSet, build_bundle

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_table import table, write_section  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ELEMENTS, SECONDS, RUNS = 20_000, 3, 5
RULE = Rule(event="visible", selector=".item", send="seen")
DWELL = Rule(event="visible", selector=".item", send="seen", percent=50, seconds=2)

PAGE = """<!doctype html><html><head><meta charset=utf-8>
<script>window.rtp = function () {};</script></head><body>
<p id="clock">0</p><div style="height: 3000px"></div>
<div id="items"></div>
<script>
document.getElementById('items').innerHTML = '<p class="item">item</p>'.repeat(%(elements)d);
</script>
%(extra)s
</body></html>"""

# The cost of watching: an IntersectionObserver on every matching element, nothing else.
OBSERVER_ONLY = """<script>
(function () {
  var observer = new IntersectionObserver(function () {});
  document.querySelectorAll('.item').forEach(function (element) { observer.observe(element); });
})();
</script>"""

# What the visible code did before it watched only added elements: the whole document,
# on every mutation.
FULL_RESCAN = """<script>
(function () {
  var seen = new WeakSet(), observer = new IntersectionObserver(function () {});
  function scan() {
    document.querySelectorAll('.item').forEach(function (element) {
      if (!seen.has(element)) { seen.add(element); observer.observe(element); }
    });
  }
  scan();
  new MutationObserver(scan).observe(document.documentElement, {childList: true, subtree: true});
})();
</script>"""

COUNT = """() => new Promise(done => {
  var frames = 0, clock = document.getElementById('clock'), ticks = 0;
  var timer = setInterval(function () { clock.textContent = ++ticks; }, 16);
  var start = performance.now();
  (function frame(now) {
    frames++;
    if (now - start < %(ms)d) requestAnimationFrame(frame);
    else { clearInterval(timer); done(frames); }
  })(start);
})"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--write", action="store_true", help="write the table into docs/benchmarks.md"
    )
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    bundle = build_bundle(RuleSet((RULE,)))
    variants = {
        "no bundle": "",
        "an IntersectionObserver on every element, alone": OBSERVER_ONLY,
        "bundle": f"<script>{bundle.code}</script>",
        "bundle, 50% for 2s": f"<script>{build_bundle(RuleSet((DWELL,))).code}</script>",
        "full rescan on every change (the earlier visible code)": f"<script>{bundle.code}</script>{FULL_RESCAN}",
    }
    results: dict[str, list[int]] = {name: [] for name in variants}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        version = browser.version
        for _ in range(RUNS):
            for name, extra in variants.items():
                page = browser.new_page(viewport={"width": 800, "height": 600})
                page.set_content(PAGE % {"elements": ELEMENTS, "extra": extra})
                results[name].append(page.evaluate(COUNT % {"ms": SECONDS * 1000}))
                page.close()
        browser.close()
    medians = {name: statistics.median(counts) for name, counts in results.items()}
    markdown = (
        f"Chromium {version}; {ELEMENTS:,} matching elements, a text change every 16 ms, "
        f"frames drawn in {SECONDS} s (median of {RUNS} runs, and every run):\n\n"
        + table(
            ["page", "frames", "runs"],
            "lrl",
            [
                [name, f"{medians[name]:.0f}", ", ".join(map(str, counts))]
                for name, counts in results.items()
            ],
        )
    )
    print(markdown)
    if options.write:
        write_section("visible_frames.py", markdown)
    observer = medians["an IntersectionObserver on every element, alone"]
    met = medians["bundle"] >= 0.95 * observer
    print(
        f"\n{'met   ' if met else 'MISSED'} the bundle draws at least 95 % of the frames of the "
        f"IntersectionObserver alone: {medians['bundle'] / observer:.0%}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
