"""check, catalog, inject --prune and --max-bytes on a fixture site and on site-a."""

import json
import textwrap
from pathlib import Path

import html5lib
import pytest

from rtp_snippets import load_rules
from rtp_snippets.coverage import check_site
from rtp_snippets.lint import lint_rules
from support.cli import run
from support.files import BASE_PAGES, write_site

TAG = (
    "<script>(function(c,h,a,f,i){})(window,document,'rtp',"
    "'//rtp.example/rtp-api/v1/rtp.js','mktoname');</script>"
)
PAGES = {
    "index.html": f"<html><head>{TAG}</head><body><a class=cta href=/p><span class=label>Go</span></a>"
    "<button id=download-whitepaper>Get</button></body></html>",
    "pricing/index.html": f"<html><head><script>var x;</script>{TAG}</head><body>"
    "<a class=cta href=/q>Buy</a><ul>" + "<li class=item>i</li>" * 4 + "</ul></body></html>",
    "blog/post.html": f"<html><head>{TAG}{TAG}</head><body><p>post</p></body></html>",
    "about.html": "<html><head></head><body><p>about</p></body></html>",
}
RULES = """rules:
  - "on click #download-whitepaper send 'download - example whitepaper'"
  - "on click a.cta send 'cta'"
  - "on click 'a.cta .label' send 'cta label'"
  - "on click li.item send 'item'"
  - "on click #gone send 'gone'"
  - "on view send 'pricing view' pages /pricing/** once session"
  - "on view send 'old view' pages /old/** once session"
  - "on click .menu send 'menu' dynamic"
"""


@pytest.fixture
def site(tmp_path):
    return write_site(tmp_path, PAGES, RULES)


@pytest.mark.parametrize(
    "rules, messages",
    [
        (
            ["on click #a send 'Download Whitepaper'", "on click #b send 'download-whitepaper!'"],
            [
                "warning: values 'Download Whitepaper' (line 1) and 'download-whitepaper!' differ only in "
                "case, spaces or punctuation; RTP counts them as different events"
            ],
        ),
        (
            ["on click #a send 'newsletter signup'", "on click #b send 'newsleter signup'"],
            [
                "warning: values 'newsletter signup' (line 1) and 'newsleter signup' are one or two letters "
                "apart (a typo?); RTP counts them as different events"
            ],
        ),
        (
            ["on click #a send 'one'", "on click #a send 'two'"],
            ["warning: line 1 also sends on click of '#a'; one click would send both"],
        ),
        (
            ["on view send 'home'"],
            [
                "warning: a 'view' rule without once sends again on every page load; add once: session "
                "(custom data events count once per session anyway)"
            ],
        ),
        (
            [
                "on click #a send 'download'",
                "on click #b send 'upload'",
                "on view send 'x' once page",
            ],
            [],
        ),
    ],
)
def test_lint(tmp_path, rules, messages):
    path = tmp_path / "lint.rules"
    path.write_text("\n".join(rules) + "\n")
    findings = lint_rules(load_rules(path))
    assert [str(finding).split(": ", 1)[1] for finding in findings] == messages


def test_check_site_table_problems_and_exit_code(site):
    result = run("check", site.parent / "rtp-rules.yml", "--site", site, "--max-matches", "3")
    assert result.exit_code == 1
    assert (
        result.stdout
        == textwrap.dedent("""\
        line  rule                        applies  matches  elements  examples
        2     click #download-whitepaper        4        1         1  /index.html
        3     click a.cta                       4        2         2  /index.html, /pricing/index.html
        4     click a.cta .label                4        1         1  /index.html
        5     click li.item                     4        1         4  /pricing/index.html
        6     click #gone                       4        0         0
        7     view -                            1        -         -
        8     view -                            0        -         -
        9     click .menu                       4        0         0
        RTP tag: on 3 of 4 pages; missing on 1 (e.g. /about.html); more than one on 1 (e.g. /blog/post.html); not the first script in <head> on 1 (e.g. /pricing/index.html)
        Client-side navigation: none found; each page gets its own rules (set client_navigation: on if the site changes pages with history.pushState)
        """)
        + f"{site.parent / 'rtp-rules.yml'}: 8 rules, 2 errors, 2 warnings\n"
    )
    rules = site.parent / "rtp-rules.yml"
    assert result.stderr == textwrap.dedent(f"""\
        {rules}:4:6: warning: every element 'a.cta .label' matches is inside a link or button that another click rule already sends for; one click sends both
        {rules}:5:6: warning: selector 'li.item' matches 4 elements on /pricing/index.html (more than 3); is it too broad?
        {rules}:6:6: error: selector '#gone' matches nothing on any page
        {rules}:8:6: error: pages glob '/old/**' matches no page
        """)


