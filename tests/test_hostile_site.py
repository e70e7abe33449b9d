"""Sites that fight back (issue 12, "The site's files"): scripts that look like ours, files
of the user's next to our bundle files, runs at the same time, files that are not files,
pages owned by someone else, and a --base-url that is not a URL."""

import json
import os
import re
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from rtp_snippets import load_rules
from rtp_snippets.errors import RtpSnippetsError
from rtp_snippets.site import inject_site
from support.cli import command, run
from support.files import write_site

RULES = """
rules:
  - "on click #download-whitepaper send 'download - example whitepaper'"
  - "on view send 'viewed pricing' pages /pricing/**"
"""
CHANGED_RULES = RULES.replace("download - example whitepaper", "whitepaper v2")
PAGES = {
    "index.html": "<!doctype html><html><head><title>Home</title></head><body><h1>Home</h1></body></html>\n",
    "blog/post.html": "<html><body><p>post</p></body></html>",
    "pricing/index.html": "<html><body><p>pricing</p></body></html>",
    "style.css": "body{}",
}
LOCK = ".rtp-snippets.lock"
BUNDLE_NAME = re.compile(r"rtp-snippets\.[0-9a-f]{16}\.js")


@pytest.fixture
def site(tmp_path):
    return write_site(tmp_path, PAGES, RULES)


@pytest.fixture
def rules(site):
    return site.parent / "rtp-rules.yml"


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def bundle_files(root: Path) -> list[str]:
    return sorted(path.name for path in root.iterdir() if BUNDLE_NAME.fullmatch(path.name))


def pages_of(result) -> dict[str, dict]:
    return {page["path"]: page for page in json.loads(result.stdout)["pages"]}


# --- Scripts that only mention our marker ---------------------------------------------

SCRIPTS_OF_THE_ISSUE = (
    '<script src="/js/data-rtp-snippets-helper.js"></script>',
    '<script title="data-rtp-snippets config">window.config = {};</script>',
    '<script data-config="data-rtp-snippets=off">window.off = true;</script>',
)


@pytest.mark.parametrize("external", [False, True], ids=["inline", "external"])
def test_scripts_that_only_mention_the_marker_survive_inject_reinject_and_remove(
    tmp_path, external
):
    head, body, end = SCRIPTS_OF_THE_ISSUE
    page = f"<!doctype html><html><head>{head}</head><body>{body}<p>x</p>{end}</body></html>\n"
    site = write_site(tmp_path, {"index.html": page, "blog/post.html": page}, RULES)
    before = snapshot(site)
    flags = ["--external"] if external else []
    for rules in (RULES, CHANGED_RULES):
        (tmp_path / "rtp-rules.yml").write_text(rules)
        result = run("inject", site, "-r", tmp_path / "rtp-rules.yml", *flags)
        assert result.exit_code == 0, result.output
        for name in ("index.html", "blog/post.html"):
            text = (site / name).read_text()
            assert all(text.count(script) == 1 for script in SCRIPTS_OF_THE_ISSUE), text
            assert text.count('data-rtp-snippets="bundle"') == 1
    assert run("remove", site).exit_code == 0
    assert snapshot(site) == before


# --- Bundle files: only ours, only unused ones, each one reported ---------------------


def users_files(site: Path, rules: Path) -> dict[str, bytes]:
    """Files of the user's at the site root that look like ours, with their bytes."""
    assert run("build", "-r", rules, "-o", site / "rtp-snippets.min.js").exit_code == 0
    (site / "rtp-snippets.config.js").write_text("// mine\n")
    # Our name pattern, but not the code whose hash the name carries.
    (site / "rtp-snippets.0123456789abcdef.js").write_text("// mine too\n")
    (site / "RTP-SNIPPETS.0123456789ABCDEF.js").write_text("// and this\n")
    return {
        name: (site / name).read_bytes()
        for name in (
            "rtp-snippets.min.js",
            "rtp-snippets.config.js",
            "rtp-snippets.0123456789abcdef.js",
            "RTP-SNIPPETS.0123456789ABCDEF.js",
        )
    }


def still_there(site: Path, files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: (site / name).read_bytes() for name in files if (site / name).exists()}


