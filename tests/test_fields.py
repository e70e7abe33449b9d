"""One table of rule fields and consent settings (rtp_snippets/fields.py): the YAML
reader's keys, the one-line form's clauses, the JSON Schema and the checks of which
events (consent: platforms) allow or need a field all come from it."""

from __future__ import annotations

import dataclasses
from typing import get_args

import jsonschema
import pytest

from rtp_snippets import (
    Consent,
    InvalidRule,
    Rule,
    RulesError,
    RuleSet,
    dsl,
    load,
    load_rules,
    model,
)
from rtp_snippets.dsl import DslError, parse_rule
from rtp_snippets.fields import (
    CONSENT_FIELDS,
    CONSENT_PLATFORMS,
    EVENTS,
    PLATFORM_SETTINGS,
    RULE_FIELD,
    RULE_FIELDS,
)
from rtp_snippets.schema import rules_schema

RULE_NAMES = tuple(spec.name for spec in RULE_FIELDS)
CONSENT_NAMES = tuple(spec.name for spec in CONSENT_FIELDS)
# A rule of each event with what the event needs, and a valid value of each field.
BASE = {
    "click": {"selector": "#a"},
    "submit": {"selector": "form"},
    "view": {},
    "visible": {"selector": "#a"},
    "scroll": {"percent": 50},
    "timer": {"seconds": 5},
}
SAMPLE = {
    "name": "n",
    "selector": "#b",
    "send": "x",
    "pages": "/a/**",
    "exclude": "/b/**",
    "once": "page",
    "percent": 50,
    "seconds": 2,
    "link": "*.pdf",
    "dynamic": True,
}
# A consent section of each platform with what it needs, and a value of each setting.
CONSENT_BASE = {
    "onetrust": {"groups": "C0004"},
    "cookiebot": {"categories": "marketing"},
    "tcf": {"purposes": 1},
    "cookieconsent": {"categories": "marketing"},
    "klaro": {"services": "google-ads"},
    "cookie": {"cookie": "site_consent", "value": "granted"},
    "flag": {"flag": "siteConsent.marketing"},
}
CONSENT_SAMPLE = {
    "groups": "C0004",
    "categories": "marketing",
    "purposes": 1,
    "vendors": 2,
    "services": "google-ads",
    "cookie": "c",
    "field": "categories",
    "value": "marketing",
    "flag": "ok",
    "event": "saved",
}


def rule_problems(**fields) -> list[tuple[str, str]]:
    try:
        Rule(**{"send": "x", **fields})
    except InvalidRule as invalid:
        return [(problem.field, problem.message) for problem in invalid.problems]
    return []


def load_messages(path) -> list[str]:
    try:
        load_rules(path)
    except RulesError as errors:
        return [error.message for error in errors.errors]
    return []


def schema_accepts(**document) -> bool:
    return jsonschema.Draft202012Validator(rules_schema()).is_valid(document)


def test_the_table_covers_the_typed_records():
    """The table and the typed attributes of Rule and Consent name the same fields."""

    def attributes(record):
        return {item.name for item in dataclasses.fields(record)} - {"source"}

    assert attributes(Rule) == set(RULE_NAMES)
    assert attributes(Consent) == set(CONSENT_NAMES)
    assert set(model._VALUE_CHECKS) <= set(RULE_NAMES)


def test_the_yaml_keys_are_the_table():
    assert load.RULE_KEYS == RULE_NAMES
    assert load.CONSENT_KEYS == CONSENT_NAMES
    assert load.RULE_LISTS == {spec.name for spec in RULE_FIELDS if spec.many}
    assert load.CONSENT_LISTS == {spec.name for spec in CONSENT_FIELDS if spec.many}


@pytest.mark.parametrize("spec", RULE_FIELDS, ids=RULE_NAMES)
def test_a_rule_field_takes_a_list_where_the_table_says(rules_file, spec):
    mapping = {"event": "view", "send": "x", spec.name: "[a, b]"}
    lines = "".join(f"    {key}: {value}\n" for key, value in mapping.items())
    path = rules_file("rules:\n  -\n" + lines)
    single = f"'{spec.name}' takes a single value, not a list"
    assert (single in load_messages(path)) is not spec.many


@pytest.mark.parametrize("spec", CONSENT_FIELDS, ids=CONSENT_NAMES)
def test_a_consent_setting_takes_a_list_where_the_table_says(rules_file, spec):
    mapping = {"platform": "flag", spec.name: "[a, b]"}
    lines = "".join(f"  {key}: {value}\n" for key, value in mapping.items())
    path = rules_file("consent:\n" + lines + "rules:\n  - \"on click #a send 'x'\"\n")
    single = f"'{spec.name}' takes a single value, not a list"
    assert (single in load_messages(path)) is not spec.many


def test_klaro_services_take_a_list_in_yaml(rules_file):
    """LIST_KEYS, copied by hand, had left services out."""
    ruleset = load_rules(
        rules_file(
            "consent:\n  platform: klaro\n  services: [ga, hubspot]\n"
            "rules:\n  - \"on click #a send 'x'\"\n"
        )
    )
    assert ruleset.consent == Consent(platform="klaro", services=("ga", "hubspot"))


