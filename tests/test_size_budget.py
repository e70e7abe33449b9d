"""The size budget: every bundle of benchmarks/bundle_size.py's BUDGETED, built now, is at
most 2 % over its gzip size in benchmarks/bundle-size.json (written by
`benchmarks/bundle_size.py --budget`). A change that makes a bundle bigger commits the new
budget with it, so the growth is seen and chosen, as size-limit and bundlemon do."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUDGET = json.loads((ROOT / "benchmarks" / "bundle-size.json").read_text(encoding="utf-8"))
ALLOWED_GROWTH = 0.02


def benchmark():
    spec = importlib.util.spec_from_file_location(
        "bundle_size", ROOT / "benchmarks" / "bundle_size.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUNDLE_SIZE = benchmark()


def test_the_budget_lists_every_budgeted_bundle():
    assert sorted(BUDGET["gzip"]) == sorted(BUNDLE_SIZE.BUDGETED)


@pytest.mark.parametrize("name", sorted(BUNDLE_SIZE.BUDGETED))
def test_the_bundle_is_within_its_budget(name):
    from rtp_snippets import build_bundle

    size = build_bundle(BUNDLE_SIZE.BUDGETED[name]()).gzip_size
    budget = BUDGET["gzip"][name]
    assert size <= budget * (1 + ALLOWED_GROWTH), (
        f"{name}: {size} B gzip, {size - budget:+d} B over the budget of {budget} B; if the "
        f"growth is meant, run benchmarks/bundle_size.py --budget and commit the new budget"
    )
