"""inject / remove on whole sites, through the command line."""

import base64
import dataclasses
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from corpora import extract_corpus, read_corpus

from rtp_snippets import build_bundle, load_rules
from rtp_snippets.inject import inject_html
from rtp_snippets.site import inject_site
from support.cli import command, run
from support.files import write_site

EXAMPLE_RULES = Path(__file__).resolve().parent.parent / "examples" / "rtp-rules.yml"
LOCK = ".rtp-snippets.lock"
RULES = """
rules:
  - "on click #download-whitepaper send 'download - example whitepaper'"
  - "on view send 'viewed pricing' pages /pricing/** exclude /pricing/archive/**"
  - "on view send 'blog post' pages /blog/* once session"
"""
RTP_TAG = (
    "<script>(function(c,h,a,f,i,e){c[a]=c[a]||function(){(c[a].q=c[a].q||[]).push(arguments)};"
    "c[a].a=i;c[a].e=e;var g=h.createElement('script');g.async=true;g.src=f+'?aid='+i;"
    "var b=h.getElementsByTagName('script')[0];b.parentNode.insertBefore(g,b);})"
    "(window,document,'rtp','//rtp.example/rtp-api/v1/rtp.js','mktoname');"
    "rtp('send','view');</script>"
)
PAGES = {
    "index.html": (
        "<!doctype html><html><head><title>Home</title>"
        + RTP_TAG
        + "</head><body><h1>Home</h1></body></html>\n"
    ),
    "blog/post.html": "<html><body><p>post</p></body></html>",
    "pricing/index.html": "<html><body><p>pricing</p></body></html>",
    "pricing/archive/2019.htm": "<html><body><p>old</p></body></html>",
    "google123.html": "google-site-verification: google123.html",
    "style.css": "body{}",
}


@pytest.fixture
def site(tmp_path):
    return write_site(tmp_path, PAGES, RULES)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_inject_then_again_then_remove(site):
    rules = site.parent / "rtp-rules.yml"
    before = snapshot(site)
    result = run("inject", site, "-r", rules, "--jobs", "1")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Content-Security-Policy: script-src 'sha256-")
    assert lines[1] == (
        "5 pages: 4 changed, 0 unchanged, 1 skipped (1 no HTML tags (not a web "
        "page, e.g. a site verification file)), 0 errors, 3 without an RTP tag"
    )
    assert result.stderr == (
        "Warning: 3 pages have no RTP tag, so rtp() calls go nowhere; add the tag, or an rtp: "
        "section to the rules file to inject it: /blog/post.html, /pricing/archive/2019.htm, "
        "/pricing/index.html\n"
        f"Warning: {rules}:3:6: selector '#download-whitepaper' matches no element on any of "
        "the 5 pages it applies to, so the rule never sends\n"
    )
    after = snapshot(site)
    ruleset = load_rules(rules)
    home = build_bundle(type(ruleset)(ruleset.rules[:1]))
    assert after["index.html"] == inject_html(before["index.html"], home)
    assert "viewed pricing" in after["pricing/index.html"].decode()
    assert "viewed pricing" not in after["pricing/archive/2019.htm"].decode()
    assert "blog post" in after["blog/post.html"].decode()
    assert "blog post" not in after["index.html"].decode()
    assert after["google123.html"] == before["google123.html"]
    assert after["style.css"] == before["style.css"]

    mtimes = {path: os.stat(site / path).st_mtime_ns for path in after}
    again = run("inject", site, "-r", rules)
    assert again.stdout.splitlines()[1].startswith("5 pages: 0 changed, 4 unchanged, 1 skipped")
    assert {path: os.stat(site / path).st_mtime_ns for path in after} == mtimes

    assert run("inject", site, "-r", rules, "--check").exit_code == 0
    removed = run("remove", site)
    assert removed.exit_code == 0
    assert removed.stdout == "5 pages: 4 changed, 1 unchanged, 0 skipped, 0 errors\n"
    assert snapshot(site) == before


def test_check_lists_the_pages_that_would_change_and_writes_nothing(site):
    before = snapshot(site)
    result = run("inject", site, "-r", site.parent / "rtp-rules.yml", "--check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1:5] == [
        "would change: /blog/post.html",
        "would change: /index.html",
        "would change: /pricing/archive/2019.htm",
        "would change: /pricing/index.html",
    ]
    assert snapshot(site) == before


def test_json_report(site):
    result = run("inject", site, "-r", site.parent / "rtp-rules.yml", "--json")
    report = json.loads(result.stdout)
    assert report["summary"] == {"injected": 4, "skipped": 1}
    assert report["pages"][0] == {
        "path": "/blog/post.html",
        "status": "injected",
        "reason": "",
        "rules": 2,
        "warning": "no RTP tag on the page",
        "file_warning": "",
    }
    assert report["pages"][2]["path"] == "/index.html" and report["pages"][2]["warning"] == ""
    assert len(report["csp_script_src"]) == 3  # three distinct sets of rules


def test_changed_rules_replace_the_block(site):
    rules = site.parent / "rtp-rules.yml"
    run("inject", site, "-r", rules)
    rules.write_text(RULES.replace("download - example whitepaper", "whitepaper v2"))
    result = run("inject", site, "-r", rules)
    assert result.stdout.splitlines()[1].startswith("5 pages: 4 changed")
    page = (site / "index.html").read_text()
    assert page.count("data-rtp-snippets") == 1 and "whitepaper v2" in page


def test_include_and_exclude_choose_pages(site):
    result = run(
        "inject",
        site,
        "-r",
        site.parent / "rtp-rules.yml",
        "--include",
        "/pricing/**",
        "--exclude",
        "/pricing/archive/**",
    )
    assert result.stdout.splitlines()[1].startswith("1 page: 1 changed")
    assert "data-rtp-snippets" not in (site / "index.html").read_text()