def test_check_site_json(site):
    result = run("check", site.parent / "rtp-rules.yml", "--site", site, "--json")
    report = json.loads(result.stdout)
    assert report["pages"] == 4
    assert [
        (rule["line"], rule["column"], rule["applies"], rule["matches"], rule["elements"])
        for rule in report["rules"]
    ] == [
        (2, 6, 4, 1, 1),
        (3, 6, 4, 2, 2),
        (4, 6, 4, 1, 1),
        (5, 6, 4, 1, 4),
        (6, 6, 4, 0, 0),
        (7, 6, 1, None, None),
        (8, 6, 0, None, None),
        (9, 6, 4, 0, 0),
    ]
    assert report["rtp_tag"] == {
        "missing": {"count": 1, "examples": ["/about.html"]},
        "several": {"count": 1, "examples": ["/blog/post.html"]},
        "not first": {"count": 1, "examples": ["/pricing/index.html"]},
    }
    assert [
        (finding["level"], finding["line"], finding["column"], finding["message"])
        for finding in report["findings"]
    ] == [
        (
            "warning",
            4,
            6,
            "every element 'a.cta .label' matches is inside a link or button that "
            "another click rule already sends for; one click sends both",
        ),
        ("error", 6, 6, "selector '#gone' matches nothing on any page"),
        ("error", 8, 6, "pages glob '/old/**' matches no page"),
    ]


def test_check_without_site_and_strict(tmp_path):
    rules = tmp_path / "rtp-rules.yml"
    rules.write_text("rules:\n  - \"on view send 'home'\"\n")
    assert run("check", rules).exit_code == 0
    strict = run("check", rules, "--strict")
    assert strict.exit_code == 1
    assert strict.stdout == f"{rules}: 1 rule, 0 errors, 1 warning\n"


def test_prune_gives_each_page_only_the_rules_that_match_there(site):
    result = run("inject", site, "-r", site.parent / "rtp-rules.yml", "--prune")
    assert result.exit_code == 0
    sent = {}
    for name in PAGES:
        page = (site / name).read_text()
        sent[name] = sorted(
            value
            for value in (
                "download - example whitepaper",
                "cta",
                "cta label",
                "item",
                "gone",
                "pricing view",
                "menu",
            )
            if f'"{value}"' in page
        )
    assert sent == {
        "index.html": ["cta", "cta label", "download - example whitepaper", "menu"],
        "pricing/index.html": ["cta", "item", "menu", "pricing view"],
        "blog/post.html": ["menu"],
        "about.html": ["menu"],
    }
    again = run("inject", site, "-r", site.parent / "rtp-rules.yml", "--prune")
    assert again.stdout.splitlines()[1].startswith("4 pages: 0 changed, 4 unchanged")


@pytest.mark.parametrize("kept", [False, True])
def test_prune_gives_pages_without_rules_a_bundle_only_where_some_page_stores_calls(
    site, tmp_path, kept
):
    """A page on which no rule runs gets the bundle that sends the calls other pages store
    for the next page (tests/test_browser.py); when --prune leaves no click or submit rule
    on any page, no page stores any, and pages without rules get nothing."""
    selector = "a.cta" if kept else "#nowhere"
    rules = tmp_path / "only-clicks.yml"
    rules.write_text(f"rules:\n  - \"on click {selector} send 'cta'\"\n")
    report = json.loads(run("inject", site, "-r", rules, "--prune", "--json").stdout)
    blocks = {name: 'data-rtp-snippets="bundle"' in (site / name).read_text() for name in PAGES}
    if kept:  # a.cta is on the home page and the pricing page only
        assert blocks == dict.fromkeys(PAGES, True)
        assert [page["rules"] for page in report["pages"]] == [0, 0, 1, 1]
    else:
        assert blocks == dict.fromkeys(PAGES, False)


