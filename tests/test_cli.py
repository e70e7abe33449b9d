import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from rtp_snippets import __version__, build_bundle, load_rules
from rtp_snippets.load import RTP_KEYS, RULE_KEYS, TOP_LEVEL_KEYS
from rtp_snippets.schema import rules_schema
from support.cli import command, run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "rtp-rules.yml"


def test_build_prints_the_minified_bundle():
    result = run("build", EXAMPLE)
    assert result.exit_code == 0
    assert result.stdout == build_bundle(load_rules(EXAMPLE)).code + "\n"


def test_build_pretty_writes_a_file(tmp_path):
    output = tmp_path / "rtp.js"
    result = run("build", EXAMPLE, "--pretty", "-o", output)
    assert (result.exit_code, result.stdout) == (0, "")
    assert output.read_text() == build_bundle(load_rules(EXAMPLE), minify=False).code + "\n"
    assert "\n  function listen(type, rules) {\n" in output.read_text()


def test_rules_default_to_rtp_rules_yml_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rtp-rules.yml").write_text(EXAMPLE.read_text())
    assert run("build").stdout == run("build", EXAMPLE).stdout


def test_schema_accepts_the_example_and_refuses_what_the_loader_refuses():
    result = run("schema")
    schema = json.loads(result.stdout)
    assert schema == rules_schema()
    assert set(schema["properties"]["rules"]["items"]["oneOf"][1]["properties"]) == set(RULE_KEYS)
    assert set(schema["properties"]) == set(TOP_LEVEL_KEYS)
    assert set(schema["properties"]["rtp"]["properties"]) == set(RTP_KEYS)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(yaml.safe_load(EXAMPLE.read_text()))
    validator.validate(
        {"rtp": {"account": "mktoname", "script": "//x.example/rtp-api/v1/rtp.js"}, "rules": []}
    )
    for bad in [
        {"rule": []},
        {"rules": [{"event": "click", "send": "x"}]},  # no selector
        {"rules": [{"event": "tap", "selector": "#a", "send": "x"}]},  # unknown event
        {"rules": [{"event": "view", "send": "x", "selctor": "#a"}]},  # unknown key
        {"rules": [{"event": "scroll", "send": "x"}]},  # no percent
        {"rules": [{"event": "timer", "seconds": 5, "selector": "#a", "send": "x"}]},
        {"rules": [{"event": "view", "send": ""}]},
        {"rules": ["click #a send 'x'"]},
        {"rtp": {"account": "mktoname"}, "rules": []},
    ]:
        assert not validator.is_valid(bad), bad


def test_schema_to_a_file(tmp_path):
    run("schema", "-o", tmp_path / "schema.json")
    assert json.loads((tmp_path / "schema.json").read_text()) == rules_schema()


def test_version():
    assert run("--version").stdout == f"rtp-snippets, version {__version__}\n"


def test_python_dash_m():
    result = subprocess.run(command("build", str(EXAMPLE)), capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout == build_bundle(load_rules(EXAMPLE)).code + "\n"


def test_python_dash_m_error_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("rules:\n  - on click #x send 'y'\n")
    result = subprocess.run(command("build", str(bad)), capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {bad}:2:14: this rule is cut short here")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["build", "preview", "schema"])
def test_every_command_has_help_with_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and f"rtp-snippets {command}" in result.stdout
