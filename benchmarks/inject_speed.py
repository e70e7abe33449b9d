"""Injection speed and byte preservation on site-a (tests/corpus/site-a.tar.xz), in one run.

Run by hand (not in CI):  .venv/bin/python benchmarks/inject_speed.py

The site is extracted once into benchmarks/.cache/ and copied from there.

Each method works on a fresh writable copy of the site, reads every page, puts
the same inline bundle block in and writes the page back. Every copy is made
before anything is timed, then the benchmark waits 35 s: on this machine's ext4
(no journal) creating a file is slower for about 30 s after many inodes were
deleted, so copying (or deleting) between rounds would measure itself (issue
14). Pages/s is the median of three runs; CPU time is user + system of the
process and its workers, per page. "Altered" counts pages whose output, with
the inserted block taken out once, differs from the input.

  inject            rtp_snippets.inject_site (1 job, then the default jobs);
                    includes building the bundle and the atomic writes
  naive replace     data.replace(b'</body>', block + b'</body>'), plain write
  … atomic writes   the same, written like inject writes (temp file + rename):
                    the ceiling for any atomic injector on this file system
  BeautifulSoup     html.parser parse, append a <script> to <body>, str(soup)
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bs4 import BeautifulSoup

from rtp_snippets import load_rules
from rtp_snippets.inject import script_block
from rtp_snippets.render import build_bundle
from rtp_snippets.site import _write_atomic, inject_site

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # tests/corpora.py reads the corpus archives
from corpora import extracted

SITE = extracted("site-a", ROOT / "benchmarks" / ".cache")
RULES = ROOT / "examples" / "rtp-rules.yml"


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
        _write_atomic(path, data.replace(b"</body>", block + b"</body>"), 0o644)


def beautifulsoup(root: Path, block: bytes) -> None:
    for path in pages(root):
        soup = BeautifulSoup(path.read_bytes(), "html.parser")
        script = soup.new_tag("script", attrs={"data-rtp-snippets": "bundle"})
        script.string = block.decode()[len('<script data-rtp-snippets="bundle">'):-len("</script>")]
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
    return output[:prefix] + output[prefix + extra:] == original


def altered(root: Path) -> int:
    return sum(not one_insertion((SITE / path.relative_to(root)).read_bytes(), path.read_bytes())
               for path in pages(root))


def cpu_seconds() -> float:
    """User + system time of this process and of its children that have ended."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def measure(method, roots: list[Path]) -> tuple[float, float, int]:
    """Median pages/s, median CPU ms per page and pages altered, one run per copy."""
    speeds, cpu, changed = [], [], 0
    for root in roots:
        count = len(pages(root))
        start, start_cpu = time.perf_counter(), cpu_seconds()
        method(root)
        speeds.append(count / (time.perf_counter() - start))
        cpu.append((cpu_seconds() - start_cpu) / count * 1000)
        changed = altered(root)
    return statistics.median(speeds), statistics.median(cpu), changed


def main() -> int:
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
    with tempfile.TemporaryDirectory() as folder:
        copies = {name: [fresh_copy(Path(folder)) for _ in range(3)] for name in methods}
        time.sleep(35)
        rows = [(name, *measure(method, copies[name])) for name, method in methods.items()]
    baseline = rows[0][1]
    print(f"site-a: {len(pages(SITE))} pages, {sum(p.stat().st_size for p in pages(SITE)):,} bytes; "
          f"Python {sys.version.split()[0]}, {jobs} CPUs\n")
    print("| method | pages/s | ratio to naive | CPU ms per page | pages altered beyond the insertion |")
    print("|---|---:|---:|---:|---:|")
    for name, speed, cpu, changed in rows:
        print(f"| {name} | {speed:,.0f} | {speed / baseline:.2f} | {cpu:.2f} | {changed} |")
    one_job, two_jobs = rows[2], rows[3]
    targets = [
        ("one job >= 0.5x naive", one_job[1] >= 0.5 * baseline, one_job[1] / baseline),
        (f"{jobs} jobs >= 0.9x naive", two_jobs[1] >= 0.9 * baseline, two_jobs[1] / baseline),
    ]
    for name, met, ratio in targets:
        print(f"{'met   ' if met else 'MISSED'} {name}: {ratio:.2f}x")
    print(f"inject altered {one_job[3]} and {two_jobs[3]} pages beyond the insertion")
    return 0 if all(met for _, met, _ in targets) and one_job[3] == two_jobs[3] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