def test_the_clauses_are_the_fields_with_a_clause():
    clauses = sorted((spec for spec in RULE_FIELDS if spec.clause), key=lambda spec: spec.clause)
    assert (
        dsl.CLAUSES
        == tuple(spec.name for spec in clauses)
        == ("once", "pages", "exclude", "name", "dynamic")
    )
    with pytest.raises(DslError, match="after the values come once, pages, exclude, name, dynamic"):
        parse_rule("on click #a send 'x' twice")


@pytest.mark.parametrize(
    "spec", [spec for spec in RULE_FIELDS if spec.clause], ids=lambda spec: spec.name
)
def test_each_clause_is_read_by_its_field_s_shape(spec):
    if spec.kind == "flag":
        written, value = "", True
    elif spec.many:
        written, value = "/a/**, /b", ["/a/**", "/b"]
    else:
        value = spec.choices[0] if spec.choices else "word"
        written = value
    fields = parse_rule(f"on click #a send 'x' {spec.name} {written}").fields
    assert fields[spec.name] == value
    if spec.kind != "flag":
        with pytest.raises(DslError) as raised:
            parse_rule(f"on click #a send 'x' {spec.name}")
        assert spec.follows in raised.value.message


def test_the_schema_properties_are_the_table():
    mapping = rules_schema()["properties"]["rules"]["items"]["oneOf"][1]
    assert tuple(mapping["properties"]) == RULE_NAMES
    assert mapping["required"] == [spec.name for spec in RULE_FIELDS if spec.required]
    for spec in RULE_FIELDS:
        assert mapping["properties"][spec.name]["description"] == spec.help
    consent = rules_schema()["properties"]["consent"]
    assert tuple(consent["properties"]) == CONSENT_NAMES
    assert consent["required"] == ["platform"]


def test_the_platform_settings_are_the_table():
    assert tuple(PLATFORM_SETTINGS) == tuple(CONSENT_PLATFORMS)
    for platform, settings in PLATFORM_SETTINGS.items():
        assert settings == tuple(
            spec.name
            for spec in CONSENT_FIELDS
            if spec.allowed_by is not None and platform in spec.allowed_by
        )
    assert PLATFORM_SETTINGS["cookie"] == ("cookie", "field", "value", "event")


# Every (field, event) pair, with what the table says of it: the model and the schema agree.
PAIRS = [
    (spec.name, event)
    for spec in RULE_FIELDS
    if spec.allowed_by is not None or spec.needed_by
    for event in EVENTS
]


@pytest.mark.parametrize("name, event", PAIRS)
def test_the_model_and_the_schema_follow_the_table_per_event(name, event):
    spec = RULE_FIELD[name]
    given = {"event": event, **BASE[event], name: SAMPLE[name]}
    allowed = spec.allowed_by is None or event in spec.allowed_by
    problems = rule_problems(**given)
    assert problems == ([] if allowed else [(name, spec.refused.format(event=event))])
    assert schema_accepts(rules=[{"send": "x", **given}]) is allowed

    without = {key: value for key, value in given.items() if key != name}
    if event in spec.needed_by:
        message = spec.missing
        if spec.instead is not None and event in (RULE_FIELD[spec.instead[0]].allowed_by or EVENTS):
            message = spec.instead[1]
        assert rule_problems(**without) == [(name, message.format(event=event))]
        assert not schema_accepts(rules=[{"send": "x", **without}])
    else:
        assert rule_problems(**without) == []
        assert schema_accepts(rules=[{"send": "x", **without}])


@pytest.mark.parametrize(
    "platform, name",
    [
        (platform, spec.name)
        for platform in CONSENT_PLATFORMS
        for spec in CONSENT_FIELDS
        if spec.allowed_by is not None and platform not in spec.allowed_by
    ],
)
def test_a_setting_its_platform_does_not_take_is_refused(platform, name):
    consent = {"platform": platform, **CONSENT_BASE[platform], name: CONSENT_SAMPLE[name]}
    with pytest.raises(InvalidRule) as raised:
        Consent(**consent)
    settings = ", ".join(PLATFORM_SETTINGS[platform])
    assert (name, f"'{name}' is not a {platform} setting; {platform} takes {settings}") in [
        (problem.field, problem.message) for problem in raised.value.problems
    ]
    assert not schema_accepts(consent=consent, rules=[])


@pytest.mark.parametrize("platform", CONSENT_PLATFORMS)
def test_each_platform_needs_what_the_table_says(platform):
    consent = {"platform": platform, **CONSENT_BASE[platform]}
    Consent(**consent)
    assert schema_accepts(consent=consent, rules=[])
    for spec in CONSENT_FIELDS:
        if platform in spec.needed_by:
            without = {key: value for key, value in consent.items() if key != spec.name}
            with pytest.raises(InvalidRule) as raised:
                Consent(**without)
            assert spec.name in [problem.field for problem in raised.value.problems]
            assert not schema_accepts(consent=without, rules=[])


def test_the_navigation_states_are_their_literal_types():
    assert get_args(model.Navigation) == tuple(model.NAVIGATION)
    assert get_args(model.ClientNavigation) == tuple(model.CLIENT_NAVIGATION)
    for value in ("queue", "send"):
        assert RuleSet((), navigation=value).navigation == value
    with pytest.raises(InvalidRule):
        RuleSet((), navigation="later")  # type: ignore[arg-type]