def test_remove_deletes_only_the_bundle_files_it_wrote_and_lists_them(site, rules):
    assert run("inject", site, "-r", rules, "--external").exit_code == 0
    ours = [name for name in bundle_files(site) if name != "rtp-snippets.0123456789abcdef.js"]
    assert len(ours) == 2
    # A copy of one of ours in a sub-folder is not at the root, where we write ours.
    (site / "blog" / ours[0]).write_bytes((site / ours[0]).read_bytes())
    mine = users_files(site, rules)
    result = run("remove", site, "--json")
    assert result.exit_code == 0
    assert still_there(site, mine) == mine
    assert (site / "blog" / ours[0]).exists()
    assert bundle_files(site) == ["rtp-snippets.0123456789abcdef.js"]
    assert json.loads(result.stdout)["deleted_files"] == ours


def test_the_text_report_lists_each_deleted_bundle_file(site, rules):
    assert run("inject", site, "-r", rules, "--external").exit_code == 0
    ours = bundle_files(site)
    result = run("remove", site)
    assert result.stdout == "".join(f"deleted: /{name}\n" for name in ours) + (
        "3 pages: 3 changed, 0 unchanged, 0 skipped, 0 errors\n"
    )


def test_inject_deletes_only_its_own_bundle_files_that_no_page_uses_and_lists_them(site, rules):
    assert run("inject", site, "-r", rules, "--external").exit_code == 0
    old = bundle_files(site)
    mine = users_files(site, rules)
    rules.write_text(CHANGED_RULES)
    check = run("inject", site, "-r", rules, "--external", "--check")
    assert [line for line in check.stdout.splitlines() if line.startswith("would delete")] == [
        f"would delete: /{name}" for name in old
    ]
    assert set(old) <= set(bundle_files(site))
    result = run("inject", site, "-r", rules, "--external", "--json")
    assert result.exit_code == 0
    assert still_there(site, mine) == mine
    new = json.loads(result.stdout)["bundle_files"]
    assert bundle_files(site) == sorted([*new, "rtp-snippets.0123456789abcdef.js"])
    assert json.loads(result.stdout)["deleted_files"] == old
    # Inline again: no page uses a bundle file any more.
    inline = run("inject", site, "-r", rules, "--json")
    assert json.loads(inline.stdout)["deleted_files"] == new
    assert bundle_files(site) == ["rtp-snippets.0123456789abcdef.js"]


@pytest.mark.parametrize("left_out", ["--include", "read-only"])
def test_bundle_files_that_pages_left_as_they_were_still_use_are_kept(site, rules, left_out):
    assert run("inject", site, "-r", rules, "--external").exit_code == 0
    used_by_post = re.search(r'src="\.\./([^"]+)"', (site / "blog/post.html").read_text())[1]
    used_by_pricing = re.search(r'src="\.\./([^"]+)"', (site / "pricing/index.html").read_text())[1]
    rules.write_text(CHANGED_RULES)
    # The home page and the post share one bundle; this run leaves both as they were.
    if left_out == "--include":
        result = run(
            "inject", site, "-r", rules, "--external", "--include", "/pricing/**", "--json"
        )
    else:
        (site / "blog/post.html").chmod(0o444)
        (site / "index.html").chmod(0o444)
        result = run("inject", site, "-r", rules, "--external", "--json")
    assert used_by_post in bundle_files(site)
    assert used_by_pricing not in bundle_files(site)
    assert json.loads(result.stdout)["deleted_files"] == [used_by_pricing]


# --- One run at a time ----------------------------------------------------------------


def locked_message(pid: int) -> str:
    return (
        f"Error: another rtp-snippets run (pid {pid}) is working on this site; "
        "try again when it has finished\n"
    )


@pytest.mark.parametrize("command", [["inject", "--external"], ["inject"], ["remove"]])
def test_a_run_is_refused_while_another_run_holds_the_site(site, rules, command):
    from rtp_snippets.site import site_lock

    before = snapshot(site)
    with site_lock(site):
        args = [command[0], site, *(["-r", rules] if command[0] == "inject" else []), *command[1:]]
        result = run(*args)
        assert result.exit_code == 1
        assert result.stderr == locked_message(os.getpid())
        assert result.stdout == ""
        # The refused run leaves the lock alone.
        assert (site / LOCK).read_text() == f"{os.getpid()}\n"
        assert {name: data for name, data in snapshot(site).items() if name != LOCK} == before
    assert not (site / LOCK).exists()


def test_check_neither_needs_nor_takes_the_lock(site, rules):
    from rtp_snippets.site import site_lock

    before = snapshot(site)
    with site_lock(site):
        result = run("inject", site, "-r", rules, "--check")
        assert result.exit_code == 1  # pages would change
        assert "would change: /index.html" in result.stdout
        assert run("remove", site, "--check").exit_code == 0
    assert snapshot(site) == before


