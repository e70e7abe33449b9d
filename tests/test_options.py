"""The options of a site run: one ``SiteOptions``, checked once when made, used alike by the
command line, the library and every site-generator plugin, which offer the same settings
under the same names (each in its generator's spelling) with the same defaults."""

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import rtp_snippets
from rtp_snippets import InvalidBaseUrl, InvalidGlob, InvalidOption, SiteOptions, load_rules
from rtp_snippets.files import Unreadable, read_page
from rtp_snippets.integrations import mkdocs as mkdocs_plugin
from rtp_snippets.integrations import pelican as pelican_plugin
from rtp_snippets.integrations import sphinx as sphinx_plugin
from rtp_snippets.integrations.common import SETTING_NAMES, generator_settings
from rtp_snippets.site import STATUSES, inject_site

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RULES = EXAMPLES / "rtp-rules.yml"
ACCEPTED = (
    "give an absolute http(s) URL (https://cdn.example/site/), a protocol-relative "
    "URL (//cdn.example/site/) or an absolute path (/docs/)"
)
# Every setting a plugin offers, none at its default.
CHANGED = {
    "position": "head",
    "external": True,
    "base_url": "/docs/",
    "prune": True,
    "include": ["/a/**"],
    "exclude": ["/a/b/**"],
    "max_bytes": 5000,
}


def as_default(value):
    return tuple(value) if isinstance(value, list) else value


def test_the_settings_of_the_plugins_are_the_site_options_a_build_can_use():
    generator = [
        option for option in dataclasses.fields(SiteOptions) if option.metadata.get("generator")
    ]
    assert generator_settings() == {
        "rules": "rtp-rules.yml",
        **{option.name: option.default for option in generator},
    }
    assert sorted(CHANGED) == sorted(option.name for option in generator)
    # A build writes, in its own process: a dry run and worker processes are the CLI's.
    assert {option.name for option in dataclasses.fields(SiteOptions)} - set(CHANGED) == {
        "check",
        "jobs",
    }


def test_mkdocs_sphinx_and_pelican_offer_the_same_settings_with_the_same_defaults():
    expected = generator_settings()
    mkdocs = {
        name: as_default(option.default) for name, option in mkdocs_plugin.RtpSnippetsConfig._schema
    }
    registered = {}
    app = types.SimpleNamespace(
        add_config_value=lambda name, default, rebuild, types=(): registered.update(
            {name: default}
        ),
        connect=lambda event, handler: None,
    )
    sphinx_plugin.setup(app)
    assert mkdocs == expected
    assert registered == {f"rtp_snippets_{name}": default for name, default in expected.items()}
    assert pelican_plugin.SETTINGS == {
        f"RTP_SNIPPETS_{name.upper()}": default for name, default in expected.items()
    }
    assert [
        SETTING_NAMES[generator]("base_url") for generator in ("mkdocs", "sphinx", "pelican")
    ] == ["base_url", "rtp_snippets_base_url", "RTP_SNIPPETS_BASE_URL"]


