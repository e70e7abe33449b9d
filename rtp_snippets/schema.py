"""A JSON Schema of ``rtp-rules.yml`` for editors (yaml-language-server and others).

It describes the shape of the file; ``load_rules`` remains the judge of what is
valid (selectors, placeholders and globs are checked there, with positions).
"""

from __future__ import annotations

from .model import (
    CLIENT_NAVIGATION,
    CONSENT_KEYS,
    CONSENT_PLATFORMS,
    COOKIEBOT_CATEGORIES,
    EVENTS,
    NAVIGATION,
    ONCE,
    SELECTOR_FORBIDDEN,
    SELECTOR_REQUIRED,
)

_STRINGS = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
    ]
}

_PERCENT = {"type": "integer", "minimum": 1, "maximum": 100}


def rules_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a YAML rules file."""
    properties = {
        "name": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9_.:-]*$",
            "description": "A name for the rule, unique in the file.",
        },
        "event": {
            "enum": list(EVENTS),
            "description": "When the rule fires.",
            "markdownEnumDescriptions": list(EVENTS.values()),
        },
        "selector": {
            "type": "string",
            "minLength": 1,
            "description": "A CSS selector the browser runs with closest().",
        },
        "send": {
            **_STRINGS,
            "description": "The value, or list of values, sent to rtp(). "
            "Placeholders: {text}, {attr:NAME}, {path}, {query:NAME}, {host}, {title}, "
            "{percent} (scroll); "
            "{{ and }} are braces.",
        },
        "pages": {**_STRINGS, "description": "Page globs where the rule applies, e.g. /blog/**."},
        "exclude": {**_STRINGS, "description": "Page globs where the rule does not apply."},
        "once": {"enum": list(ONCE), "description": "Send at most once per page or per session."},
        "percent": {
            "oneOf": [
                _PERCENT,
                {"type": "array", "items": _PERCENT, "minItems": 1, "uniqueItems": True},
            ],
            "description": "scroll: the depth that fires the rule, or a list of depths "
            "(each fires once; {percent} sends it). visible: the share of the element "
            "that must be in view.",
        },
        "seconds": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 86400,
            "description": "timer: seconds on the page before the rule fires. visible: "
            "seconds the element must stay in view.",
        },
        "link": {
            "type": "string",
            "minLength": 1,
            "pattern": "^(outbound$|file$|\\*|[A-Za-z][A-Za-z0-9+.-]*:)[^?#\\s]*$",
            "description": "click: only links (a[href], area[href]) whose URL, without "
            "?query and #fragment, matches this glob (* is any run of characters, case is "
            "ignored), e.g. *.pdf; or outbound: links to another host; or file: links to "
            "a file that is not a page (PDF, office documents, archives, images, media).",
        },
        "dynamic": {
            "type": "boolean",
            "description": "The elements are made by page scripts: inject --prune "
            "keeps the rule on every page it applies to.",
        },
    }
    mapping = {
        "type": "object",
        "properties": properties,
        "required": ["event", "send"],
        "additionalProperties": False,
        "allOf": [
            _when(
                sorted(SELECTOR_REQUIRED - {"click"}),
                {"required": ["selector"]},
            ),
            _when(["click"], {"anyOf": [{"required": ["selector"]}, {"required": ["link"]}]}),
            _when(_other_events("click"), {"not": {"required": ["link"]}}),
            _when(sorted(SELECTOR_FORBIDDEN), {"not": {"required": ["selector"]}}),
            _when(["scroll"], {"required": ["percent"]}),
            _when(["visible"], {"properties": {"percent": _PERCENT}}),
            _when(_other_events("scroll", "visible"), {"not": {"required": ["percent"]}}),
            _when(["timer"], {"required": ["seconds"]}),
            _when(_other_events("timer", "visible"), {"not": {"required": ["seconds"]}}),
        ],
    }
    one_line = {
        "type": "string",
        "pattern": "^\\s*on\\s",
        "description": "A one-line rule: on EVENT [SELECTOR] send 'VALUE' [clauses].",
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "rtp-snippets rules",
        "type": "object",
        "properties": {
            "rtp": {
                "type": "object",
                "description": "Inject Marketo's RTP tag into pages that lack one (inject).",
                "properties": {
                    "account": {"type": "string", "description": "The aid from your RTP tag."},
                    "script": {
                        "type": "string",
                        "pattern": "^(https:)?//",
                        "description": "The rtp.js URL from your RTP tag.",
                    },
                },
                "required": ["account", "script"],
                "additionalProperties": False,
            },
            "navigation": {
                "enum": list(NAVIGATION),
                "description": "What happens to calls made while the page is leaving.",
                "markdownEnumDescriptions": list(NAVIGATION.values()),
            },
            "client_navigation": {
                "enum": list(CLIENT_NAVIGATION),
                "description": "Whether the site changes pages without loading them "
                "(history.pushState).",
                "markdownEnumDescriptions": list(CLIENT_NAVIGATION.values()),
            },
            "consent": _consent_schema(),
            "rules": {"type": "array", "items": {"oneOf": [one_line, mapping]}},
        },
        "required": ["rules"],
        "additionalProperties": False,
    }


def _one_or_more(item: dict) -> dict:
    return {"oneOf": [item, {"type": "array", "items": item, "minItems": 1, "uniqueItems": True}]}


COOKIEBOT = list(COOKIEBOT_CATEGORIES)
_COOKIE_VALUE_PATTERN = "^[\\u0021\\u0023-\\u002b\\u002d-\\u003a\\u003c-\\u005b\\u005d-\\u007e]+$"


def _consent_schema() -> dict:
    """``consent:``: a platform and its own settings (CONSENT_KEYS), plus script."""
    settings = {
        "groups": _one_or_more({"type": "string", "pattern": "^[A-Za-z0-9_-]+$"}),
        "categories": _one_or_more({"type": "string", "pattern": "^[A-Za-z0-9_.:-]+$"}),
        "purposes": _one_or_more({"type": "integer", "minimum": 1, "maximum": 11}),
        "vendors": _one_or_more({"type": "integer", "minimum": 1, "maximum": 65535}),
        "services": _one_or_more({"type": "string", "pattern": "^[A-Za-z0-9_.:-]+$"}),
        "cookie": {"type": "string", "description": "The consent cookie's name."},
        "field": {
            "type": "string",
            "pattern": "^[^.\\s]+(\\.[^.\\s]+)*$",
            "description": "A field of the cookie's value read as JSON (a.b): a list that "
            "must hold value, or without value, true.",
        },
        "value": {
            "type": "string",
            "minLength": 1,
            "description": "With field: the entry the field's list must hold. Without: a "
            "glob for the cookie's value ('*': any characters), which never grants a "
            "cookie holding JSON.",
        },
        "flag": {
            "type": "string",
            "pattern": "^[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*$",
            "description": "A window property (a.b.c): true grants, false refuses.",
        },
        "event": {
            "type": "string",
            "pattern": "^[A-Za-z0-9_.:-]+$",
            "description": "A DOM event after which consent is looked at again.",
        },
    }
    required = {
        "onetrust": ["groups"],
        "cookiebot": ["categories"],
        "cookieconsent": ["categories"],
        "klaro": ["services"],
        "cookie": ["cookie"],
        "flag": ["flag"],
    }
    # What one platform asks more of a setting than the others.
    narrower: dict[str, dict] = {
        "cookiebot": {"properties": {"categories": _one_or_more({"enum": COOKIEBOT})}},
        # A glob is matched against the raw value: characters a cookie value can hold.
        "cookie": {
            "anyOf": [
                {"required": ["field"]},
                {
                    "required": ["value"],
                    "properties": {"value": {"pattern": _COOKIE_VALUE_PATTERN}},
                },
            ]
        },
    }
    conditions = []
    for platform, keys in CONSENT_KEYS.items():
        others = [key for key in settings if key not in keys]
        then: dict = {"not": {"anyOf": [{"required": [key]} for key in others]}}
        then.update(narrower.get(platform, {}))
        if platform in required:
            then["required"] = required[platform]
        elif platform == "tcf":
            then["anyOf"] = [{"required": ["purposes"]}, {"required": ["vendors"]}]
        conditions.append(
            {
                "if": {"properties": {"platform": {"const": platform}}},
                "then": then,
            }
        )
    return {
        "type": "object",
        "description": "What the visitor must grant before any rule sends (and an injected "
        "RTP tag loads rtp.js).",
        "properties": {
            "platform": {
                "enum": list(CONSENT_PLATFORMS),
                "markdownEnumDescriptions": list(CONSENT_PLATFORMS.values()),
            },
            **settings,
            "script": {
                "type": "string",
                "minLength": 1,
                "description": "A CSS selector for the platform's script, which check --site "
                "looks for on every page.",
            },
        },
        "required": ["platform"],
        "additionalProperties": False,
        "allOf": conditions,
    }


def _other_events(*events: str) -> list[str]:
    return [event for event in EVENTS if event not in events]


def _when(events: list[str], then: dict, otherwise: dict | None = None) -> dict:
    condition = {
        "if": {"properties": {"event": {"enum": events}}, "required": ["event"]},
        "then": then,
    }
    if otherwise is not None:
        condition["else"] = otherwise
    return condition