def test_a_lock_left_by_a_killed_run_is_taken_over_and_removed(site, rules):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (site / LOCK).write_text(dead.stdout)
    result = run("inject", site, "-r", rules)
    assert result.exit_code == 0, result.output
    assert "data-rtp-snippets" in (site / "index.html").read_text()
    assert not (site / LOCK).exists()


@pytest.mark.parametrize("failure", ["a page error", "a budget error"])
def test_a_run_that_fails_leaves_no_lock_file(site, rules, failure):
    if failure == "a page error":
        (site / "index.html").chmod(0o444)
        result = run("inject", site, "-r", rules)
    else:
        result = run("inject", site, "-r", rules, "--max-bytes", "10")
    assert result.exit_code == 1
    assert not (site / LOCK).exists()


# --- Files that are not files ---------------------------------------------------------


def run_guarded(*args) -> subprocess.CompletedProcess:
    """The CLI in a subprocess with a time limit and 4 GB of address space, so a run that
    hangs on a FIFO or reads a device forever fails the test instead of the machine. On
    the time limit the run and its workers are killed together (blocked on a FIFO, a
    worker would otherwise wait forever)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    with subprocess.Popen(
        command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"{' '.join(command[1:])} did not finish in 30 s")
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


NOT_FILES = {
    "a FIFO": ("page.html", lambda path: os.mkfifo(path)),
    "a character device": (
        "zero.html",
        lambda path: os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 5)),
    ),
}


@pytest.mark.parametrize("command", ["inject", "remove", "check"])
@pytest.mark.parametrize("kind", list(NOT_FILES))
def test_files_that_are_not_regular_files_are_skipped_without_being_opened(
    site, rules, kind, command
):
    name, make = NOT_FILES[kind]
    make(site / name)
    if command == "check":
        result = run_guarded("check", "-r", rules, "--site", site, "--json")
        assert json.loads(result.stdout)["pages"] == 3, result.stderr
        assert name not in result.stdout
        return
    args = ["inject", site, "-r", rules] if command == "inject" else ["remove", site]
    result = run_guarded(*args, "--json")
    assert result.returncode == 0, result.stderr
    assert pages_of(result)[f"/{name}"] == {
        "path": f"/{name}",
        "status": "skipped",
        "reason": f"not a regular file ({kind})",
        "rules": 0,
        "warning": "",
        "file_warning": "",
    }
    assert stat.S_ISREG(os.lstat(site / name).st_mode) is False


READ_FACTS = """
import sys
from rtp_snippets.page import read_facts
print(read_facts(sys.argv[1], sys.argv[2], {0: "a"}).problem)
"""


@pytest.mark.parametrize("kind", list(NOT_FILES) + ["a symbolic link"])
def test_a_page_that_stops_being_a_file_after_the_listing_is_not_read(site, kind):
    """check --site and prune list the pages, then read them: a page replaced in between
    by a FIFO (a read would wait forever), a device or a link is not read."""
    if kind == "a symbolic link":
        (site / "index.html").unlink()
        (site / "index.html").symlink_to("/dev/zero")
        name, reason = "index.html", "cannot read: Too many levels of symbolic links"
    else:
        name, make = NOT_FILES[kind]
        make(site / name)
        reason = f"not a regular file ({kind})"
    result = subprocess.run(
        [sys.executable, "-c", READ_FACTS, str(site), f"/{name}"],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    assert result.stdout.strip() == reason


def test_a_symbolic_link_to_a_folder_is_reported_as_skipped(site, rules, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.html").write_text("<body></body>")
    (site / "docs").symlink_to(outside, target_is_directory=True)
    for args in (["inject", site, "-r", rules], ["remove", site]):
        result = run(*args, "--json")
        assert result.exit_code == 0
        assert pages_of(result)["/docs/"] == {
            "path": "/docs/",
            "status": "skipped",
            "reason": "a symbolic link to a folder (not followed)",
            "rules": 0,
            "warning": "",
            "file_warning": "",
        }
        assert (outside / "index.html").read_text() == "<body></body>"


# --- Owners and hard links ------------------------------------------------------------

WWW_DATA = 33


@pytest.mark.parametrize("command", ["inject", "remove"])
def test_a_page_keeps_its_owner_and_group(site, rules, command):
    if command == "remove":
        assert run("inject", site, "-r", rules).exit_code == 0
    page = site / "index.html"
    os.chown(page, WWW_DATA, WWW_DATA)
    page.chmod(0o640)
    before = page.read_bytes()
    result = run(command, site, *(["-r", rules] if command == "inject" else []))
    assert result.exit_code == 0
    assert page.read_bytes() != before
    status = page.stat()
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (
        WWW_DATA,
        WWW_DATA,
        0o640,
    )


def test_an_owner_the_process_may_not_set_is_a_warning_and_the_group_is_still_kept(
    site, rules, monkeypatch
):
    page = site / "index.html"
    os.chown(page, WWW_DATA, WWW_DATA)
    real_fchown = os.fchown

    def not_root(descriptor, uid, gid):
        if uid not in (-1, os.geteuid()):
            raise PermissionError(1, "Operation not permitted")
        return real_fchown(descriptor, uid, gid)

    monkeypatch.setattr(os, "fchown", not_root)
    report = inject_site(site, load_rules(rules), jobs=1)
    status = page.stat()
    assert (status.st_uid, status.st_gid) == (os.geteuid(), WWW_DATA)
    (home,) = [page for page in report.pages if page.path == "/index.html"]
    assert home.status == "injected"
    assert home.file_warning == (
        f"its owner could not be kept (it was uid {WWW_DATA}, gid {WWW_DATA}; it is now uid "
        f"{os.geteuid()}, gid {WWW_DATA}): make sure the web server can still read it"
    )


def test_a_page_with_several_hard_links_is_a_warning(site, rules, tmp_path):
    os.link(site / "blog/post.html", tmp_path / "post-elsewhere.html")
    result = run("inject", site, "-r", rules, "--json")
    warning = (
        "the file had 2 hard links: this name now has the new content, the other 1 "
        "keeps the old (pages are replaced, not edited in place)"
    )
    assert pages_of(result)["/blog/post.html"]["file_warning"] == warning
    assert pages_of(result)["/index.html"]["file_warning"] == ""
    assert (tmp_path / "post-elsewhere.html").read_text() == PAGES["blog/post.html"]
    # The text report says it on standard error.
    os.link(site / "index.html", tmp_path / "index-elsewhere.html")
    rules.write_text(CHANGED_RULES)
    text = run("inject", site, "-r", rules)
    assert f"Warning: /index.html: {warning}\n" in text.stderr


# --- --base-url -----------------------------------------------------------------------

ACCEPTED = (
    "give an absolute http(s) URL (https://cdn.example/site/), a protocol-relative "
    "URL (//cdn.example/site/) or an absolute path (/docs/)"
)


@pytest.mark.parametrize(
    "base_url, problem",
    [
        ('https://cdn.example/x" onload="alert(1)', "'\"' cannot appear in a URL"),
        ("/docs/<script>", "'<' cannot appear in a URL"),
        ("/my docs/", "' ' cannot appear in a URL"),
        ("/docs/\n", "'\\n' cannot appear in a URL"),
        ("javascript:alert(1)//", "a 'javascript:' URL cannot load the bundle"),
        ("data:text/javascript,alert(1)//", "a 'data:' URL cannot load the bundle"),
        ("docs/", "a relative path means a different folder on each page"),
        ("https://", "the URL has no host"),
        ("//", "the URL has no host"),
        ("https:/docs/", "the URL has no host"),
        ("https://cdn.example/x?v=1", "a query or fragment would come before the file name"),
        ("/docs/#top", "a query or fragment would come before the file name"),
        ("/dócs/", "'ó' is not ASCII; percent-encode it (host names in their xn-- form)"),
    ],
)
def test_a_base_url_that_is_not_a_url_is_refused_and_nothing_is_written(
    site, rules, base_url, problem
):
    before = snapshot(site)
    result = run("inject", site, "-r", rules, "--external", "--base-url", base_url)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: --base-url {base_url!r}: {problem}; {ACCEPTED}\n")
    assert snapshot(site) == before
    with pytest.raises(RtpSnippetsError, match=re.escape(f"{problem}; {ACCEPTED}")):
        inject_site(site, load_rules(rules), external=True, base_url=base_url)
    assert snapshot(site) == before


@pytest.mark.parametrize(
    "base_url, prefix",
    [
        ("https://cdn.example/site/", "https://cdn.example/site/"),
        ("http://cdn.example", "http://cdn.example/"),
        ("HTTPS://cdn.example/", "HTTPS://cdn.example/"),
        ("//cdn.example/site", "//cdn.example/site/"),
        ("/docs/", "/docs/"),
        ("/", "/"),
        ("/R&D/", "/R&D/"),
        ("/a&copy/", "/a&copy/"),
        ("/it's/", "/it's/"),
        ("/%E2%9C%93/", "/%E2%9C%93/"),
    ],
)
def test_a_base_url_reaches_the_browser_exactly_as_given(site, rules, base_url, prefix):
    import html5lib

    result = run("inject", site, "-r", rules, "--external", "--base-url", base_url)
    assert result.exit_code == 0, result.output
    document = html5lib.parse((site / "blog/post.html").read_bytes(), namespaceHTMLElements=False)
    (script,) = document.iter("script")
    src = script.get("src")
    assert src.startswith(prefix) and src[len(prefix) :] in bundle_files(site), src
    assert set(script.attrib) == {"data-rtp-snippets", "src", "integrity", "crossorigin", "defer"}


# --- Nothing lost, second round: odd file systems ---------------------------------------


def test_a_lock_file_hard_linked_to_another_file_is_refused_and_the_file_kept(
    site, rules, tmp_path
):
    # O_NOFOLLOW refuses a symbolic link, not a second name of another file's data.
    precious = tmp_path / "precious.txt"
    precious.write_text("the user's own file\n")
    os.link(precious, site / LOCK)
    before = snapshot(site)
    result = run("inject", site, "-r", rules)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {site / LOCK}: the lock file has 2 names (hard links): it may be another "
        "file's; delete it if no rtp-snippets run is working on this site\n"
    )
    assert precious.read_text() == "the user's own file\n"
    assert snapshot(site) == before


def test_a_rules_file_larger_than_the_limit_is_one_error(tmp_path):
    from rtp_snippets.load import MAX_RULES_BYTES

    big = tmp_path / "rtp-rules.yml"
    big.write_text("rules:\n" + "# padding\n" * (MAX_RULES_BYTES // 10 + 1))
    result = run("build", "-r", big)
    assert (result.exit_code, result.stderr) == (
        1,
        (
            f"Error: {big}: the rules file is larger than {MAX_RULES_BYTES // 1_000_000} MB, more "
            "than a rules file holds; is it the right file?\n"
        ),
    )


def test_rules_read_from_a_device_stop_at_the_limit(tmp_path):
    # /dev/zero never ends: read whole, it took every byte of memory (under ulimit -v, a
    # MemoryError traceback). Read up to the limit, it is an error in a moment.
    result = subprocess.run(
        command("build", "-r", "/dev/zero"), capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: /dev/zero: ")
    assert "Traceback" not in result.stderr


def test_a_folder_named_like_the_bundle_file_is_one_error(site, rules):
    planned = inject_site(site, load_rules(rules), external=True, check=True)
    name = f"rtp-snippets.{planned.bundles[0].sha256[:16]}.js"
    (site / name).mkdir()
    before = snapshot(site)
    result = run("inject", site, "-r", rules, "--external")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {site / name}: cannot write the bundle file: it is a folder; "
        "move it away and run inject again\n"
    )
    assert snapshot(site) == before and not (site / LOCK).exists()


def test_a_page_with_a_name_of_255_bytes_is_injected(site, rules):
    # The temporary file beside the page must fit the file system's 255-byte names too.
    name = "页" * 80 + ".html"  # 245 bytes in UTF-8
    (site / name).write_text(PAGES["index.html"])
    result = run("inject", site, "-r", rules, "--json")
    page = pages_of(result)["/" + name]
    assert page["status"] == "injected", page
    assert b"data-rtp-snippets" in (site / name).read_bytes()


def test_a_page_another_process_replaced_during_the_run_is_left_alone(site, rules, monkeypatch):
    # Another process renames a new version over the page after inject read it and before
    # it writes its own: the new version must stay, and the run says so.
    import rtp_snippets.site as site_module

    write = site_module.write_atomic
    page = site / "index.html"

    def replaced_first(path, *args, **kwargs):
        if Path(path) == page:
            newer = site / "index.html.new"
            newer.write_text("<html><body>the newer version</body></html>")
            os.replace(newer, page)
        return write(path, *args, **kwargs)

    monkeypatch.setattr(site_module, "write_atomic", replaced_first)
    report = inject_site(site, load_rules(rules), atomic=True, jobs=1)
    assert page.read_text() == "<html><body>the newer version</body></html>"
    (result,) = [result for result in report.pages if result.path == "/index.html"]
    assert (result.status, result.reason) == (
        "skipped",
        "the page was replaced during the run; run inject again",
    )
