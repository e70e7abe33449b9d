"""Where html5lib, the spec-compliant judge, finds our script in an injected page."""

from __future__ import annotations

import html5lib

from rtp_snippets import RtpTag, Rule, RuleSet, build_bundle
from rtp_snippets.render import build_rtp_tag

# A value that would end the script early, or open a comment, if it were not escaped.
BUNDLE = build_bundle(
    RuleSet(
        (
            Rule(
                event="click",
                selector="#download-whitepaper",
                send="download - example whitepaper </script> <!--",
            ),
        )
    )
)
TAG = build_rtp_tag(RtpTag(account="mktoname", script="//rtp.example/rtp-api/v1/rtp.js"))


def parse(page: bytes):
    """The page as html5lib builds it for a browser that runs scripts."""
    return html5lib.HTMLParser(namespaceHTMLElements=False).parse(page, scripting=True)


def placement_problem(document, where: str, kind: str = "bundle") -> str | None:
    """None when the parsed page (``parse``) has exactly our script, as HTML, inside
    <where>, outside templates."""
    parents = {child: parent for parent in document.iter() for child in parent}
    found = [element for element in document.iter() if element.get("data-rtp-snippets") == kind]
    if len(found) != 1:
        return f"{len(found)} scripts found"
    script = found[0]
    if script.tag != "script":
        return f"the script is {script.tag}"
    if script.text != (BUNDLE if kind == "bundle" else TAG).code:
        return "the script text differs from the bundle"
    if kind == "rtp-tag" and next(document.iter("script")) is not script:
        return "the RTP tag is not the first script"
    ancestors = []
    node = script
    while node in parents:
        node = parents[node]
        ancestors.append(node.tag)
    if where not in ancestors or "template" in ancestors:
        return f"ancestors {ancestors}"
    return None
