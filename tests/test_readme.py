"""Every shell command in README.md and docs/ runs, word for word, from the repository root.

How the blocks are marked and run: tests/support/readme.py.
"""

from pathlib import Path

import pytest

from support import readme

BLOCKS = [block for block in readme.blocks() if block.kind != "set-up"]


@pytest.mark.parametrize("path", readme.documents(), ids=lambda path: path.name)
def test_every_shell_block_is_marked(path):
    assert readme.unmarked_shell_blocks(path.read_text(encoding="utf-8")) == []


def test_the_set_up_comes_first_and_only_in_the_readme():
    kinds = [block.kind for block in readme.blocks()]
    readme_kinds = [
        block.kind
        for block in readme.blocks((readme.ROOT / "README.md").read_text(encoding="utf-8"))
    ]
    assert readme_kinds[:2] == ["set-up", "set-up"] and "set-up" not in kinds[2:]
    assert {"run", "serve"} <= set(readme_kinds)  # the quick start runs and serves
    assert len(readme.documents()) > 10  # the documentation's pages are read too


@pytest.mark.parametrize(
    "index", range(len(BLOCKS)), ids=[block.commands.splitlines()[-1][:60] for block in BLOCKS]
)
def test_readme_command(readme_run, index):
    _, outcomes = readme_run
    outcome = outcomes[index]
    assert outcome.block == BLOCKS[index]
    assert outcome.status == 0, f"$ {outcome.block.commands}\n{outcome.output}"


def test_the_commands_leave_what_the_readme_says(readme_run):
    folder, outcomes = readme_run
    assert all(outcome.status == 0 for outcome in outcomes)
    build = folder / "build"
    assert (build / "rtp-snippets.js").read_text().startswith("(function(")
    assert (build / "rtp-rules.schema.json").is_file() and (build / "rtp-events.md").is_file()
    # inject, then remove, gives back the example site byte for byte.
    assert files(build / "site") == files(folder / "examples" / "site")
    # The preview server logged the request the test made.
    served = [outcome for outcome in outcomes if outcome.block.kind == "serve"]
    assert served and all("GET / 200 injected (" in outcome.output for outcome in served)
    for output in readme.BUILD_OUTPUTS:
        assert list((folder / "examples" / output).rglob("*.html")), output


def files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
