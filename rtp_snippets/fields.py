"""Stage 2, fields: the fields of a rule and the settings of ``consent:``, one table each.

Everything that names a field is derived from these tables: the keys the YAML reader
accepts (and which of them take a list), the clauses of the one-line form, the JSON
Schema, and the checks of which events (for consent: which platforms) allow or need a
field. Adding a field is one row here, plus its typed attribute on ``Rule`` or
``Consent`` (and, for a new kind of value, its check in the model).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Literal

# When a rule fires, with what the JSON Schema shows for each event.
EVENTS = {
    "click": "an element matching the selector, or anything inside it, is clicked; with "
    "`link`, a link whose URL matches",
    "submit": "a form matching the selector is submitted",
    "view": "the page loads (with a selector: only pages where it matches)",
    "visible": "an element matching the selector enters the viewport (once per element); "
    "with `percent` and `seconds`, at least that share of it for at least that long",
    "scroll": "the page is scrolled down to `percent` of its height (each depth once)",
    "timer": "`seconds` have passed since the page loaded",
}
ONCE = ("page", "session")

# Consent platforms: what must be granted before any rule sends (and before an injected
# RTP tag loads rtp.js). Each is read through the platform's documented browser API.
CONSENT_PLATFORMS = {
    "onetrust": "OneTrust: every group in `groups` is in OnetrustActiveGroups "
    "(re-checked on OneTrustGroupsUpdated)",
    "cookiebot": "Cookiebot: every category in `categories` is true in Cookiebot.consent "
    "(re-checked on CookiebotOnAccept, CookiebotOnDecline and CookiebotOnConsentReady)",
    "tcf": "IAB TCF v2 (any CMP with __tcfapi): every purpose in `purposes` and vendor in "
    "`vendors` has consent, or GDPR does not apply",
    "cookieconsent": "vanilla-cookieconsent 3: every category in `categories` is accepted "
    "(CookieConsent.acceptedCategory; re-checked on cc:onConsent and cc:onChange)",
    "klaro": "Klaro: the visitor has saved a choice that consents to every service in "
    "`services` (manager.confirmed, getConsent; re-checked when consents are saved)",
    "cookie": "a cookie named `cookie`: with `field`, its value read as JSON, where the field "
    "is a list holding `value` (or, without `value`, is true); without `field`, its value "
    "matches the glob `value`, which never grants a cookie holding JSON (re-checked on "
    "cookie changes and on `event`)",
    "flag": "a window property `flag` (a.b.c) that the site's script set to true; false "
    "refuses; anything else (an element of that name, a string, an object) is no answer "
    "(re-checked on `event`)",
}

# Patterns and limits that both the model's checks and the JSON Schema use. A pattern is
# written without anchors: the model adds \Z, the schema ^ and $.
NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9_.:-]*"
MAX_SECONDS = 24 * 60 * 60
GROUP_PATTERN = "[A-Za-z0-9_-]+"
# A vanilla-cookieconsent category or a Klaro service: the names their configurations use.
CONSENT_NAME_PATTERN = "[A-Za-z0-9_.:-]+"
FLAG_PATTERN = r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*"
EVENT_NAME_PATTERN = "[A-Za-z0-9_.:-]+"
# The characters a cookie value can hold (RFC 6265 cookie-octet).
COOKIE_VALUE_CHARACTERS = r"\u0021\u0023-\u002b\u002d-\u003a\u003c-\u005b\u005d-\u007e"
TCF_PURPOSES = 11
TCF_VENDORS = 65535

Kind = Literal["text", "choice", "integer", "number", "flag"]


@dataclass(frozen=True)
class Field:
    """One field of a rule (or setting of ``consent:``).

    ``kind`` is the type of one value: text, a choice of ``choices``, an integer, a
    number or a flag (true or false). ``many``: it also takes a list, kept as a tuple;
    ``unique``: whose items must differ. ``schema``: the JSON Schema keywords of one
    value besides its type; ``help``: its description.

    ``allowed_by``: the events (consent: platforms) that allow it, None for all;
    ``needed_by``: those that need it; ``instead``: a field that, where the event allows
    it, may be given in its place, with the message when neither is; ``one_for``: events
    where a list field takes one value. ``missing`` and ``refused`` are the messages when
    a needed field is missing or a field is given where it is not allowed; ``{event}``
    stands for the event. ``required``: every rule (consent section) needs it.

    ``clause``: its place among the one-line form's clauses (0: written elsewhere in the
    line, or not at all); ``follows``: what comes after the clause's keyword.
    """

    name: str
    kind: Kind
    help: str = ""
    schema: Mapping[str, object] = dataclass_field(default_factory=dict)
    choices: tuple[str, ...] = ()
    many: bool = False
    unique: bool = False
    required: bool = False
    allowed_by: tuple[str, ...] | None = None
    needed_by: tuple[str, ...] = ()
    instead: tuple[str, str] | None = None
    one_for: tuple[str, ...] = ()
    missing: str = ""
    refused: str = ""
    clause: int = 0
    follows: str = ""


RULE_FIELDS = (
    Field(
        "name",
        "text",
        help="A name for the rule, unique in the file.",
        schema={"pattern": f"^{NAME_PATTERN}$"},
        clause=4,
        follows="the rule's name",
    ),
    Field(
        "event",
        "choice",
        help="When the rule fires.",
        schema={"markdownEnumDescriptions": list(EVENTS.values())},
        choices=tuple(EVENTS),
        required=True,
    ),
    Field(
        "selector",
        "text",
        help="A CSS selector the browser runs with closest().",
        schema={"minLength": 1},
        allowed_by=("click", "submit", "view", "visible"),
        needed_by=("click", "submit", "visible"),
        instead=(
            "link",
            "a '{event}' rule needs a selector or a link, "
            'e.g. selector: "#download-whitepaper" or link: "*.pdf"',
        ),
        missing="a '{event}' rule needs a selector, e.g. selector: \"#download-whitepaper\"",
        refused="a '{event}' rule has no selector; remove it",
    ),
    Field(
        "send",
        "text",
        help="The value, or list of values, sent to rtp(). "
        "Placeholders: {text}, {attr:NAME}, {path}, {query:NAME}, {host}, {title}, "
        "{percent} (scroll); "
        "{{ and }} are braces.",
        schema={"minLength": 1},
        many=True,
        required=True,
    ),
    Field(
        "pages",
        "text",
        help="Page globs where the rule applies, e.g. /blog/**.",
        schema={"minLength": 1},
        many=True,
        clause=2,
        follows="a page glob such as /blog/**",
    ),
    Field(
        "exclude",
        "text",
        help="Page globs where the rule does not apply.",
        schema={"minLength": 1},
        many=True,
        clause=3,
        follows="a page glob such as /blog/**",
    ),
    Field(
        "once",
        "choice",
        help="Send at most once per page or per session.",
        choices=ONCE,
        clause=1,
        follows="'page' or 'session'",
    ),
    Field(
        "percent",
        "integer",
        help="scroll: the depth that fires the rule, or a list of depths "
        "(each fires once; {percent} sends it). visible: the share of the element "
        "that must be in view.",
        schema={"minimum": 1, "maximum": 100},
        many=True,
        unique=True,
        allowed_by=("scroll", "visible"),
        needed_by=("scroll",),
        one_for=("visible",),
        missing="a '{event}' rule needs percent: 1 to 100, or a list such as [25, 50, 75, 100]",
        refused="percent is only for 'scroll' rules (depths) and 'visible' rules (the share "
        "of the element in view); remove it",
    ),
    Field(
        "seconds",
        "number",
        help="timer: seconds on the page before the rule fires. visible: "
        "seconds the element must stay in view.",
        schema={"exclusiveMinimum": 0, "maximum": MAX_SECONDS},
        allowed_by=("timer", "visible"),
        needed_by=("timer",),
        missing="a '{event}' rule needs seconds, e.g. seconds: 30",
        refused="seconds is only for 'timer' rules and 'visible' rules (how long the element "
        "stays in view); for a delay after the page loads write event: timer",
    ),
    Field(
        "link",
        "text",
        help="click: only links (a[href], area[href]) whose URL, without "
        "?query and #fragment, matches this glob (* is any run of characters, case is "
        "ignored), e.g. *.pdf; or outbound: links to another host; or file: links to "
        "a file that is not a page (PDF, office documents, archives, images, media).",
        schema={
            "minLength": 1,
            "pattern": "^(outbound$|file$|\\*|[A-Za-z][A-Za-z0-9+.-]*:)[^?#\\s]*$",
        },
        allowed_by=("click",),
        refused="link is only for 'click' rules; for other events select the links with a "
        "CSS selector such as a[href$='.pdf']",
    ),
    Field(
        "dynamic",
        "flag",
        help="The elements are made by page scripts: inject --prune "
        "keeps the rule on every page it applies to.",
        clause=5,
    ),
)

# The settings of consent:, in the same shape; allowed_by and needed_by name platforms.
CONSENT_FIELDS = (
    Field(
        "platform",
        "choice",
        schema={"markdownEnumDescriptions": list(CONSENT_PLATFORMS.values())},
        choices=tuple(CONSENT_PLATFORMS),
        required=True,
    ),
    Field(
        "groups",
        "text",
        schema={"pattern": f"^{GROUP_PATTERN}$"},
        many=True,
        unique=True,
        allowed_by=("onetrust",),
        needed_by=("onetrust",),
    ),
    Field(
        "categories",
        "text",
        schema={"pattern": f"^{CONSENT_NAME_PATTERN}$"},
        many=True,
        unique=True,
        allowed_by=("cookiebot", "cookieconsent"),
        needed_by=("cookiebot", "cookieconsent"),
    ),
    Field(
        "purposes",
        "integer",
        schema={"minimum": 1, "maximum": TCF_PURPOSES},
        many=True,
        unique=True,
        allowed_by=("tcf",),
        needed_by=("tcf",),
        instead=(
            "vendors",
            f"tcf needs purposes (1 to {TCF_PURPOSES}) or vendors, e.g. purposes: [1]",
        ),
    ),
    Field(
        "vendors",
        "integer",
        schema={"minimum": 1, "maximum": TCF_VENDORS},
        many=True,
        unique=True,
        allowed_by=("tcf",),
    ),
    Field(
        "services",
        "text",
        schema={"pattern": f"^{CONSENT_NAME_PATTERN}$"},
        many=True,
        unique=True,
        allowed_by=("klaro",),
        needed_by=("klaro",),
    ),
    Field(
        "cookie",
        "text",
        help="The consent cookie's name.",
        allowed_by=("cookie",),
        needed_by=("cookie",),
    ),
    Field(
        "field",
        "text",
        help="A field of the cookie's value read as JSON (a.b): a list that "
        "must hold value, or without value, true.",
        # Looser than the model's check, which also refuses control characters.
        schema={"pattern": "^[^.\\s]+(\\.[^.\\s]+)*$"},
        allowed_by=("cookie",),
    ),
    Field(
        "value",
        "text",
        help="With field: the entry the field's list must hold. Without: a "
        "glob for the cookie's value ('*': any characters), which never grants a "
        "cookie holding JSON.",
        schema={"minLength": 1},
        allowed_by=("cookie",),
    ),
    Field(
        "flag",
        "text",
        help="A window property (a.b.c): true grants, false refuses.",
        schema={"pattern": f"^{FLAG_PATTERN}$"},
        allowed_by=("flag",),
        needed_by=("flag",),
    ),
    Field(
        "event",
        "text",
        help="A DOM event after which consent is looked at again.",
        schema={"pattern": f"^{EVENT_NAME_PATTERN}$"},
        allowed_by=("cookie", "flag"),
    ),
    Field(
        "script",
        "text",
        help="A CSS selector for the platform's script, which check --site "
        "looks for on every page.",
        schema={"minLength": 1},
    ),
)

RULE_FIELD = {field.name: field for field in RULE_FIELDS}
CONSENT_FIELD = {field.name: field for field in CONSENT_FIELDS}
# What each platform takes, in table order: its first setting is what the items after
# the platform's name fill in a .rules file's consent line.
PLATFORM_SETTINGS = {
    platform: tuple(
        field.name
        for field in CONSENT_FIELDS
        if field.allowed_by is not None and platform in field.allowed_by
    )
    for platform in CONSENT_PLATFORMS
}


def given(value: object) -> bool:
    """Whether a field holds a value (None and an empty list are no value)."""
    return value is not None and value != ()
