# The package rtp_snippets.templates: the Jinja templates and the runtime's partials
# (runtime/*.js) ship inside the wheel as its data and are found by importlib.resources.
