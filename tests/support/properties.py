"""Property tests (Hypothesis): two profiles, and the case counts printed after a run.

The everyday command (``.venv/bin/python -m pytest``) runs the ``quick`` profile; the
slow job in ``.ci/run`` runs the property tests again with ``--hypothesis-profile
thorough``. A test states how many examples it runs under the thorough profile through
``examples``; the quick profile runs a tenth of that.
"""

from __future__ import annotations

from hypothesis import settings

QUICK = "quick"
THOROUGH = "thorough"
# Under the quick profile a test runs this share of its thorough examples, at least MINIMUM.
QUICK_SHARE = 10
MINIMUM = 10

# No deadline: a browser round trip on a loaded CI machine takes what it takes.
settings.register_profile(THOROUGH, deadline=None)
settings.register_profile(QUICK, deadline=None, max_examples=MINIMUM)

# Case counts of the property tests, printed at the end of the run (tests/conftest.py).
CASE_COUNTS: dict[str, int] = {}


def examples(thorough: int, quick: int | None = None) -> int:
    """The number of examples for a test that runs ``thorough`` under the thorough
    profile, and ``quick`` (by default a tenth) under the quick one. Read when the test
    is defined, after pytest has loaded the profile."""
    if settings.get_current_profile_name() == THOROUGH:
        return thorough
    return quick if quick is not None else max(MINIMUM, thorough // QUICK_SHARE)