def test_bad_glob_option_is_misuse(site):
    result = run("inject", site, "--include", "pricing/**")
    assert result.exit_code == 2
    assert "--include 'pricing/**': page globs are site paths starting with '/'" in result.stderr


def test_external_bundle_files(site):
    rules = site.parent / "rtp-rules.yml"
    result = run("inject", site, "-r", rules, "--external")
    assert result.exit_code == 0
    assert "Content-Security-Policy" not in result.stdout
    assert len(list(site.glob("rtp-snippets.*.js"))) == 3
    post = (site / "blog/post.html").read_text()
    src, integrity = re.search(
        r'src="([^"]+)" integrity="([^"]+)" crossorigin="anonymous" defer', post
    ).groups()
    assert src.startswith("../rtp-snippets.")
    bundle_file = (site / "blog" / src).resolve()
    assert bundle_file.parent == site.resolve()
    digest = base64.b64encode(hashlib.sha384(bundle_file.read_bytes()).digest()).decode()
    assert integrity == f"sha384-{digest}"
    assert (
        "blog post" in bundle_file.read_text() and "viewed pricing" not in bundle_file.read_text()
    )
    # A changed rule set removes the bundle files nobody uses any more.
    rules.write_text("rules:\n  - \"on click #x send 'only'\"\n")
    run("inject", site, "-r", rules, "--external", "--base-url", "/docs/")
    files = sorted(path.name for path in site.glob("rtp-snippets.*.js"))
    assert len(files) == 1
    assert f'src="/docs/{files[0]}"' in (site / "blog/post.html").read_text()
    run("remove", site)
    assert list(site.glob("rtp-snippets.*.js")) == []


def test_base_url_needs_external(site):
    result = run("inject", site, "--base-url", "/x/")
    assert result.exit_code == 2
    assert "--base-url only applies with --external" in result.stderr


def test_read_only_page_is_an_error_and_the_rest_is_done(site):
    (site / "blog/post.html").chmod(0o444)
    result = run("inject", site, "-r", site.parent / "rtp-rules.yml")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: /blog/post.html: the file is read-only; make it "
        "writable or leave it out with --exclude\nWarning: "
    )
    assert result.stdout.splitlines()[1].startswith("5 pages: 3 changed, 0 unchanged, 1 skipped")
    assert "data-rtp-snippets" not in (site / "blog/post.html").read_text()


def test_symbolic_links_are_not_followed(site, tmp_path):
    outside = tmp_path / "outside.html"
    outside.write_text("<body></body>")
    (site / "link.html").symlink_to(outside)
    result = run("inject", site, "-r", site.parent / "rtp-rules.yml", "--json")
    pages = {page["path"]: page for page in json.loads(result.stdout)["pages"]}
    assert pages["/link.html"]["reason"] == "a symbolic link (not followed)"
    assert outside.read_text() == "<body></body>"


def test_missing_site_folder(tmp_path):
    (tmp_path / "rtp-rules.yml").write_text(RULES)
    result = run("inject", tmp_path / "nope", "-r", tmp_path / "rtp-rules.yml")
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {tmp_path / 'nope'}: no such folder; give the output folder of your site build\n"
    )


def test_jobs_give_the_same_result(tmp_path):
    ruleset = load_rules(Path(__file__).resolve().parent.parent / "examples" / "rtp-rules.yml")
    copies = []
    for jobs in (1, 2):
        copy = extract_corpus("site-a", tmp_path / f"site-{jobs}")
        report = inject_site(copy, ruleset, jobs=jobs)
        assert report.counts == {"injected": 399, "skipped": 1}
        copies.append(snapshot(copy))
    assert copies[0] == copies[1]


