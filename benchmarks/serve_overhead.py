"""What the MkDocs plugin adds to a `mkdocs serve` rebuild (the limit it checks: at most 10 %
more than the same rebuild without the plugin), on examples/mkdocs grown to 200 pages.

Run by hand (not in CI):  .venv/bin/python benchmarks/serve_overhead.py
    [--rounds 7] [--pages 200] [--theme material] [--dirty] [--prune] [--write]

With --write it measures every variant of VARIANTS in turn (--theme, --dirty and --prune
are then not used) and writes one table of them, with the date and the machine, into
docs/benchmarks.md between its serve_overhead.py markers (benchmarks/docs_table.py).

The example (mkdocs.yml, rtp-rules.yml, docs/) is copied into a temporary folder and docs/
grown to --pages pages: the same generated pages every run (headings, paragraphs, links
between pages, a list, a table, code; the example's button #download-whitepaper on every
third page, and a pricing/ section for its `pages /pricing/**` rule). Two config files sit
side by side there, equal but for `plugins:`: the example's, and one with `plugins: []`
(not left out, which would mean MkDocs' default `[search]`). --theme replaces the
example's theme in both; --prune sets the plugin's `prune: true`.

A rebuild is what mkdocs 1.6 does on a file change (mkdocs/commands/serve.py,
mkdocs/livereload/__init__.py). `serve` makes a temporary site_dir, loads the config with
`load_config(config_file, site_dir=...)`, calls the plugins' `on_startup(command="serve")`,
sets `config.site_url` to the serve URL, builds once with `builder(config)` and hands the
LiveReloadServer to the plugins' `on_serve`. On every change `_build_loop` calls
`builder()` with no argument, which loads the config again from the file (so every plugin
without on_startup, ours included, is a new instance and runs on_config again), sets
site_url and calls `build(config, serve_url=..., dirty=...)`, dirty only with `--dirty`.
Here each variant is a process of its own, as each `mkdocs serve` is (its heap, garbage
and threads its own: the plugin's garbage is collected during its own next rebuild), with
its own site_dir and a real LiveReloadServer, never bound, whose file watcher runs as in
`serve` (a thread that wants the GIL while a build runs). After the first builds, each
round touches one page (a rebuild follows an edit; with --dirty it is the one page
rebuilt) and has each process run builder() once, the order alternating from round to
round so drift hits both. The figures per variant are medians of the rounds; the checked
overhead is the median of the rounds' ratios (see paired_overhead). CPU time is user +
system of the building process, all its threads. "Plugin hooks" is the time inside the
plugin's on_config and on_post_build. MkDocs' log is not printed; its warnings are shown
after the table. A rebuild deletes the last build's files before it writes new ones
(`clean_directory`), so the slower file creation after deletions on this machine's ext4
is part of every rebuild timed here, as it is of a real one.
Other work on the machine widens the spread: the load average is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import mkdocs
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer, _serve_url

from rtp_snippets.integrations.mkdocs import RtpSnippetsPlugin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from docs_table import table, write_section  # noqa: E402

EXAMPLE = ROOT / "examples" / "mkdocs"
LIMIT = 0.10  # at most 10 % more wall time per rebuild with the plugin (paired_overhead)
# What --write measures: (theme, dirty, prune); a theme of None is the example's own.
VARIANTS = (
    (None, False, False),
    ("material", False, False),
    (None, True, False),
    ("material", True, False),
    ("material", False, True),
)
WITH, WITHOUT = "with rtp-snippets", "without the plugin"
HOOKS = ("on_config", "on_post_build")  # the plugin's hooks that run in every build

WORDS = (
    "rules send events when a visitor clicks views or scrolls the page and the bundle stays "
    "small because every selector is compiled once the site keeps its own markup while the "
    "segment reads each value campaign pricing plan whitepaper download account team report"
).split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, links: list[str]) -> str:
    sentences = [sentence(rng) for _ in range(rng.randint(3, 6))]
    for link in links:
        sentences.insert(rng.randrange(len(sentences)), f"See [{Path(link).stem}]({link}).")
    return " ".join(sentences)


def page_paths(count: int) -> list[str]:
    """Where the generated pages go, relative to docs/: every tenth in pricing/ (the
    example's `pages /pricing/**` rule), the others in guides/ and reference/."""
    paths = []
    for number in range(1, count + 1):
        if number % 10 == 0:
            paths.append(f"pricing/plan-{number:03}.md")
        elif number % 2:
            paths.append(f"guides/guide-{number:03}.md")
        else:
            paths.append(f"reference/topic-{number:03}.md")
    return paths


def page_text(rng: random.Random, number: int, path: str, neighbours: list[str]) -> str:
    folder = Path(path).parent
    links = [os.path.relpath(other, folder) for other in neighbours]
    parts = [f"# {Path(path).stem.replace('-', ' ').title()}\n", paragraph(rng, links[:1]) + "\n"]
    if number % 3 == 0:
        parts.append('<button id="download-whitepaper">Download the whitepaper</button>\n')
    for section in range(1, 5):
        parts.append(f"## Section {section}\n")
        parts.append(paragraph(rng, links[section : section + 1]) + "\n")
        parts.append(paragraph(rng, []) + "\n")
    parts.append("## Details\n")
    parts.append(paragraph(rng, links[5:]) + "\n")
    parts.append("".join(f"- {sentence(rng)}\n" for _ in range(5)))
    parts.append("| plan | events | price |\n|---|---:|---:|")
    parts.append(
        "".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} | {n * 10} |\n" for n in range(1, 6))
    )
    parts.append("```yaml\nrules:\n  - \"on click #download-whitepaper send 'download'\"\n```\n")
    return "\n".join(parts)