def options_read_by(generator: str, settings: dict, tmp_path: Path) -> SiteOptions:
    """The SiteOptions a plugin makes of ``settings`` (by their names in mkdocs.yml), set in
    its generator's way; the rules are the examples'."""
    shutil.copy(RULES, tmp_path / "rtp-rules.yml")
    if generator == "mkdocs":
        plugin = mkdocs_plugin.RtpSnippetsPlugin()
        errors, warnings = plugin.load_config(settings)
        assert (errors, warnings) == ([], [])
        plugin.on_config(types.SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml")))
        return plugin.options
    name = SETTING_NAMES[generator]
    if generator == "sphinx":
        config = {name(key): value for key, value in generator_settings().items()}
        config.update({name(key): value for key, value in settings.items()})
        app = types.SimpleNamespace(confdir=str(tmp_path))
        sphinx_plugin._load(app, config)
        return app.rtp_snippets_options
    pelican = types.SimpleNamespace(settings={name(key): value for key, value in settings.items()})
    pelican.settings[name("rules")] = str(tmp_path / "rtp-rules.yml")
    pelican_plugin._initialized(pelican)
    return pelican.rtp_snippets_options


@pytest.mark.parametrize("generator", ["mkdocs", "sphinx", "pelican"])
def test_each_plugin_reads_every_setting_into_the_site_options(generator, tmp_path):
    assert options_read_by(generator, {}, tmp_path) == SiteOptions()
    assert options_read_by(generator, CHANGED, tmp_path) == SiteOptions(**CHANGED)


@pytest.mark.parametrize(
    "changes, error, message",
    [
        ({"position": "left"}, InvalidOption, "position 'left': give one of body, head"),
        ({"external": "yes"}, InvalidOption, "external 'yes': give true or false"),
        ({"base_url": "/docs/"}, InvalidOption, "base URL only applies with external"),
        (
            {"external": True, "base_url": "docs/"},
            InvalidBaseUrl,
            f"base URL 'docs/': a relative path means a different folder on each page; {ACCEPTED}",
        ),
        (
            {"include": ("pricing/**",)},
            InvalidGlob,
            "include 'pricing/**': page globs are site paths starting with '/': write '/pricing/**'",
        ),
        (
            {"exclude": "/a/**"},
            InvalidOption,
            "exclude '/a/**': give a list of globs such as /blog/**",
        ),
        ({"max_bytes": 0}, InvalidOption, "max_bytes 0: give a whole number of 1 or more"),
        ({"jobs": True}, InvalidOption, "jobs True: give a whole number of 1 or more"),
    ],
)
def test_an_option_that_cannot_work_is_refused_when_the_options_are_made(changes, error, message):
    with pytest.raises(error) as raised:
        SiteOptions(**changes)
    assert str(raised.value) == message
    assert raised.value.messages() == [message]


def test_each_shell_names_a_refused_option_in_its_own_words():
    with pytest.raises(InvalidOption) as raised:
        SiteOptions(base_url="/docs/")
    spelled = {generator: raised.value.spelled(name) for generator, name in SETTING_NAMES.items()}
    assert spelled == {
        "mkdocs": "base_url only applies with external",
        "sphinx": "rtp_snippets_base_url only applies with rtp_snippets_external",
        "pelican": "RTP_SNIPPETS_BASE_URL only applies with RTP_SNIPPETS_EXTERNAL",
    }


def test_options_are_frozen_and_lists_of_globs_become_tuples():
    options = SiteOptions(include=["/blog/**"])
    assert options.include == ("/blog/**",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.prune = True
    assert options.replace(prune=True) == SiteOptions(include=("/blog/**",), prune=True)
    with pytest.raises(InvalidGlob):
        options.replace(exclude=("blog",))
    with pytest.raises(
        TypeError,
        match="^'purne' is no option of a site run; the options: "
        "position, external, base_url, prune, include, ",
    ):
        options.replace(purne=True)


def test_inject_site_takes_the_options_or_their_fields_as_keyword_arguments(tmp_path):
    pages = {
        "index.html": "<html><body><button id=download-whitepaper></button></body></html>",
        "blog/post.html": "<html><body>post</body></html>",
    }
    sites = []
    for name in ("options", "keywords", "both"):
        site = tmp_path / name
        for path, text in pages.items():
            (site / path).parent.mkdir(parents=True, exist_ok=True)
            (site / path).write_text(text)
        sites.append(site)
    ruleset = load_rules(RULES)
    by_options = inject_site(sites[0], ruleset, SiteOptions(exclude=("/blog/**",), jobs=1))
    by_keywords = inject_site(sites[1], ruleset, exclude=("/blog/**",), jobs=1)
    by_both = inject_site(sites[2], ruleset, SiteOptions(jobs=1), exclude=["/blog/**"])
    assert by_options.pages == by_keywords.pages == by_both.pages
    assert [page.path for page in by_options.pages] == ["/index.html"]
    with pytest.raises(TypeError, match="'purne' is no option"):
        inject_site(sites[0], ruleset, purne=True)
    with pytest.raises(InvalidOption, match="^position 'left': "):
        inject_site(sites[0], ruleset, position="left")


# A setting that cannot work, as each generator's settings file says it.
BAD_SETTING = {
    "mkdocs": ("mkdocs.yml", "      external: true\n      base_url: docs/\n"),
    "sphinx": ("conf.py", 'rtp_snippets_external = True\nrtp_snippets_base_url = "docs/"\n'),
    "pelican": (
        "pelicanconf.py",
        'RTP_SNIPPETS_EXTERNAL = True\nRTP_SNIPPETS_BASE_URL = "docs/"\n',
    ),
}
BUILD = {
    "mkdocs": ["mkdocs", "build", "--strict", "-d", "out"],
    "pelican": ["pelican", "content", "-o", "out", "-s", "pelicanconf.py"],
    "sphinx": ["sphinx", "-W", "-b", "html", ".", "out"],
}


@pytest.mark.parametrize("generator", sorted(BAD_SETTING))
def test_a_setting_that_cannot_work_ends_the_build_naming_it(generator, tmp_path):
    source = tmp_path / generator
    shutil.copytree(EXAMPLES / generator, source)
    settings_file, lines = BAD_SETTING[generator]
    with open(source / settings_file, "a") as settings:
        settings.write(lines)
    result = subprocess.run(
        [sys.executable, "-m", *BUILD[generator]],
        cwd=source,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "1000"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    name = SETTING_NAMES[generator]("base_url")
    message = f"{name} 'docs/': a relative path means a different folder on each page; {ACCEPTED}"
    assert re.search(r"Error: .*" + re.escape(message) + "$", output, re.MULTILINE), output
    assert "traceback" not in output.lower(), output
    assert (
        not (source / "out" / "index.html").exists()
        or "data-rtp-snippets" not in (source / "out" / "index.html").read_text()
    )


def test_the_public_api_is_exported_and_imported_on_first_use():
    for name in rtp_snippets.__all__:
        assert getattr(rtp_snippets, name) is not None, name
    assert rtp_snippets.PageStatus.__args__ == STATUSES
    # Importing the package loads no stage; `check` stays the function once the command
    # line has run the check command (no submodule of that name hides it).
    script = (
        "import sys, rtp_snippets\n"
        "assert {m for m in sys.modules if m.startswith('rtp_snippets.')} <= "
        "{'rtp_snippets.errors', 'rtp_snippets.terminal'}, sorted(sys.modules)\n"
        "import rtp_snippets.checking, rtp_snippets.cli\n"
        "assert callable(rtp_snippets.check) and rtp_snippets.check.__name__ == 'check'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_a_page_read_gives_its_bytes_or_why_not(tmp_path):
    (tmp_path / "page.html").write_bytes(b"<p>hi")
    os.mkfifo(tmp_path / "fifo.html")
    assert read_page(str(tmp_path), "/page.html") == b"<p>hi"
    assert read_page(str(tmp_path), "/fifo.html") == Unreadable("not a regular file (a FIFO)")
    assert read_page(str(tmp_path), "/gone.html") == Unreadable(
        "cannot read: No such file or directory"
    )


def test_the_python_api_page_s_example_runs(tmp_path, monkeypatch, capsys):
    section = (ROOT / "docs" / "python-api.md").read_text()
    example = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shutil.copy(RULES, tmp_path / "rtp-rules.yml")
    pages = {
        "index.html": "<html><body><button id=download-whitepaper></button></body></html>",
        "pricing/index.html": "<html><body>prices</body></html>",
        "drafts/new.html": "<html><body>soon</body></html>",
    }
    for path, text in pages.items():
        (tmp_path / "_site" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "_site" / path).write_text(text)
    monkeypatch.chdir(tmp_path)
    exec(example, {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == (
        "2 pages: 2 changed, 0 unchanged, 0 skipped, 0 errors, 2 without an RTP tag"
    )
    assert re.fullmatch(r"rtp-rules\.yml: \d+ rules, \d+ errors, \d+ warnings", printed[-1])
    assert {path: (tmp_path / "_site" / path).read_text() for path in pages} == pages


def test_remove_site_takes_the_same_options_record_as_inject_site(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "site", site)
    original = {path: path.read_bytes() for path in site.rglob("*.html")}
    inject_site(site, load_rules(RULES), SiteOptions(external=True))
    # The record a site was injected with does for its removal: what only shapes the
    # injection (external, position) changes nothing in taking the blocks out.
    dry = rtp_snippets.remove_site(site, SiteOptions(external=True, check=True, jobs=1))
    assert dry.check and dry.counts["removed"] == len(original)
    assert {path: path.read_bytes() for path in original} != original
    # Keyword arguments still work, alone or over an options record.
    report = rtp_snippets.remove_site(site, SiteOptions(check=True), check=False)
    assert report.counts["removed"] == len(original)
    assert {path: path.read_bytes() for path in original} == original
    assert not list(site.glob("rtp-snippets.*.js"))


@pytest.mark.parametrize("setting", [{"include": ("/a/**",)}, {"exclude": ("/a/**",)}])
def test_remove_site_refuses_an_option_it_cannot_honour(tmp_path, setting):
    (tmp_path / "index.html").write_text("<p>x</p>")
    [(name, value)] = setting.items()
    with pytest.raises(InvalidOption, match=f"^{name} .*remove takes"):
        rtp_snippets.remove_site(tmp_path, SiteOptions(**setting))
    with pytest.raises(InvalidOption, match=f"^{name} .*remove takes"):
        rtp_snippets.remove_site(tmp_path, **setting)