def test_max_bytes(site, tmp_path):
    rules = site.parent / "rtp-rules.yml"
    before = {name: (site / name).read_text() for name in PAGES}
    result = run("inject", site, "-r", rules, "--max-bytes", "100")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: 2 of 2 bundles are over --max-bytes 100 (gzip): largest "
    )
    assert {name: (site / name).read_text() for name in PAGES} == before
    build = run("build", rules, "--max-bytes", "100")
    assert build.exit_code == 1
    assert build.stderr.startswith("Error: the bundle is ") and build.stderr.endswith(
        " bytes gzip, over --max-bytes 100\n"
    )
    assert run("build", rules, "--max-bytes", "5000").exit_code == 0


def test_catalog_and_stale_catalog(site):
    rules = site.parent / "rtp-rules.yml"
    catalog = site.parent / "rtp-events.md"
    result = run("catalog", rules, "-o", catalog)
    assert result.exit_code == 0
    text = catalog.read_text()
    assert text.splitlines()[4:7] == [
        "| value | rule | line | event | selector | pages | once |",
        "|---|---|---|---|---|---|---|",
        "| download - example whitepaper | - | 2 | click | #download-whitepaper | all | - |",
    ]
    assert "| pricing view | - | 7 | view | - | /pricing/** | session |" in text
    assert run("check", rules, "--catalog", catalog).exit_code == 0
    rules.write_text(RULES.replace("'cta'", "'call to action'"))
    stale = run("check", rules, "--catalog", catalog)
    assert stale.exit_code == 1
    assert (
        f"error: the catalogue {catalog} is stale; run rtp-snippets catalog -r {rules} -o {catalog}"
        in stale.stderr
    )
    with_site = json.loads(run("catalog", rules, "--site", site, "--json").stdout)
    assert [(row["value"], row["site pages"]) for row in with_site[:3]] == [
        ("download - example whitepaper", 1),
        ("call to action", 2),
        ("cta label", 1),
    ]


def _independent_count(tree, tag=None, element_id=None, css_class=None) -> int:
    """Count matching elements in an html5lib tree, without BeautifulSoup or soupsieve."""
    count = 0
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        name = element.tag.rsplit("}", 1)[-1]
        if tag and name != tag:
            continue
        if element_id and element.get("id") != element_id:
            continue
        if css_class and css_class not in (element.get("class") or "").split():
            continue
        count += 1
    return count


@pytest.mark.slow
def test_site_a_counts_match_an_independent_count(site_a):
    rules = Path(__file__).resolve().parent / "jekyll-site.rules"
    result = check_site(site_a, load_rules(rules), jobs=2)
    expected = {
        0: {"pages": 0, "elements": 0},
        1: {"pages": 0, "elements": 0},
        2: {"pages": 0, "elements": 0},
    }
    criteria = [
        dict(tag="header", element_id="banner"),
        dict(tag="article"),
        dict(tag="span", css_class="fn"),
    ]
    for path in sorted(site_a.rglob("*.html")):
        tree = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
        for index, criterion in enumerate(criteria):
            count = _independent_count(tree, **criterion)
            if count:
                expected[index]["pages"] += 1
                expected[index]["elements"] += count
    measured = {
        index: {"pages": entry.pages, "elements": entry.elements}
        for index, entry in enumerate(result.coverage[:3])
    }
    assert measured == expected
    assert expected[0]["pages"] > 300 and expected[1]["elements"] > 300


def test_check_site_names_the_selectors_lexbor_does_not_run_and_counts_them_with_soupsieve(
    tmp_path,
):
    pages = {
        "index.html": "<html><body><form><input type=checkbox checked id=a>"
        "<input type=checkbox id=b></form><p lang=en-GB>x</p></body></html>"
    }
    rules = (
        "rules:\n  - \"on click 'input:checked' send 'checked'\"\n"
        "  - \"on click '[lang|=en]' send 'english'\"\n"
        "  - \"on click 'form input' send 'input'\"\n"
    )
    root = write_site(tmp_path, pages, rules)
    result = run("check", "-r", tmp_path / "rtp-rules.yml", "--site", root)
    assert (
        "Selectors checked with soupsieve on html.parser's tree, as lexbor does not run them "
        "as Chromium does (on malformed pages their counts may differ from a browser's): "
        "'[lang|=en]', 'input:checked'\n"
    ) in result.stdout
    report = json.loads(
        run("check", "-r", tmp_path / "rtp-rules.yml", "--site", root, "--json").stdout
    )
    assert report["soupsieve_selectors"] == ["[lang|=en]", "input:checked"]
    assert [rule["elements"] for rule in report["rules"]] == [1, 1, 2]


