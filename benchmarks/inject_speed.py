"""Injection speed and byte preservation on the corpus's Jekyll site, in one run.

Run by hand (not in CI):  .venv/bin/python benchmarks/inject_speed.py [--write]
The copies go to the temporary folder: TMPDIR=/some/folder measures that file system.
With --write it also writes its table, with the date, the machine and the file system,
into docs/benchmarks.md between its inject_speed.py markers (benchmarks/docs_table.py).

The site (tests/corpus/site-a.tar.xz) is extracted once into benchmarks/.cache/ and
copied from there.

Each method works on a fresh writable copy of the site, reads every page, puts
the same inline bundle block in and writes the page back. Every copy is made
before anything is timed, then the benchmark waits 35 s: on this machine's ext4
(no journal) creating a file is slower for about 30 s after many inodes were
deleted, so copying (or deleting) between rounds would measure itself. The methods run in five rounds, each on its own copies, one after the
other in an order that turns by one each round; a method's ratio to naive is
the median of its five rounds' ratios (its time against naive's in the same
round), so a slow spell of the machine weighs on both sides of a ratio.
Pages/s and CPU time are medians of the five runs; CPU time is user + system of
the process (its threads included) and its workers, per page. "Altered" counts
pages whose output, with the inserted block taken out once, differs from the
input.

  inject            rtp_snippets.inject_site (1 job, then the default jobs);
                    includes building the bundle and the atomic writes
  naive replace     data.replace(b'</body>', block + b'</body>'), plain write
  … atomic writes   the same, written like inject writes (temp file + rename):
                    the ceiling for any atomic injector on this file system
  BeautifulSoup     html.parser parse, append a <script> to <body>, str(soup)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bs4 import BeautifulSoup

from rtp_snippets import load_rules
from rtp_snippets.files import write_atomic
from rtp_snippets.inject import script_block
from rtp_snippets.render import build_bundle
from rtp_snippets.site import inject_site

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # tests/corpora.py reads the corpus archives
from corpora import extracted  # noqa: E402 (after the path above)

sys.path.insert(0, str(ROOT / "benchmarks"))
from docs_table import table, write_section  # noqa: E402

SITE = extracted("site-a", ROOT / "benchmarks" / ".cache")
RULES = ROOT / "examples" / "rtp-rules.yml"
ROUNDS = 5


def fresh_copy(work: Path) -> Path:
    target = work / f"site-{time.monotonic_ns()}"
    shutil.copytree(SITE, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def pages(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.suffix in (".html", ".htm"))


def naive(root: Path, block: bytes) -> None:
    for path in pages(root):
        data = path.read_bytes()
        path.write_bytes(data.replace(b"</body>", block + b"</body>"))


def atomic_floor(root: Path, block: bytes) -> None:
    """No HTML work at all: the naive replace, written the way inject writes (temp + rename)."""
    for path in pages(root):
        data = path.read_bytes()
        write_atomic(path, data.replace(b"</body>", block + b"</body>"), 0o644)


def beautifulsoup(root: Path, block: bytes) -> None:
    for path in pages(root):
        soup = BeautifulSoup(path.read_bytes(), "html.parser")
        script = soup.new_tag("script", attrs={"data-rtp-snippets": "bundle"})
        script.string = block.decode()[
            len('<script data-rtp-snippets="bundle">') : -len("</script>")
        ]
        (soup.body or soup).append(script)
        # bs4 4.15 guesses "ascii" for some pages that decode to non-ASCII text (&nbsp;).
        encoding = soup.original_encoding or "utf-8"
        path.write_bytes(str(soup).encode(encoding, "xmlcharrefreplace"))


def one_insertion(original: bytes, output: bytes) -> bool:
    """Whether ``output`` is ``original`` with one contiguous run of bytes inserted."""
    extra = len(output) - len(original)
    if extra < 0:
        return False
    prefix = len(os.path.commonprefix([original, output]))
    return output[:prefix] + output[prefix + extra :] == original


def altered(root: Path) -> int:
    return sum(
        not one_insertion((SITE / path.relative_to(root)).read_bytes(), path.read_bytes())
        for path in pages(root)
    )


def cpu_seconds() -> float:
    """User + system time of this process and of its children that have ended."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def timed(method, root: Path) -> tuple[float, float]:
    """Seconds and CPU ms per page of one run of ``method`` on ``root``."""
    count = len(pages(root))
    start, start_cpu = time.perf_counter(), cpu_seconds()
    method(root)
    return time.perf_counter() - start, (cpu_seconds() - start_cpu) / count * 1000