def grow_docs(docs: Path, pages: int) -> int:
    """Add generated pages to ``docs`` until it has ``pages`` Markdown pages; returns how
    many were added. The same pages every run (a fixed seed)."""
    existing = sorted(path.relative_to(docs).as_posix() for path in docs.rglob("*.md"))
    if pages < len(existing):
        raise SystemExit(f"--pages must be at least {len(existing)} (the example's pages)")
    paths = page_paths(pages - len(existing))
    rng = random.Random(14)
    for index, path in enumerate(paths):
        neighbours = [paths[(index + step) % len(paths)] for step in (1, 2, 3, 5, 8)]
        text = page_text(rng, index + 1, path, neighbours + existing)
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(text, encoding="utf-8")
    return len(paths)


def write_configs(project: Path, theme: str | None, prune: bool = False) -> dict[str, Path]:
    """The example's mkdocs.yml (theme replaced by ``theme`` if given, the plugin's
    ``prune`` set if asked) and the same file with ``plugins: []``, side by side so every
    relative path reads the same."""
    example = yaml.safe_load((EXAMPLE / "mkdocs.yml").read_text(encoding="utf-8"))
    if theme:
        example["theme"] = {"name": theme}
    if prune:
        [plugin] = example["plugins"]
        plugin["rtp-snippets"]["prune"] = True
    files = {WITH: project / "mkdocs.yml", WITHOUT: project / "mkdocs-without-plugin.yml"}
    files[WITH].write_text(yaml.safe_dump(example, sort_keys=False), encoding="utf-8")
    without = {**example, "plugins": []}
    files[WITHOUT].write_text(yaml.safe_dump(without, sort_keys=False), encoding="utf-8")
    return files


