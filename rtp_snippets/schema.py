"""Stage 4, schema: a JSON Schema of ``rtp-rules.yml`` for editors (yaml-language-server and
others).

It describes the shape of the file; ``load_rules`` remains the judge of what is
valid (selectors, placeholders and globs are checked there, with positions).
"""

from __future__ import annotations

from .fields import (
    CONSENT_FIELDS,
    COOKIE_VALUE_CHARACTERS,
    EVENTS,
    PLATFORM_SETTINGS,
    RULE_FIELD,
    RULE_FIELDS,
    Field,
)
from .model import CLIENT_NAVIGATION, COOKIEBOT_CATEGORIES, NAVIGATION, allows

_TYPES = {"text": "string", "integer": "integer", "number": "number", "flag": "boolean"}


def rules_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a YAML rules file."""
    mapping = {
        "type": "object",
        "properties": {spec.name: _property(spec) for spec in RULE_FIELDS},
        "required": [spec.name for spec in RULE_FIELDS if spec.required],
        "additionalProperties": False,
        "allOf": [condition for spec in RULE_FIELDS for condition in _event_conditions(spec)],
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


def _value(spec: Field) -> dict:
    """The schema of one value of the field."""
    if spec.kind == "choice":
        return {"enum": list(spec.choices), **spec.schema}
    return {"type": _TYPES[spec.kind], **spec.schema}


def _property(spec: Field) -> dict:
    """The schema of the field: one value, or for a list field a list of them too."""
    value = _value(spec)
    if spec.many:
        value = _one_or_more(value, spec.unique)
    return {**value, "description": spec.help} if spec.help else value


def _one_or_more(item: dict, unique: bool = True) -> dict:
    items = {"type": "array", "items": item, "minItems": 1}
    return {"oneOf": [item, {**items, "uniqueItems": True} if unique else items]}


def _event_conditions(spec: Field) -> list[dict]:
    """The field's conditions on the rule's event (Field.needed_by, allowed_by, one_for)."""
    conditions = []
    alone, either = [], []
    for event in spec.needed_by:
        if spec.instead is not None and allows(RULE_FIELD[spec.instead[0]], event):
            either.append(event)
        else:
            alone.append(event)
    if alone:
        conditions.append(_when(alone, {"required": [spec.name]}))
    if either and spec.instead is not None:
        needs = [{"required": [spec.name]}, {"required": [spec.instead[0]]}]
        conditions.append(_when(either, {"anyOf": needs}))
    if spec.one_for:
        conditions.append(_when(list(spec.one_for), {"properties": {spec.name: _value(spec)}}))
    if spec.allowed_by is not None:
        conditions.append(
            _when(_other_events(*spec.allowed_by), {"not": {"required": [spec.name]}})
        )
    return conditions


COOKIEBOT = list(COOKIEBOT_CATEGORIES)
_COOKIE_VALUE_PATTERN = f"^[{COOKIE_VALUE_CHARACTERS}]+$"


def _consent_schema() -> dict:
    """``consent:``: a platform and the settings it takes (PLATFORM_SETTINGS)."""
    settings = [spec.name for spec in CONSENT_FIELDS if spec.allowed_by is not None]
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
    for platform, keys in PLATFORM_SETTINGS.items():
        others = [key for key in settings if key not in keys]
        then: dict = {"not": {"anyOf": [{"required": [key]} for key in others]}}
        then.update(narrower.get(platform, {}))
        needed = [spec for spec in CONSENT_FIELDS if platform in spec.needed_by]
        if any(spec.instead is None for spec in needed):
            then["required"] = [spec.name for spec in needed if spec.instead is None]
        for spec in needed:
            if spec.instead is not None:
                then["anyOf"] = [{"required": [spec.name]}, {"required": [spec.instead[0]]}]
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
        "properties": {spec.name: _property(spec) for spec in CONSENT_FIELDS},
        "required": [spec.name for spec in CONSENT_FIELDS if spec.required],
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