@pytest.mark.slow
def test_an_interrupted_run_leaves_every_file_original_or_injected(tmp_path):
    rules = Path(__file__).resolve().parent.parent / "examples" / "rtp-rules.yml"
    original = read_corpus("site-a")
    reference = extract_corpus("site-a", tmp_path / "reference")
    inject_site(reference, load_rules(rules), jobs=1)
    injected_state = snapshot(reference)
    # The root's files come first.
    first_page = min(name for name in original if "/" not in name and name.endswith(".html"))
    for trial in range(3):
        copy = extract_corpus("site-a", tmp_path / f"site-{trial}")
        process = subprocess.Popen(
            command("inject", str(copy), "-r", str(rules), "--jobs", "1"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        watched = copy / first_page
        deadline = time.monotonic() + 30
        while watched.read_bytes() == original[first_page] and time.monotonic() < deadline:
            time.sleep(0.0005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = snapshot(copy)
        done = [name for name in original if state[name] != original[name]]
        assert all(state[name] == injected_state[name] for name in done)
        assert 0 < len(done) < 399, "the kill should land in the middle of the run"
        # SIGKILL may leave one temporary file behind, never a page, and the lock file,
        # which the next run takes over and deletes.
        assert all(
            name.endswith(".rtp-snippets.tmp") for name in set(state) - set(original) - {LOCK}
        )
        rerun = run("inject", copy, "-r", rules)
        assert rerun.exit_code == 0
        assert not (copy / LOCK).exists()
        pages = {name: data for name, data in snapshot(copy).items() if name in original}
        assert pages == injected_state


def test_rtp_section_injects_the_official_tag_first_in_head(site):
    rules = site.parent / "rtp-rules.yml"
    rules.write_text(
        "rtp:\n  account: mktoname\n  script: //rtp.example/rtp-api/v1/rtp.js\n" + RULES
    )
    before = snapshot(site)
    result = run("inject", site, "-r", rules)
    # The site has no #download-whitepaper: the one warning (every page now has the tag).
    assert result.exit_code == 0 and result.stderr.count("Warning:") == 1
    assert "selector '#download-whitepaper' matches no element" in result.stderr
    post = (site / "blog/post.html").read_text()
    tag = (
        '<script data-rtp-snippets="rtp-tag">(function(e,t,n,s,o){e[n]=e[n]||function(){'
        "(e[n].q=e[n].q||[]).push(arguments)},e[n].a=o;"
    )
    assert post.startswith("<html>" + tag)  # no <head> tag: first in the implied head
    assert post.count("data-rtp-snippets") == 2
    assert '"//rtp.example/rtp-api/v1/rtp.js","mktoname"),rtp("send","view")' in post
    # A page with its own RTP tag does not get a second one.
    assert "rtp-tag" not in (site / "index.html").read_text()
    assert run("inject", site, "-r", rules).stdout.splitlines()[1].startswith("5 pages: 0 changed")
    run("remove", site)
    assert snapshot(site) == before


def test_a_page_that_vanishes_during_the_run_is_an_error(site, monkeypatch):
    from rtp_snippets import site as site_stage

    process = site_stage._process

    def vanish_first(shared, task, **closer):
        if task.path == "/blog/post.html":
            (site / "blog/post.html").unlink()
        return process(shared, task, **closer)

    monkeypatch.setattr(site_stage, "_process", vanish_first)
    report = inject_site(site, load_rules(site.parent / "rtp-rules.yml"), jobs=1)
    assert [(page.path, page.status, page.reason) for page in report.errors] == [
        ("/blog/post.html", "error", "the file vanished during the run")
    ]
    assert report.counts["injected"] == 3


def test_a_failing_write_leaves_the_page_intact(site, monkeypatch):
    from rtp_snippets import site as site_stage

    before = (site / "index.html").read_bytes()

    def full_disk(descriptor, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(site_stage.os, "write", full_disk)
    report = inject_site(site, load_rules(site.parent / "rtp-rules.yml"), jobs=1)
    assert {page.reason for page in report.errors} == {"cannot write: No space left on device"}
    assert (site / "index.html").read_bytes() == before
    assert not [path for path in site.rglob("*.tmp")]


def test_file_mode_is_kept(site):
    (site / "index.html").chmod(0o640)
    run("inject", site, "-r", site.parent / "rtp-rules.yml")
    assert (site / "index.html").stat().st_mode & 0o777 == 0o640
    assert "data-rtp-snippets" in (site / "index.html").read_text()


def test_position_head(site):
    run("inject", site, "-r", site.parent / "rtp-rules.yml", "--position", "head")
    page = (site / "index.html").read_text()
    assert page.index('data-rtp-snippets="bundle"') < page.index("</head>") < page.index("<body>")


def test_pages_without_an_applying_rule_get_no_block_and_lose_an_old_one(site):
    rules = site.parent / "rtp-rules.yml"
    run("inject", site, "-r", rules)
    rules.write_text("rules:\n  - \"on view send 'pricing' pages /pricing/**\"\n")
    result = run("inject", site, "-r", rules, "--json")
    pages = {page["path"]: page for page in json.loads(result.stdout)["pages"]}
    assert pages["/pricing/index.html"]["rules"] == 1
    assert pages["/index.html"] == {
        "path": "/index.html",
        "status": "removed",
        "reason": "",
        "rules": 0,
        "warning": "",
        "file_warning": "",
    }
    assert (site / "index.html").read_text() == PAGES["index.html"]


def test_an_unreadable_page_is_an_error(site, monkeypatch):
    real_open = open

    def refuse(path, *args, **kwargs):
        if str(path).endswith("blog/post.html"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refuse)
    report = inject_site(site, load_rules(site.parent / "rtp-rules.yml"), jobs=1)
    assert [(page.path, page.reason) for page in report.errors] == [
        ("/blog/post.html", "cannot read: Permission denied")
    ]


def test_an_unlistable_folder_is_an_error_and_the_rest_is_done(site, monkeypatch):
    real_scandir = os.scandir

    def refuse(path="."):
        if str(path).endswith("blog"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    report = inject_site(site, load_rules(site.parent / "rtp-rules.yml"), jobs=1)
    assert [(page.path, page.reason) for page in report.errors] == [
        ("/blog/", "cannot list the folder: Permission denied")
    ]
    assert report.counts["injected"] == 3


def test_a_symlink_loop_and_a_50_mb_page(site):
    (site / "loop.html").symlink_to(site / "loop.html")
    (site / "folder-loop").symlink_to(site, target_is_directory=True)
    big = "<html><body>" + ("<p>" + "y" * 95 + "</p>") * 500_000 + "</body></html>"
    (site / "big.html").write_text(big)
    report = inject_site(site, load_rules(site.parent / "rtp-rules.yml"), jobs=1)
    pages = {page.path: page for page in report.pages}
    assert pages["/loop.html"].reason == "a symbolic link (not followed)"
    assert pages["/folder-loop/"].reason == "a symbolic link to a folder (not followed)"
    assert not any(path.startswith("/folder-loop/") for path in pages if path != "/folder-loop/")
    assert pages["/big.html"].status == "injected"
    output = (site / "big.html").read_text()
    assert len(big) > 50_000_000 and output.endswith("</script></body></html>")


# Peak memory of inject_site on one page, in a new process (issue 14).
# Linux: writing 5 to clear_refs sets the high-water mark (VmHWM) to the current RSS.
MEMORY_CHILD = """
import json, sys
from rtp_snippets import Rule, RuleSet
from rtp_snippets.site import inject_site
def kilobytes(name):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(name + ":"))
ruleset = RuleSet((Rule(event="click", selector="#buy", send="buy"),))
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
before = kilobytes("VmRSS")
report = inject_site(sys.argv[1], ruleset, jobs=1)
print(json.dumps([report.pages[0].status, (kilobytes("VmHWM") - before) * 1024]))
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "unit",
    [
        '<div class="row"><a href="/a/" title="A">A</a><span data-x=\'1\'>t</span><!-- c --><br></div>',
        "<p " + " ".join(f"a{i}=1" for i in range(50)) + ">",
        "<script>if (a<b && c<d) x()</script>",
    ],
    ids=["tags", "attributes", "script-lt"],
)
def test_peak_memory_stays_within_three_times_a_dense_page(tmp_path, unit):
    site = tmp_path / "site"
    site.mkdir()
    page = "<!doctype html><html><head></head><body>" + unit * (20_000_000 // len(unit))
    (site / "index.html").write_text(page + "</body></html>")
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(site)], capture_output=True, text=True, check=True
    )
    status, peak = json.loads(result.stdout)
    assert status == "injected"
    assert peak <= 3 * len(page) + 32_000_000, f"{peak / 2**20:.0f} MB for a 20 MB page"


BUNDLE_SCRIPT = re.compile(
    rb'<script data-rtp-snippets="bundle" src="([^"]+)" '
    rb'integrity="sha384-([^"]+)"'
)


def site_a_copies(target: Path, copies: int) -> Path:
    """site-a several times over (copy-0/, copy-1/, …): a run long enough to overlap another."""
    for index in range(copies):
        extract_corpus("site-a", target / f"copy-{index}")
    return target


def changed_rules(folder: Path) -> Path:
    """The example rules with a value changed in the rule every page has: every bundle changes."""
    path = folder / "changed-rules.yml"
    path.write_text(
        EXAMPLE_RULES.read_text().replace("download - example whitepaper", "whitepaper v2")
    )
    return path


def unloadable_bundles(root: Path) -> list[str]:
    """Bundle scripts whose src names no file, or a file their integrity does not match."""
    problems = []
    for page in sorted(root.rglob("*.htm*")):
        for src, integrity in BUNDLE_SCRIPT.findall(page.read_bytes()):
            target = page.parent / src.decode()
            if not target.is_file():
                problems.append(f"{page.relative_to(root)}: {src.decode()} is missing")
            elif base64.b64encode(hashlib.sha384(target.read_bytes()).digest()) != integrity:
                problems.append(f"{page.relative_to(root)}: {src.decode()} does not match")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("external", [False, True], ids=["inline", "external"])
def test_two_concurrent_runs_inject_each_page_exactly_once(tmp_path, external):
    """One run works; the other, with other rules, is refused while it does."""
    copy = site_a_copies(tmp_path / "site", 5)
    reference = site_a_copies(tmp_path / "reference", 5)
    inject_site(reference, load_rules(EXAMPLE_RULES), external=external)
    flags = ["--external"] if external else []
    # The second run has other rules: had it worked too, pages would name both.
    other = changed_rules(tmp_path)
    first = subprocess.Popen(
        command("inject", str(copy), "-r", str(EXAMPLE_RULES), "--jobs", "1", *flags),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while first.poll() is None and time.monotonic() < deadline:
        try:
            if (copy / LOCK).read_text().strip():  # taken, and its process id written
                break
        except FileNotFoundError:
            pass
        time.sleep(0.001)
    # Held still while the second run starts: started after it, the second run took longer
    # to reach the lock (Python, the rules, its bundles) than the first took to finish,
    # in one CI run of two.
    os.kill(first.pid, signal.SIGSTOP)
    try:
        second = subprocess.run(
            command("inject", str(copy), "-r", str(other), "--jobs", "1", *flags),
            capture_output=True,
            text=True,
            timeout=120,
        )
        overlapped = first.poll() is None
    finally:
        os.kill(first.pid, signal.SIGCONT)
    _, errors = first.communicate(timeout=120)
    assert first.returncode == 0, errors
    assert (second.returncode, second.stderr) == (
        1,
        (
            f"Error: another rtp-snippets run (pid {first.pid}) is working on this site; "
            "try again when it has finished\n"
        ),
    ), f"the first run still running: {overlapped}"
    assert snapshot(copy) == snapshot(reference)
    assert unloadable_bundles(copy) == []


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_workers_of_a_killed_run_end_with_it(tmp_path):
    """A worker that outlived its run could still write a page (with the old rules, naming
    a bundle file the next run deletes) after the next run has started."""
    copy = site_a_copies(tmp_path / "site", 3)
    process = subprocess.Popen(
        command("inject", str(copy), "-r", str(EXAMPLE_RULES), "--jobs", "2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    workers: list[int] = []
    deadline = time.monotonic() + 30
    while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
        workers = [int(pid) for pid in children.read_text().split()]
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert len(workers) == 2, "the run should have had its two workers"
    deadline = time.monotonic() + 5
    while any(map(running, workers)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [pid for pid in workers if running(pid)] == []


@pytest.fixture(scope="module")
def site_a_injected(tmp_path_factory):
    """site-a as it is after a complete injection of the example rules."""
    rules = Path(__file__).resolve().parent.parent / "examples" / "rtp-rules.yml"
    reference = extract_corpus("site-a", tmp_path_factory.mktemp("reference") / "site")
    inject_site(reference, load_rules(rules), jobs=1)
    return snapshot(reference)


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(50))
def test_sigkill_at_random_moments(tmp_path, trial, site_a_injected):
    import random

    rules = Path(__file__).resolve().parent.parent / "examples" / "rtp-rules.yml"
    original = read_corpus("site-a")
    injected = site_a_injected
    copy = extract_corpus("site-a", tmp_path / "site")
    process = subprocess.Popen(
        command("inject", str(copy), "-r", str(rules), "--jobs", str(1 + trial % 2)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(random.Random(trial).uniform(0.2, 1.5))
    process.send_signal(signal.SIGKILL)
    process.wait()
    state = snapshot(copy)
    for name, data in original.items():
        assert state[name] in (data, injected[name]), name
    assert run("inject", copy, "-r", rules).exit_code == 0
    assert {name: data for name, data in snapshot(copy).items() if name in original} == injected
    assert not (copy / LOCK).exists()


@pytest.fixture(scope="module")
def external_runs(tmp_path_factory):
    """site-a injected with --external and the example rules (before) and then with changed
    rules (after), and how long a command-line run from the one to the other takes."""
    folder = tmp_path_factory.mktemp("external")
    changed = changed_rules(folder)
    site = extract_corpus("site-a", folder / "site")
    inject_site(site, load_rules(EXAMPLE_RULES), external=True, jobs=1)
    before = snapshot(site)
    start = time.monotonic()
    subprocess.run(
        command("inject", str(site), "-r", str(changed), "--external"),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.monotonic() - start
    return changed, before, snapshot(site), seconds


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(30))
def test_sigkill_during_an_external_run_with_changed_rules_leaves_every_src_loadable(
    tmp_path, trial, external_runs
):
    import random

    changed, before, after, seconds = external_runs
    copy = tmp_path / "site"
    for name, data in before.items():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes(data)
    assert unloadable_bundles(copy) == []
    process = subprocess.Popen(
        command(
            "inject", str(copy), "-r", str(changed), "--external", "--jobs", str(1 + trial % 2)
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # Anywhere in the run: start-up, writing the new bundles, the pages, the deletions.
    time.sleep(random.Random(trial).uniform(0, seconds))
    # The run and its workers at once, so that nothing writes while the pages are read.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    state = snapshot(copy)
    pages = [name for name in before if name.endswith((".html", ".htm"))]
    for name in pages:
        assert state[name] in (before[name], after[name]), name
    assert unloadable_bundles(copy) == []
    assert run("inject", copy, "-r", changed, "--external").exit_code == 0
    temporary = ".rtp-snippets.tmp"  # SIGKILL may leave one behind; never a page
    assert {
        name: data for name, data in snapshot(copy).items() if not name.endswith(temporary)
    } == after


@pytest.mark.parametrize("option, glob", [("include", "pricing/**"), ("exclude", "/a/***")])
def test_inject_site_refuses_a_glob_that_can_match_no_page(site, option, glob):
    from rtp_snippets.errors import InvalidGlob

    before = {path: path.read_bytes() for path in site.rglob("*.html")}
    with pytest.raises(InvalidGlob, match=f"^{option} '{re.escape(glob)}': "):
        inject_site(site, load_rules(site.parent / "rtp-rules.yml"), **{option: (glob,)})
    assert {path: path.read_bytes() for path in site.rglob("*.html")} == before


MATERIAL_CONFIG = (
    '<script id="__config" type="application/json">'
    '{"base": ".", "features": ["navigation.instant"]}</script>'
)


@pytest.mark.parametrize("where", ["first page", "a later page"])
@pytest.mark.parametrize("check", [False, True])
def test_client_navigation_found_on_any_page_gives_every_page_every_rule(tmp_path, where, check):
    """inject reads each page once: client navigation is looked for on the first page before
    the run and on every page during it; found on a later page, the run is done again with
    one bundle of every rule (the result is the same as if it had been known first)."""
    pages = dict(PAGES)
    later = "pricing/index.html"
    name = "blog/post.html" if where == "first page" else later
    pages[name] = pages[name].replace("<body>", "<head>" + MATERIAL_CONFIG + "</head><body>")
    root = write_site(tmp_path, pages, RULES)
    before = snapshot(root)
    ruleset = load_rules(tmp_path / "rtp-rules.yml")
    report = inject_site(root, ruleset, jobs=1, prune=True, check=check)
    assert report.client_navigation == (f"Material for MkDocs' navigation.instant on /{name}")
    assert report.prune_unused
    assert len(report.bundles) == 1
    assert report.counts == {"injected": 4, "skipped": 1}
    if check:
        assert snapshot(root) == before
        return
    full = build_bundle(dataclasses.replace(ruleset, client_navigation="on")).code
    for page in ("index.html", "blog/post.html", later, "pricing/archive/2019.htm"):
        assert full in (root / page).read_text()


def test_client_navigation_on_no_page_reads_each_page_once(tmp_path, monkeypatch):
    """Without client navigation, inject opens each page once (no pass to look for it first)."""
    import builtins

    root = write_site(tmp_path, PAGES, RULES)
    opened = []
    real_open = builtins.open

    def counting_open(file, *args, **kwargs):
        if str(file).endswith((".html", ".htm")):
            opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    report = inject_site(root, load_rules(tmp_path / "rtp-rules.yml"), jobs=1)
    assert report.client_navigation == ""
    first = sorted(opened)[0]
    # Each page once, the first page once more (to learn client navigation before the run).
    assert sorted(set(opened)) == sorted(
        str(root / page) for page in PAGES if "." in page and page.endswith(("html", "htm"))
    )
    assert len(opened) == len(set(opened)) + 1 and opened.count(opened[0]) == 2, first


def test_in_place_writes_give_the_same_pages_and_keep_each_file(site):
    """inject_site(atomic=False), as the integrations run it: the same bytes as an atomic
    run, each page's file (inode) kept; then remove gives the originals back."""
    ruleset = load_rules(site.parent / "rtp-rules.yml")
    original = snapshot(site)
    reference = site.parent / "reference"
    import shutil

    shutil.copytree(site, reference)
    inject_site(reference, ruleset, jobs=1)
    inodes = {name: (site / name).stat().st_ino for name in original}
    report = inject_site(site, ruleset, jobs=1, atomic=False)
    assert report.counts == {"injected": 4, "skipped": 1}
    assert snapshot(site) == snapshot(reference)
    assert {name: (site / name).stat().st_ino for name in original} == inodes
    run("remove", site)
    assert snapshot(site) == original


def test_in_place_writes_fail_on_a_full_disk_before_changing_a_byte(site, monkeypatch):
    import errno

    def full(descriptor, offset, length):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", full)
    original = snapshot(site)
    report = inject_site(site, load_rules(site.parent / "rtp-rules.yml"), jobs=1, atomic=False)
    assert [page.reason for page in report.errors] == ["cannot write: No space left on device"] * 4
    assert snapshot(site) == original


def test_in_place_writes_still_replace_a_page_with_several_hard_links(site):
    os.link(site / "index.html", site.parent / "other-name.html")
    report = inject_site(site, load_rules(site.parent / "rtp-rules.yml"), jobs=1, atomic=False)
    index = next(page for page in report.pages if page.path == "/index.html")
    assert "hard links" in index.file_warning
    assert (site.parent / "other-name.html").read_bytes() == PAGES["index.html"].encode()
    assert b"data-rtp-snippets" in (site / "index.html").read_bytes()


def test_with_several_jobs_large_pages_are_done_by_the_run_one_at_a_time(site, monkeypatch):
    """--jobs N must not hold N large pages at once: workers leave pages over LARGE_PAGE to
    the run's own process, which does them after the workers, one at a time; the result
    is the same. (Workers are forked, so they see the lowered limit.)"""
    from rtp_snippets import site as site_stage

    reference = site.parent / "reference"
    import shutil

    shutil.copytree(site, reference)
    ruleset = load_rules(site.parent / "rtp-rules.yml")
    inject_site(reference, ruleset, jobs=1)
    monkeypatch.setattr(site_stage, "LARGE_PAGE", 45)  # index.html and pricing's are larger
    done_here = []
    process = site_stage._process

    def noting(shared, task, *closer):
        if shared.large is None:
            done_here.append((task.path, os.getpid()))
        return process(shared, task, *closer)

    monkeypatch.setattr(site_stage, "_process", noting)
    shown = []  # the progress callback's calls, with how many pages the run had done then

    def progress(done, total):
        shown.append((done, total, len(done_here)))

    report = inject_site(site, ruleset, jobs=2, progress=progress)
    assert report.counts == {"injected": 4, "skipped": 1}
    assert snapshot(site) == snapshot(reference)
    large = sorted(
        p
        for p in (
            "/index.html",
            "/blog/post.html",
            "/pricing/index.html",
            "/pricing/archive/2019.htm",
        )
        if len(PAGES[p[1:]]) > 45
    )
    assert sorted(path for path, _ in done_here) == large
    assert {pid for _, pid in done_here} == {os.getpid()}
    # The progress counts a large page when the run has done it, not when a worker left it:
    # it never goes back, and reaches the end only after the last large page.
    pages = 5  # the site's HTML pages, google123.html (skipped) included
    assert [done for done, _, _ in shown] == sorted(done for done, _, _ in shown)
    assert shown[-1] == (pages, pages, len(large))
    assert all(done < pages for done, _, ran in shown if ran < len(large))


START_INJECT = (
    "import multiprocessing, sys; multiprocessing.set_start_method(sys.argv[1]); "
    "from rtp_snippets.cli import main; main(sys.argv[2:])"
)


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_workers_started_by_spawn_or_a_fork_server_inject_the_same_pages(tmp_path, method):
    """macOS and Windows spawn worker processes; Python 3.14 on Linux starts them from a
    fork server, whose workers are not children of the run."""
    reference = extract_corpus("site-a", tmp_path / "reference")
    inject_site(reference, load_rules(EXAMPLE_RULES), jobs=1)
    copy = extract_corpus("site-a", tmp_path / "site")
    subprocess.run(
        [
            sys.executable,
            "-c",
            START_INJECT,
            method,
            "inject",
            str(copy),
            "-r",
            str(EXAMPLE_RULES),
            "--jobs",
            "2",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    assert snapshot(copy) == snapshot(reference)


def test_workers_started_by_a_fork_server_end_with_a_killed_run(tmp_path):
    copy = site_a_copies(tmp_path / "site", 3)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            START_INJECT,
            "forkserver",
            "inject",
            str(copy),
            "-r",
            str(EXAMPLE_RULES),
            "--jobs",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def descendants(pid: int) -> list[int]:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children] + [
            grandchild for child in children for grandchild in descendants(int(child))
        ]

    workers: list[int] = []
    deadline = time.monotonic() + 30
    while len(workers) < 3 and process.poll() is None and time.monotonic() < deadline:
        workers = descendants(process.pid)  # the fork server and its two workers
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert len(workers) >= 3, "the run should have had a fork server and two workers"
    deadline = time.monotonic() + 5
    while any(map(running, workers)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [pid for pid in workers if running(pid)] == []


def test_a_memo_reads_again_only_the_pages_whose_bytes_changed(tmp_path, monkeypatch):
    """With a PageMemo (the integrations keep one across a serve loop's rebuilds), a page
    whose bytes are those of the memo's last run is neither scanned nor parsed again, and
    every page, status and fact comes out as without it; an edited page is read again, and
    every page after the rules changed."""
    import rtp_snippets.site as site_module
    from rtp_snippets.site import PageMemo

    rules = tmp_path / "rtp-rules.yml"
    # With an RTP tag to add: the memo keeps where that block goes too.
    rules.write_text(
        "rtp:\n  account: mktoname\n  script: //rtp.example/rtp-api/v1/rtp.js\n"
        + RULES.replace("#download-whitepaper", "header#banner")
    )
    ruleset = load_rules(rules)
    edited = "blog/2014/04/02/refactoring-infrastructure/index.html"

    def edit(root: Path) -> None:
        page = root / edited
        page.write_bytes(page.read_bytes().replace(b"</title>", b" (edited)</title>", 1))

    def run_pair(name: str, ruleset, change=None):
        """One run without the memo and one with it, on equal copies; the memo run's result
        (``scanned`` and ``parsed`` hold what the memo run read)."""
        reference, memoised = (
            extract_corpus("site-a", tmp_path / f"{name}-{kind}") for kind in ("reference", "memo")
        )
        for root in (reference, memoised) if change else ():
            change(root)
        expected = inject_site(reference, ruleset, jobs=1, facts=True, atomic=False)
        scanned.clear()
        parsed.clear()
        report = inject_site(memoised, ruleset, jobs=1, facts=True, atomic=False, memo=memo)
        assert (report.pages, report.facts) == (expected.pages, expected.facts)
        pages = snapshot(memoised)
        assert pages == snapshot(reference)
        assert sum(b'data-rtp-snippets="rtp-tag"' in data for data in pages.values()) == 399
        return report

    scanned: list[bytes] = []
    parsed: list[str] = []
    real_place, real_facts = site_module.place_blocks, site_module.page_facts
    monkeypatch.setattr(
        site_module,
        "place_blocks",
        lambda data, *args: scanned.append(data) or real_place(data, *args),
    )
    monkeypatch.setattr(
        site_module,
        "page_facts",
        lambda path, *args: parsed.append(path) or real_facts(path, *args),
    )
    memo = PageMemo()
    first = run_pair("first", ruleset)
    assert first.counts == {"injected": 399, "skipped": 1}
    assert len(scanned) == len(parsed) == 400  # the memo knew nothing yet
    assert sum(fact.matches[0] > 0 for fact in first.facts) > 300  # header#banner is read

    run_pair("same", ruleset)
    assert (scanned, parsed) == ([], [])  # the skipped page included: its reason is kept

    run_pair("edited", ruleset, edit)
    assert parsed == [f"/{edited}"] and len(scanned) == 1

    run_pair("other-rules", dataclasses.replace(ruleset, rules=ruleset.rules[:2]), edit)
    assert len(scanned) == len(parsed) == 400


@pytest.mark.slow
def test_with_prune_a_memo_parses_again_only_the_pages_whose_bytes_changed(tmp_path, monkeypatch):
    """prune reads every page's facts before it injects (they decide each page's bundle):
    with a memo, a page whose bytes the last run read for the same rules is not parsed
    again for them, and pages, facts and bytes come out as without it."""
    import rtp_snippets.memo as memo_module
    import rtp_snippets.page as page_module
    import rtp_snippets.site as site_module
    from rtp_snippets.site import PageMemo

    parsed: list[str] = []
    real_facts = page_module.page_facts

    def counted(path, *args):
        parsed.append(path)
        return real_facts(path, *args)

    for module in (page_module, site_module, memo_module):
        monkeypatch.setattr(module, "page_facts", counted)
    ruleset = load_rules(EXAMPLE_RULES)
    edited = "blog/2014/04/02/refactoring-infrastructure/index.html"
    memo = PageMemo()
    for name in ("first", "same", "edited"):
        reference, memoised = (
            extract_corpus("site-a", tmp_path / f"{name}-{kind}") for kind in ("reference", "memo")
        )
        if name == "edited":
            for root in (reference, memoised):
                page = root / edited
                page.write_bytes(page.read_bytes().replace(b"</title>", b" (edited)</title>", 1))
        expected = inject_site(reference, ruleset, jobs=1, facts=True, prune=True, atomic=False)
        parsed.clear()
        report = inject_site(
            memoised, ruleset, jobs=1, facts=True, prune=True, atomic=False, memo=memo
        )
        assert (report.pages, report.facts) == (expected.pages, expected.facts)
        assert snapshot(memoised) == snapshot(reference)
        assert len(parsed) == {"first": 400, "same": 0, "edited": 1}[name]
    assert report.counts == {"injected": 399, "skipped": 1}
    assert len(report.bundles) > 2  # pruned: pages without a matching element differ


def deleted_files_open(folder: Path) -> list[str]:
    """The files under ``folder`` this process holds open that no longer have a name
    (Linux: /proc/self/fd)."""
    links = []
    for entry in Path("/proc/self/fd").iterdir():
        try:
            links.append(os.readlink(entry))
        except OSError:  # closed since the folder was listed
            continue
    return [link for link in links if link.startswith(f"{folder}/") and link.endswith(" (deleted)")]


@pytest.mark.parametrize(
    "jobs, large",
    [(1, None), (2, None), (2, 20_000)],
    ids=["1 job", "2 jobs", "2 jobs, large pages left to the run"],
)
def test_a_run_ends_with_the_replaced_pages_closed_and_no_thread_left(
    tmp_path, monkeypatch, jobs, large
):
    """Replaced pages are closed by a thread of the run (the close can wait on the disk):
    none is still open when the run returns, and the thread is gone (a thread alive when
    the next run forks its workers could leave them deadlocked)."""
    import threading

    import rtp_snippets.site

    if large:  # the run's own process then replaces pages too, after its workers
        monkeypatch.setattr(rtp_snippets.site, "LARGE_PAGE", large)
    copy = extract_corpus("site-a", tmp_path / "site")
    threads = threading.enumerate()
    report = inject_site(copy, load_rules(EXAMPLE_RULES), jobs=jobs)
    assert report.counts["injected"] == 399
    assert deleted_files_open(copy) == []
    assert threading.enumerate() == threads
    report = rtp_snippets.site.remove_site(copy, jobs=jobs)
    assert report.counts["removed"] == 399
    assert deleted_files_open(copy) == []
    assert threading.enumerate() == threads


SLOW_CLOSES = """
import json, resource, sys, time
from pathlib import Path
import rtp_snippets.files
import rtp_snippets.site
from rtp_snippets import load_rules

resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))  # both: Go (esbuild) raises the soft one
closing = rtp_snippets.files.Closer._run

def slow(handles):  # a disk that takes 5 ms to free each replaced page
    real_get = handles.get
    def get():
        time.sleep(0.005)
        return real_get()
    handles.get = get
    closing(handles)

rtp_snippets.files.Closer._run = staticmethod(slow)
report = rtp_snippets.site.inject_site(sys.argv[1], load_rules(Path(sys.argv[2])), jobs=1)
print(json.dumps([dict(report.counts), [page.reason for page in report.errors][:3]]))
"""


@pytest.mark.slow
def test_replaced_pages_waiting_to_be_closed_stay_within_the_descriptor_limit(tmp_path):
    """A process allowed few descriptors (ulimit -n 32) on a disk slow to free pages: the
    pages waiting to be closed must not take the descriptors the next pages need."""
    copy = extract_corpus("site-a", tmp_path / "site")
    result = subprocess.run(
        [sys.executable, "-c", SLOW_CLOSES, str(copy), str(EXAMPLE_RULES)],
        capture_output=True,
        text=True,
        check=True,
    )
    counts, errors = json.loads(result.stdout)
    assert errors == []
    assert counts == {"injected": 399, "skipped": 1}


def test_a_memo_does_not_read_a_page_left_as_it_was_whose_file_has_not_changed(
    tmp_path, monkeypatch
):
    """`mkdocs serve --dirty` leaves the pages of unchanged sources as the last build (and
    the plugin) left them. With a memo, a page the last run left as it was, whose file has
    the status it had then, is not read at all; one changed since, even to the same size
    and modification time, is read again; and so is one that had changed less than
    SETTLED_NS before the last run looked at it (a change in the same tick of the clock
    would not show in its status)."""
    import types

    import rtp_snippets.memo as memo_module
    import rtp_snippets.site as site_module
    from rtp_snippets.site import PageMemo

    rules = tmp_path / "rtp-rules.yml"
    rules.write_text(RULES.replace("#download-whitepaper", "header#banner"))
    ruleset = load_rules(rules)
    root = extract_corpus("site-a", tmp_path / "site")
    hashed: list[bytes] = []

    def sha256(data=b""):
        hashed.append(data)
        return hashlib.sha256(data)

    monkeypatch.setattr(site_module, "hashlib", types.SimpleNamespace(sha256=sha256))
    memo = PageMemo()

    def run():
        hashed.clear()
        return inject_site(root, ruleset, jobs=1, facts=True, atomic=False, memo=memo)

    assert run().counts == {"injected": 399, "skipped": 1}
    # The pages were written an instant ago: too fresh to be trusted by status, twice.
    # (Fresh means within SETTLED_NS; an hour here, so a loaded machine's slow runs count.)
    monkeypatch.setattr(memo_module, "SETTLED_NS", 3_600 * 10**9)
    for _ in range(2):
        assert run().counts == {"unchanged": 399, "skipped": 1}
        assert len(hashed) == 400
    monkeypatch.setattr(memo_module, "SETTLED_NS", 0)
    reference = run()
    assert len(hashed) == 400
    again = run()
    assert hashed == []
    assert (again.pages, again.facts) == (reference.pages, reference.facts)

    edited = "/blog/2014/04/02/refactoring-infrastructure/index.html"
    page = root / edited[1:]
    before = page.stat()
    assert page.read_bytes().count(b'<header id="banner"') == 1
    page.write_bytes(page.read_bytes().replace(b'<header id="banner"', b'<header id="bannex"'))
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert page.stat().st_size == before.st_size
    changed = run()
    assert hashed == [page.read_bytes()]
    facts = {fact.path: fact for fact in changed.facts}
    assert facts[edited].matches[0] == 0
    assert {fact.path: fact for fact in reference.facts}[edited].matches[0] == 1


def test_a_memo_keeps_the_bundles_of_the_last_run(tmp_path, monkeypatch):
    """A serve loop's rules seldom change: with a memo, the bundles of the last run are used
    again for the same rules (the same bytes as built afresh), and built for new ones."""
    import rtp_snippets.memo as memo_module
    from rtp_snippets.site import PageMemo

    built = []
    real_build = memo_module.build_bundle
    monkeypatch.setattr(
        memo_module, "build_bundle", lambda share: built.append(share) or real_build(share)
    )
    ruleset = load_rules(EXAMPLE_RULES)
    memo = PageMemo()
    reports = []
    for name in ("first", "second"):
        root = extract_corpus("site-a", tmp_path / name)
        reports.append(inject_site(root, ruleset, jobs=1, atomic=False, memo=memo))
        assert len(built) == 2  # site-a has two sets of rules (the pricing page's)
    assert reports[0].bundles == reports[1].bundles
    fewer = dataclasses.replace(ruleset, rules=ruleset.rules[:3])
    inject_site(
        extract_corpus("site-a", tmp_path / "fewer"), fewer, jobs=1, atomic=False, memo=memo
    )
    assert len(built) == 3


@pytest.mark.parametrize(
    "script, is_tag",
    [
        # A consent platform's block list naming rtp.js is data, not a tag that runs.
        (
            '<script type="application/json">{"blocked": ["https://sjrtp.marketo.com/rtp-api/v1/'
            'rtp.js?aid=1"]}</script>',
            False,
        ),
        (
            '<script type="text/plain" data-category="marketing" src="//sjrtp.marketo.com/rtp-api/v1/'
            'rtp.js"></script>',
            False,
        ),
        (
            '<script type="speculationrules">{"prefetch": [{"urls": ["/rtp-api/v1/rtp.js"]}]}</script>',
            False,
        ),
        ('<script src="//sjrtp.marketo.com/rtp-api/v1/rtp.js"></script>', True),
        (
            '<script type="text/javascript" src="//sjrtp.marketo.com/rtp-api/v1/rtp.js"></script>',
            True,
        ),
        (
            '<script type=" Text/JavaScript ;charset=utf-8">var u="//x/rtp-api/v1/rtp.js";</script>',
            True,
        ),
        ('<script type="module" src="//sjrtp.marketo.com/rtp-api/v1/rtp.js"></script>', True),
        ('<script type="">var u="//x/rtp-api/v1/rtp.js";</script>', True),
    ],
)
def test_only_a_script_that_runs_counts_as_the_pages_rtp_tag(site, script, is_tag):
    rules = site.parent / "rtp-rules.yml"
    rules.write_text(
        "rtp:\n  account: mktoname\n  script: //rtp.example/rtp-api/v1/rtp.js\n" + RULES
    )
    (site / "blog/post.html").write_text(
        f"<html><head>{script}</head><body><p>post</p></body></html>"
    )
    run("inject", site, "-r", rules)
    post = (site / "blog/post.html").read_text()
    assert ('data-rtp-snippets="rtp-tag"' not in post) is is_tag
