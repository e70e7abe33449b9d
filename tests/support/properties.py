"""The case counts of the property tests (Hypothesis), printed after a run."""

from __future__ import annotations

# Case counts of the property tests, printed at the end of the run (tests/conftest.py).
CASE_COUNTS: dict[str, int] = {}