@pytest.mark.parametrize("prune", [False, True])
def test_inject_reads_the_coverage_facts_in_the_same_pass_as_check_site(tmp_path, prune):
    """The integrations' one pass: inject_site(facts=True) gives site_coverage what
    check_site measures by reading the site again (site-a and its rules, with 2 jobs; with
    --prune the facts read first for pruning are the ones reported)."""
    from corpora import extract_corpus

    from rtp_snippets.coverage import site_coverage
    from rtp_snippets.site import inject_site

    rules = load_rules(Path(__file__).resolve().parent / "jekyll-site.rules")
    site = extract_corpus("site-a", tmp_path / "site")
    expected = check_site(site, rules, jobs=2)
    report = inject_site(site, rules, jobs=2, facts=True, prune=prune)
    # With --prune, pages where no rule's selector matches get no block.
    assert report.counts["injected"] > 390 and not report.errors
    measured = site_coverage(rules, report.facts)
    assert measured == expected
    assert (
        [entry.pages for entry in measured.coverage[:3]]
        == [entry.pages for entry in expected.coverage[:3]]
        != [0, 0, 0]
    )


def test_pages_the_selector_prefilter_skips_have_no_match():
    """check parses a page for a simple selector only when each id or class it needs stands
    where an attribute value can hold it. Whenever the prefilter says a page cannot match,
    lexbor (which counts as Chromium does, tests/test_check_engine.py) finds nothing,
    also with character references as separators or inside the name; and it does skip
    mere mentions."""
    import random

    from selectolax.lexbor import LexborHTMLParser

    from rtp_snippets.page import _possible

    selectors = ["#download-whitepaper", ".cta", "a.cta", "div#x.y", "#café", ".b-1 span", "#a_b"]
    names = {
        "#download-whitepaper": "download-whitepaper",
        ".cta": "cta",
        "a.cta": "cta",
        "div#x.y": "x",
        "#café": "café",
        ".b-1 span": "b-1",
        "#a_b": "a_b",
    }
    # The name as written in the page: plain, or with one of its characters as a character
    # reference (decimal, hexadecimal, without ';', named).
    spellings = [
        lambda name: name,
        lambda name: name,
        lambda name: name,
        lambda name: f"&#{ord(name[0])};{name[1:]}",
        lambda name: f"{name[:-1]}&#x{ord(name[-1]):X};",
        lambda name: f"&#{ord(name[0])}{name[1:]}" if not name[1:2].isdigit() else name,
        lambda name: name.replace("-", "&#45;").replace("_", "&lowbar;"),
        lambda name: name.replace("_", "&UnderBar;"),
    ]
    contexts = [
        'id="{}"',
        "id='{}'",
        "id={}",
        'class="a {} b"',
        'class="{}"',
        "class={}",
        'class="a&#32;{}"',
        'class="a&#32{}"',
        'class="a&#xA{}"',
        'class="a&Tab;{}"',
        'class="{}&#9;b"',
        'ID = " {} "',
        'class="\f{}\r"',
        'id="{}/"',
        'class="x{}"',
        'class="{}x"',
        'href="/{}"',
        'data-x="#{}"',
    ]
    texts = ["<code>#{}</code>", "<p>{} and .{}</p>", '<!-- id="{}" -->', ""]
    random.seed(14)
    cases = skipped = 0
    for _ in range(3000):
        selector = random.choice(selectors)
        name = names[selector]
        attributes = random.choice(contexts).format(random.choice(spellings)(name))
        if selector == "div#x.y":
            attributes += random.choice([' class="y"', " class=y", ' class="yy"', ""])
        tag = random.choice(["div", "a", "span"])
        inner = "<span>s</span>" if random.random() < 0.5 else "t"
        page = (
            f"<!doctype html><html><body>{random.choice(texts).format(name, name)}"
            f"<{tag} {attributes}>{inner}</{tag}></body></html>"
        )
        if random.random() < 0.3:
            page = page.upper() if random.random() < 0.5 else page.replace("<!doctype html>", "")
        data = page.encode("utf-8")
        lowered = data.decode("latin-1").lower()
        count = len(LexborHTMLParser(data, encoding=True, scripting=True).css(selector))
        cases += 1
        if not _possible({0: selector}, lowered):
            skipped += 1
            assert count == 0, (selector, page)
    assert skipped > 500 and cases - skipped > 500
    assert not _possible(
        {0: "#download-whitepaper"}, "<pre>on click #download-whitepaper send 'x'</pre>".lower()
    )


