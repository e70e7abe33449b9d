"""What the tests share: imported as ``support.*`` (pyproject puts tests/ on sys.path).

- ``support.browser``: Chromium's path and flags, pages served through Playwright's
  request routing (``Site``, ``serve_folder``), the ``rtp`` spy and waiting on a condition.
- ``support.contexts``: the session's browser, whose contexts are cleaned and reused from
  test to test.
- ``support.cli``: the one way a test runs the CLI in process (``run``), and the command
  line for a child process where the process itself is under test (``command``).
- ``support.files``: sites written from a dict, golden files.
- ``support.properties``: the Hypothesis profiles and the case counts printed at the end.
- ``support.readme``: the README's shell blocks and running them.
- ``support.hostile``: the CLI on hostile rules files, and in a measured child process.
- ``support.placement``: where html5lib finds our script in an injected page.

Fixtures stay in tests/conftest.py; nothing here is a test or imports one.
"""
