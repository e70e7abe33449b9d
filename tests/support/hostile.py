"""Helpers of the tests on hostile input: the CLI run on a rules file as a terminal sees
it, or in a child process that a timeout stops, with the memory it took."""

import json
import subprocess
import sys
import textwrap

from support.cli import run, with_plain_labels

EVENTS = "click, submit, view, visible, scroll, timer"
# Generous: the goals are around a second (benchmarks/); this only stops a hang.
HANG = 60


def invoke(tmp_path, monkeypatch, content, name="rtp-rules.yml", args=("check",)):
    """The CLI on a rules file written as is (str as UTF-8, or bytes), as a terminal sees it:
    color=True keeps the escape sequences click strips from output that is not a terminal;
    only the colour of the ``Error:`` and ``Warning:`` labels is taken out."""
    monkeypatch.chdir(tmp_path)
    data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
    (tmp_path / name).write_bytes(data)
    return with_plain_labels(run(*args, "-r", name, color=True))


def measured(args, cwd) -> dict:
    """Run ``python -m rtp_snippets ARGS`` in a child process; its exit status, output and
    peak memory (ru_maxrss of that child alone, measured by a parent of its own)."""
    parent = textwrap.dedent("""
        import json, resource, subprocess, sys
        child = subprocess.run([sys.executable, "-m", "rtp_snippets", *sys.argv[2:]],
                               capture_output=True, text=True, timeout=int(sys.argv[1]))
        print(json.dumps({"status": child.returncode, "stdout": child.stdout,
                          "stderr": child.stderr,
                          "megabytes": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                          / 1024}))
        """)
    result = subprocess.run(
        [sys.executable, "-c", parent, str(HANG), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=HANG + 30,
        check=True,
    )
    return json.loads(result.stdout)