# Values with placeholders, as the pages' HTML fills them in: check --site, its JSON, the
# catalogue. The headings are those of real generators (tests/headings/).
VALUE_RULES = """rules:
  - "on view h1 send 'read {text}'"
  - "on click 'h2' send 'section {text}', '{path}', 'on {host}'"
  - "on click a.more send 'more {attr:data-product}'"
  - "on view send 'page {title}'"
  - "on click a.more send 'clicked on {path}'"
"""


@pytest.fixture
def value_site(tmp_path):
    headings = Path(__file__).parent / "headings"
    pages = {
        "index.html": "<title>\n Home  page </title>"
        + (headings / "sphinx.html").read_text(encoding="utf-8")
        + "<a class=more data-product=widget href=/w>more</a>",
        "docs/index.html": (headings / "vitepress.html").read_text(encoding="utf-8")
        + "<a class=more href=/x>more</a>",
    }
    return write_site(tmp_path, pages, VALUE_RULES), tmp_path / "rtp-rules.yml"


def test_check_site_shows_the_values_the_pages_html_fills_in(value_site):
    site, rules = value_site
    result = run("check", "-r", rules, "--site", site)
    assert (
        "Values with placeholders, as the pages' HTML fills them in (a style sheet may "
        "hide more text in the browser):\n"
        "  line 2, 'read {text}': 'read Install' (2 pages)\n"
        "  line 3, 'section {text}': 'section Get started now' (2 pages), "
        "'section Run pip install today' (2 pages)\n"
        "  line 3, '{path}': '/' (1 page), '/docs/' (1 page)\n"
        "  line 4, 'more {attr:data-product}': 'more widget' (1 page)\n"
        "  line 5, 'page {title}': 'page Home page' (1 page)\n"
        "  line 6, 'clicked on {path}': 'clicked on /' (1 page), 'clicked on /docs/' "
        "(1 page)\n"
    ) in result.stdout
    assert "is empty on every page" not in result.stderr
    # {host} the HTML cannot tell: not shown. A value empty everywhere is a warning.
    assert "'on {host}'" not in result.stdout
    report = json.loads(run("check", "-r", rules, "--site", site, "--json").stdout)
    assert report["rules"][0]["values"] == [
        {"value": "read {text}", "sent": [{"value": "read Install", "pages": 2}], "distinct": 1}
    ]
    assert report["rules"][3]["values"] == [
        {"value": "page {title}", "sent": [{"value": "page Home page", "pages": 1}], "distinct": 1}
    ]
    assert "values" not in report["rules"][2] or report["rules"][2]["values"][0]["distinct"] == 1


def test_a_value_empty_on_every_page_is_a_warning(tmp_path):
    site = write_site(
        tmp_path,
        {"index.html": "<button class=icon><svg></svg></button>"},
        "rules:\n  - \"on click .icon send 'icon {text}'\"\n",
    )
    result = run("check", "-r", tmp_path / "rtp-rules.yml", "--site", site)
    assert "line 2, 'icon {text}': never sent (empty)" in result.stdout
    assert (
        "warning: the value 'icon {text}' is empty on every page it could be sent from"
        in result.stderr
    )


def test_the_catalogue_shows_the_values_sent_on_the_site(value_site):
    site, rules = value_site
    table = run("catalog", "-r", rules, "--site", site).stdout
    assert "| read {text} | - | 2 | view | h1 | all | - | 2 | read Install (2) |" in table
    assert (
        "| section {text} | - | 3 | click | h2 | all | - | 2 | "
        "section Get started now (2), section Run pip install today (2) |"
    ) in table
    assert "| on {host} | - | 3 | click | h2 | all | - | 2 | - |" in table


def test_check_site_names_pages_whose_base_href_inject_external_cannot_follow(tmp_path):
    site = write_site(tmp_path, BASE_PAGES, "rules:\n  - \"on view send 'x'\"\n")
    result = run("check", "-r", tmp_path / "rtp-rules.yml", "--site", site)
    assert (
        "<base href>: 2 pages name a place in the site's URL space (e.g. /cdn/page.html, "
        "/other/page.html): inject --external skips them unless given --base-url; inline "
        "bundles are not affected\n"
    ) in result.stdout
    report = json.loads(
        run("check", "-r", tmp_path / "rtp-rules.yml", "--site", site, "--json").stdout
    )
    assert report["base_href"] == {"count": 2, "examples": ["/cdn/page.html", "/other/page.html"]}