class CountedLog(logging.Handler):
    """MkDocs' log, not printed; its warnings are kept, to be shown after the table."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.warnings.append(f"{record.levelname}: {record.getMessage()}")


class ServeSession:
    """One `mkdocs serve` of one config file, as far as its builds go: the start-up of
    mkdocs/commands/serve.py, in its order, and its ``builder`` closure. The LiveReloadServer
    is real but never bound (it does not bind in __init__) and serves nothing; its file
    watcher (a PollingObserver, a thread that scans the watched paths every 0.5 s) runs
    during the rebuilds, as it does in `serve`."""

    def __init__(self, config_file: Path, work: Path, dirty: bool) -> None:
        self.site_dir = tempfile.mkdtemp(prefix="mkdocs_", dir=work)

        def get_config():
            return load_config(config_file=str(config_file), site_dir=self.site_dir)

        config = get_config()
        config.plugins.on_startup(command="serve", dirty=dirty)
        host, port = config.dev_addr
        config.site_url = serve_url = _serve_url(host, port, "/")

        def builder(config=None):
            if config is None:
                config = get_config()
                config.site_url = serve_url
            build(config, serve_url=serve_url, dirty=dirty)

        self.builder = builder
        self.server = LiveReloadServer(builder=builder, host=host, port=port, root=self.site_dir)
        builder(config)  # serve's first build
        self.server.watch(config.docs_dir)
        self.server.watch(config.config_file_path)
        self.server = config.plugins.on_serve(self.server, config=config, builder=builder)
        for item in config.watch:
            self.server.watch(item)
        self.server.observer.start()
        self.watched = sorted(Path(path).name for path in self.server._watched_paths)
        self.plugin_module = {
            name: sys.modules[type(plugin).__module__].__file__
            for name, plugin in config.plugins.items()
        }
        self.theme = config.theme.name
        self.config = config

    def close(self) -> None:
        self.server.shutdown()  # stops the watcher and closes the never-bound socket
        self.server.observer.join()
        self.config.plugins.on_shutdown()


def cpu_seconds() -> float:
    """User + system time of this process (all its threads) and of its ended children."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def timed_hooks(plugin_class: type, seconds: list[float]) -> None:
    """Wrap the plugin's per-build hooks so the time spent in them adds to ``seconds``."""
    for name in HOOKS:
        original = getattr(plugin_class, name)

        @functools.wraps(original)
        def timed(self, *args, _original=original, **kwargs):
            start = time.perf_counter()
            try:
                return _original(self, *args, **kwargs)
            finally:
                seconds.append(time.perf_counter() - start)

        setattr(plugin_class, name, timed)


def serve_process(config_file: Path, work: Path, dirty: bool, connection) -> None:
    """One variant in a process of its own, as one `mkdocs serve` is: its heap, its
    garbage and its threads are its own. Rebuilds when told, answers with the figures."""
    log = CountedLog()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(log)
    mkdocs_log.setLevel(logging.INFO)  # as `mkdocs serve` sets it: INFO records are made
    mkdocs_log.propagate = False
    hook_seconds: list[float] = []
    timed_hooks(RtpSnippetsPlugin, hook_seconds)
    session = ServeSession(config_file, work, dirty)
    connection.send(
        {
            "site_dir": session.site_dir,
            "theme": session.theme,
            "plugins": session.plugin_module,
            "watched": session.watched,
            "warnings": list(log.warnings),
        }
    )
    while connection.recv():
        warnings, hooks = len(log.warnings), len(hook_seconds)
        start, start_cpu = time.perf_counter(), cpu_seconds()
        session.builder()
        wall, cpu = time.perf_counter() - start, cpu_seconds() - start_cpu
        connection.send((wall, cpu, sum(hook_seconds[hooks:]), log.warnings[warnings:]))
    session.close()
    connection.send(None)


