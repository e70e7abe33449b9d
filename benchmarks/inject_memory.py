"""Peak memory and time of injecting one tag-dense page of 1, 10, 100 and 200 MB.

Run by hand (not in CI):  .venv/bin/python benchmarks/inject_memory.py [--write] [MB ...]

Each size is a site of one page, made first (outside the timing), then injected by
`inject_site` in a new Python process, which reports its time and its peak
resident memory (VmHWM, reset just before) minus what it held before reading the page.
The page is a run of small elements with attributes, text and comments, the
densest kind of markup a real page has; what is looked for is a peak of at most 3x the
page size plus a constant, and time linear in the size. With --write it also writes its
table, with the date and the machine, into docs/benchmarks.md between its
inject_memory.py markers (benchmarks/docs_table.py).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_table import table, write_section  # noqa: E402

UNIT = (
    '<div class="row"><a href="/docs/page-{i}/" title="Page {i}">Page {i}</a>'
    "<span data-x='1'>text</span><!-- note --><br></div>\n"
)
CHILD = textwrap.dedent(
    """
    import json, sys, time
    from rtp_snippets import Rule, RuleSet
    from rtp_snippets.site import inject_site
    def kilobytes(name):
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith(name + ":"))
    ruleset = RuleSet((Rule(event="click", selector="#buy", send="buy"),))
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # Linux: the high-water mark (VmHWM) starts again from here
    before = kilobytes("VmRSS")
    start = time.perf_counter()
    report = inject_site(sys.argv[1], ruleset, jobs=int(sys.argv[2]))
    seconds = time.perf_counter() - start
    peak = kilobytes("VmHWM")
    print(json.dumps({"seconds": seconds, "before_kb": before, "peak_kb": peak,
                      "status": report.pages[0].status}))
    """
)


def make_page(folder: Path, megabytes: int) -> Path:
    site = folder / f"site-{megabytes}"
    site.mkdir()
    target = megabytes * 1024 * 1024
    unit_size = len(UNIT.format(i=100000))
    parts = ["<!doctype html><html><head><title>big</title></head><body>\n"]
    parts += [UNIT.format(i=100000 + i % 900000) for i in range(target // unit_size)]
    parts.append("</body></html>\n")
    (site / "index.html").write_text("".join(parts))
    return site


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--write", action="store_true", help="write the table into docs/benchmarks.md"
    )
    parser.add_argument(
        "sizes", nargs="*", type=int, metavar="MB", help="page sizes (default 1 10 100 200)"
    )
    options = parser.parse_args()
    header = ["page", "time", "s per 100 MB", "peak memory", "peak / page size"]
    print("| " + " | ".join(header) + " |")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for megabytes in options.sizes or [1, 10, 100, 200]:
            site = make_page(Path(folder), megabytes)
            size = (site / "index.html").stat().st_size
            result = subprocess.run(
                [sys.executable, "-c", CHILD, str(site), "1"],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(result.stdout)
            assert row["status"] == "injected", row
            peak = (row["peak_kb"] - row["before_kb"]) * 1024
            rows.append(
                [
                    f"{size / 2**20:.0f} MB",
                    f"{row['seconds']:.2f} s",
                    f"{row['seconds'] / size * 100 * 2**20:.2f}",
                    f"{peak / 2**20:.0f} MB",
                    f"{peak / size:.2f}×",
                ]
            )
            print("| " + " | ".join(rows[-1]) + " |", flush=True)
    if options.write:
        write_section("inject_memory.py", table(header, "rrrrr", rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