def file_system(folder: Path) -> str:
    """The type and mount options of the file system holding ``folder`` (Linux)."""
    best = ("", "unknown", "")
    with open("/proc/mounts") as mounts:
        for line in mounts:
            _, point, kind, options = line.split()[:4]
            inside = str(folder) == point or str(folder).startswith(point.rstrip("/") + "/")
            if inside and len(point) >= len(best[0]):
                best = (point, kind, options)
    return f"{best[1]} ({best[2]}) at {best[0]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--write", action="store_true", help="write the table into docs/benchmarks.md"
    )
    options = parser.parse_args()
    ruleset = load_rules(RULES)
    block = script_block(build_bundle(ruleset)).encode()
    jobs = os.cpu_count() or 1
    methods = {
        "naive replace": lambda root: naive(root, block),
        "naive replace, atomic writes": lambda root: atomic_floor(root, block),
        "inject, 1 job": lambda root: inject_site(root, ruleset, jobs=1),
        f"inject, {jobs} jobs": lambda root: inject_site(root, ruleset, jobs=jobs),
        "BeautifulSoup round trip": lambda root: beautifulsoup(root, block),
    }
    names = list(methods)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as folder:
        where = file_system(Path(folder).resolve())
        copies = {
            (name, turn): fresh_copy(Path(folder)) for turn in range(ROUNDS) for name in names
        }
        time.sleep(35)
        for turn in range(ROUNDS):
            for name in names[turn % len(names) :] + names[: turn % len(names)]:
                elapsed, per_page = timed(methods[name], copies[name, turn])
                seconds[name].append(elapsed)
                cpu[name].append(per_page)
        rows = []
        for name in names:
            count = len(pages(copies[name, 0]))
            ratios = [
                naive / own for naive, own in zip(seconds[names[0]], seconds[name], strict=True)
            ]
            rows.append(
                (
                    name,
                    count / statistics.median(seconds[name]),
                    statistics.median(ratios),
                    min(ratios),
                    max(ratios),
                    statistics.median(cpu[name]),
                    altered(copies[name, 0]),
                )
            )
    markdown = (
        f"The Jekyll site's {len(pages(SITE))} pages "
        f"({sum(p.stat().st_size for p in pages(SITE)):,} bytes), copies on {where}; "
        f"{ROUNDS} rounds:\n\n"
        + table(
            [
                "method",
                "pages/s",
                "ratio to naive (median of rounds)",
                "rounds' ratios",
                "CPU ms per page",
                "pages altered beyond the insertion",
            ],
            "lrrrrr",
            [
                [
                    name,
                    f"{speed:,.0f}",
                    f"{ratio:.2f}",
                    f"{low:.2f}–{high:.2f}",
                    f"{per_page:.2f}",
                    changed,
                ]
                for name, speed, ratio, low, high, per_page, changed in rows
            ],
        )
    )
    print(markdown)
    if options.write:
        write_section("inject_speed.py", markdown)
    one_job, two_jobs = rows[2], rows[3]
    limits = [
        ("one job >= 0.5x naive", one_job[2] >= 0.5, one_job[2]),
        (f"{jobs} jobs >= 0.9x naive", two_jobs[2] >= 0.9, two_jobs[2]),
    ]
    for name, met, ratio in limits:
        print(f"{'met   ' if met else 'MISSED'} {name}: {ratio:.2f}x")
    print(f"inject altered {one_job[6]} and {two_jobs[6]} pages beyond the insertion")
    return 0 if all(met for _, met, _ in limits) and one_job[6] == two_jobs[6] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
