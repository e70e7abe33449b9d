"""`check` on large rule sets (issue 12, "check that never ends"): look-alike values
are one warning per group, warnings are capped per kind with a count of the rest, and the
groups are those that comparing every pair of values gives.

Time is measured by benchmarks/lint_speed.py; the timeout here only stops a hang.
"""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtp_snippets import load_rules
from rtp_snippets.lint import lint_rules
from support.hostile import measured
from support.properties import examples


def lint_messages(tmp_path, *lines: str) -> list[str]:
    path = tmp_path / "lint.rules"
    path.write_text("\n".join(lines) + "\n")
    return [f"{finding.level}: {finding.message}" for finding in lint_rules(load_rules(path))]


def test_similar_values_are_one_warning_listing_them(tmp_path):
    assert lint_messages(
        tmp_path,
        "on click #a send 'newsletter signup' once page",
        "on click #b send 'Newsletter Signup' once page",
        "on click #c send 'newsleter signup' once page",
        "on click #d send 'download' once page",
        "on click #e send 'newsletter-sign-up!' once page",
    ) == [
        "warning: values 'newsletter signup' (line 1), 'Newsletter Signup' (line 2), "
        "'newsleter signup' (line 3) and 'newsletter-sign-up!' differ only in case, spaces or "
        "punctuation, or are one or two letters apart (a typo?); RTP counts them as different "
        "events"
    ]


def test_a_large_group_of_similar_values_names_five_and_counts_the_rest(tmp_path):
    lines = [f"on click #a{index} send 'cta {index} - pricing' once page" for index in range(12)]
    assert lint_messages(tmp_path, *lines) == [
        "warning: values 'cta 0 - pricing' (line 1), 'cta 1 - pricing' (line 2), "
        "'cta 2 - pricing' (line 3), 'cta 3 - pricing' (line 4), 'cta 4 - pricing' and 7 more "
        "are one or two letters apart (a typo?); RTP counts them as different events"
    ]


def test_lint_warnings_are_capped_at_twenty_per_kind_with_a_count_of_the_rest(tmp_path):
    words = [hashlib.sha256(str(index).encode()).hexdigest()[:10] for index in range(30)]
    lines = []
    for word in words[:25]:  # a value and its upper case, sent on one selector
        lines += [
            f"on click #w{word} send '{word}' once page",
            f"on click #w{word} send '{word.upper()}' once page",
        ]
    lines += [f"on view send 'view {word}'" for word in words]
    messages = lint_messages(tmp_path, *lines)
    assert len(messages) == 21 + 21 + 21
    assert messages[0] == (
        f"warning: values '{words[0]}' (line 1) and '{words[0].upper()}' differ "
        "only in case, spaces or punctuation; RTP counts them as different "
        "events"
    )
    assert messages[20] == (
        "warning: 5 more groups of values that differ only in case, spaces "
        "or punctuation or by one or two letters are not shown"
    )
    assert messages[21] == (
        f"warning: line 1 also sends on click of '#w{words[0]}'; one click would send both"
    )
    assert messages[41] == "warning: 5 more selectors that several rules send on are not shown"
    assert messages[42] == (
        "warning: a 'view' rule without once sends again on every page load; "
        "add once: session (custom data events count once per session anyway)"
    )
    assert messages[62] == "warning: 10 more 'view' or 'visible' rules without once are not shown"


def test_rules_on_one_target_are_one_warning(tmp_path):
    assert lint_messages(
        tmp_path, *[f"on click #a send '{name}' once page" for name in ("alpha", "beta", "gamma")]
    ) == ["warning: lines 1 and 2 also send on click of '#a'; one click would send all 3"]


def levenshtein(first: str, second: str) -> int:
    previous = list(range(len(second) + 1))
    for row, char in enumerate(first, start=1):
        current = [row]
        for column, other in enumerate(second, start=1):
            current.append(
                min(
                    previous[column] + 1,
                    current[column - 1] + 1,
                    previous[column - 1] + (char != other),
                )
            )
        previous = current
    return previous[-1]


def pairwise_groups(values: list[str]) -> list[list[str]]:
    """The lint's meaning, pair by pair as it was first written: values that differ only in
    case, spaces or punctuation, or are at most two edits apart (case aside) when both are
    at least six characters long; then the groups these pairs connect, in file order."""
    from rtp_snippets.lint import _normalized

    group = list(range(len(values)))

    def find(index):
        while group[index] != index:
            index = group[index]
        return index

    for second, value in enumerate(values):
        for first in range(second):
            other = values[first]
            if _normalized(other) == _normalized(value) or (
                min(len(other), len(value)) >= 6 and levenshtein(other.lower(), value.lower()) <= 2
            ):
                group[find(second)] = find(first)
    groups: dict[int, list[str]] = {}
    for index, value in enumerate(values):
        groups.setdefault(find(index), []).append(value)
    return [members for members in groups.values() if len(members) > 1]


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.text(alphabet="abAB -.é", min_size=1, max_size=11), unique=True, max_size=30))
def test_similar_values_are_the_groups_that_comparing_every_pair_gives(values):
    from rtp_snippets.lint import similar_values

    assert [list(group.values) for group in similar_values(values)] == pairwise_groups(values)


@pytest.mark.slow
@pytest.mark.parametrize("count", [4000])
def test_check_of_thousands_of_similar_values_ends_with_few_warnings(tmp_path, count):
    # The rules of benchmarks/bundle_size.py: every value one or two letters from many others.
    (tmp_path / "site.rules").write_text(
        "".join(
            f"on click #cta-{index} send 'cta {index} - pricing page' once page\n"
            for index in range(count)
        )
    )
    result = measured(["check", "-r", "site.rules"], tmp_path)
    assert result["status"] == 0
    assert result["stdout"] == f"site.rules: {count} rules, 0 errors, 1 warning\n"
    assert result["stderr"].startswith(
        "site.rules:5:1: warning: values 'cta 0 - pricing page' "
        "(line 1), 'cta 1 - pricing page' (line 2), "
    )
    assert result["stderr"].endswith(
        f" and {count - 5} more are one or two letters apart "
        "(a typo?); RTP counts them as different events\n"
    )
