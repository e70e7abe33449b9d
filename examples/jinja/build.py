"""A static site from plain Jinja templates, with rtp_snippet() in the base template.

Run: python examples/jinja/build.py [OUTPUT]   (default: examples/jinja/_site)
"""

import sys
from pathlib import Path

import jinja2

from rtp_snippets.integrations.jinja import RtpSnippetsExtension

HERE = Path(__file__).resolve().parent
PAGES = {"/index.html": "Home", "/pricing/index.html": "Pricing"}


def build(output: Path) -> None:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        extensions=[RtpSnippetsExtension],
        autoescape=True,
    )
    environment.rtp_snippets_rules = str(HERE / "rtp-rules.yml")
    for path, title in PAGES.items():
        target = output / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(environment.get_template("page.html").render(title=title, path=path))


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "_site")
