# Makes templates/ the package rtp_snippets.templates (see pyproject.toml), so the
# Jinja templates ship inside the wheel and are found by importlib.resources.