def paired_overhead(times: dict[str, list[float]]) -> float:
    """The median over the rounds of what the plugin adds in that round. A round's two
    rebuilds run one after the other, so slow drift of the machine's speed cancels; the
    noise from one build to the next does not (on a quiet 2-CPU VM, CPU time included,
    the same rebuild took 2.0 to 3.5 s). Over seven runs per theme (one of 15 rounds, six
    of 7) this figure spread widely (by over ten points), the ratio of the medians as
    much: a figure near the limit needs --rounds 15 or more."""
    return statistics.median(
        with_plugin / without - 1
        for with_plugin, without in zip(times[WITH], times[WITHOUT], strict=True)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rebuilds per variant")
    parser.add_argument("--pages", type=int, default=200, help="Markdown pages in docs/")
    parser.add_argument("--theme", help="replace the example's theme (e.g. material)")
    parser.add_argument("--dirty", action="store_true", help="as `mkdocs serve --dirty`")
    parser.add_argument("--prune", action="store_true", help="the plugin's prune: true")
    parser.add_argument(
        "--write",
        action="store_true",
        help="measure every variant and write the table into docs/benchmarks.md",
    )
    arguments = parser.parse_args()
    if arguments.rounds < 1:
        parser.error("--rounds must be at least 1")
    os.environ["NO_MKDOCS_2_WARNING"] = "1"  # Material 9.8 prints a notice without it
    if not arguments.write:
        met, _ = measure(arguments)
        return 0 if met else 1
    rows, all_met = [], True
    for theme, dirty, prune in VARIANTS:
        variant = {**vars(arguments), "theme": theme, "dirty": dirty, "prune": prune}
        met, row = measure(argparse.Namespace(**variant))
        rows.append(row)
        all_met = all_met and met
        print()
    markdown = (
        f"examples/mkdocs grown to {arguments.pages} pages, mkdocs {mkdocs.__version__}; "
        "times are medians of the rounds, the overhead the median of the rounds' ratios:\n\n"
        + table(
            [
                "theme",
                "rebuilds",
                "rounds",
                "rebuild without",
                "with",
                "in the plugin's hooks",
                "overhead",
                "CPU overhead",
            ],
            "llrrrrrr",
            rows,
        )
    )
    print(markdown)
    write_section("serve_overhead.py", markdown)
    return 0 if all_met else 1


def measure(arguments: argparse.Namespace) -> tuple[bool, list[object]]:
    """One variant: its rounds, its report printed; whether it is within the limit, and its
    row of the table."""
    wall: dict[str, list[float]] = {WITH: [], WITHOUT: []}
    cpu: dict[str, list[float]] = {WITH: [], WITHOUT: []}
    hooks: list[float] = []
    later_warnings: list[str] = []
    # spawn, not fork: the parent has loaded minify-go's Go runtime, which a fork would copy
    # without its threads.
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="serve-overhead-") as folder:
        project = Path(folder) / "project"
        shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site"))
        added = grow_docs(project / "docs", arguments.pages)
        config_files = write_configs(project, arguments.theme, arguments.prune)
        connections, processes, sessions = {}, [], {}
        try:
            for name, path in config_files.items():
                connections[name], child = context.Pipe()
                process = context.Process(
                    target=serve_process, args=(path, Path(folder), arguments.dirty, child)
                )
                process.start()
                processes.append(process)
                sessions[name] = connections[name].recv()  # after its first build
            load_before = os.getloadavg()[0]
            edited = sorted((project / "docs").rglob("*.md"))
            for round_number in range(arguments.rounds):
                order = [WITH, WITHOUT] if round_number % 2 == 0 else [WITHOUT, WITH]
                for name in order:
                    # The edit that triggers the rebuild (the page --dirty rebuilds).
                    edited[round_number % len(edited)].touch()
                    connections[name].send(True)
                    seconds, cpu_used, hook_seconds, warnings = connections[name].recv()
                    wall[name].append(seconds)
                    cpu[name].append(cpu_used)
                    later_warnings += warnings
                    if name == WITH:
                        hooks.append(hook_seconds)
            load_after = os.getloadavg()[0]
        finally:
            for connection in connections.values():
                with contextlib.suppress(OSError, EOFError):  # a process that failed
                    connection.send(False)
                    connection.recv()
            for process in processes:
                process.join()
        site = Path(sessions[WITH]["site_dir"])
        built = sum(1 for _ in site.rglob("*.html"))
        injected = sum(b"data-rtp-snippets" in path.read_bytes() for path in site.rglob("*.html"))

    median = {name: statistics.median(values) for name, values in wall.items()}
    median_cpu = {name: statistics.median(values) for name, values in cpu.items()}
    overhead, overhead_cpu = paired_overhead(wall), paired_overhead(cpu)
    with_plugin, without_plugin = sessions[WITH], sessions[WITHOUT]
    theme_source = "" if arguments.theme else " (the example's)"

    print(
        f"examples/mkdocs grown to {arguments.pages} pages ({added} generated), {built} HTML "
        f"files built; theme: {with_plugin['theme']}{theme_source}; "
        f"{'dirty' if arguments.dirty else 'clean'} rebuilds; {arguments.rounds} rounds"
        f"{'; prune: true' if arguments.prune else ''}"
    )
    print(
        f"mkdocs {mkdocs.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {load_before:.1f} before the rounds and {load_after:.1f} after"
    )
    print(f"rtp-snippets plugin imported from {with_plugin['plugins']['rtp-snippets']}")
    print(
        f"plugins with: {', '.join(with_plugin['plugins'])}; without: "
        f"{', '.join(without_plugin['plugins']) or 'none'}; watched with: "
        f"{', '.join(with_plugin['watched'])}; pages with a bundle: {injected} of {built}\n"
    )
    print("| rebuild | wall ms (median) | wall ms (min-max) | CPU ms (median) |")
    print("|---|---:|---:|---:|")
    for name in (WITHOUT, WITH):
        print(
            f"| {name} | {median[name] * 1000:,.0f} | {min(wall[name]) * 1000:,.0f}-"
            f"{max(wall[name]) * 1000:,.0f} | {median_cpu[name] * 1000:,.0f} |"
        )
    print(
        f"| of which in the plugin's hooks | {statistics.median(hooks) * 1000:,.0f} | "
        f"{min(hooks) * 1000:,.0f}-{max(hooks) * 1000:,.0f} | |"
    )
    of_medians = median[WITH] / median[WITHOUT] - 1
    of_medians_cpu = median_cpu[WITH] / median_cpu[WITHOUT] - 1
    print(
        f"\nplugin overhead, median of the rounds' ratios: wall {overhead:+.1%}, CPU "
        f"{overhead_cpu:+.1%}; ratio of the medians: wall {of_medians:+.1%}, "
        f"CPU {of_medians_cpu:+.1%}"
    )
    for name, session in sessions.items():
        for warning in sorted(set(session["warnings"])):
            print(f"first build {name} logged {warning}")
    if later_warnings:
        print(
            f"the timed rebuilds logged {len(later_warnings)} warnings, e.g. {later_warnings[-1]}"
        )
    busy = (os.cpu_count() or 1) - 0.5  # this run keeps one CPU busy itself
    if max(load_before, load_after) > busy:
        print(
            f"load average over {busy} on {os.cpu_count()} CPUs: other work competed for them, "
            "so the wall times include waiting for a CPU; the CPU times compare more steadily"
        )
    met = overhead <= LIMIT
    print(
        f"{'met   ' if met else 'MISSED'} a rebuild costs at most {LIMIT:.0%} more wall time "
        f"with the plugin: {overhead:+.1%}"
    )
    rebuilds = "`--dirty`" if arguments.dirty else "full"
    row = [
        f"{with_plugin['theme']}{theme_source}",
        rebuilds + (", `prune: true`" if arguments.prune else ""),
        arguments.rounds,
        f"{median[WITHOUT] * 1000:,.0f} ms",
        f"{median[WITH] * 1000:,.0f} ms",
        f"{statistics.median(hooks) * 1000:,.0f} ms",
        f"{overhead:+.1%}",
        f"{overhead_cpu:+.1%}",
    ]
    return met, row


if __name__ == "__main__":
    sys.exit(main())
