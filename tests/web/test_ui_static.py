"""Static checks of the single-page UI in ``xinyong/web/static`` (no server, no browser).

The UI runs on government intranets: no CDN, no external fonts or scripts, every reference stays on the same
origin under ``/static/`` (assets) or ``/api/v1/`` (JSON API). Browser tests rely on the ``data-testid`` hooks.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from xinyong.web.page import INCLUDE, MissingPartial, assemble, staff_page

STATIC = Path(__file__).resolve().parents[2] / "src" / "xinyong" / "web" / "static"
FILES = ("index.html", "app.js", "style.css")

TESTIDS = (
    "score",
    "grade",
    "level",
    "fused",
    "lines-table",
    "records-table",
    "dist-chart",
    "subject-table",
    "record-form",
    "form-error",
)


def read(name: str) -> str:
    """A file of static/; index.html as the server sends it (the layout with every domain's partial included)."""
    return staff_page() if name == "index.html" else (STATIC / name).read_text(encoding="utf-8")


# the staff application's own scripts (issue 11): the router, the shared core and one folder per domain's pages;
# the portal (public/) and vendored libraries (vendor/) have their own rules
CORE_SCRIPTS = tuple(sorted(str(p.relative_to(STATIC)) for p in STATIC.rglob("*.js")
                            if p.parts[len(STATIC.parts)] not in ("public", "vendor")))


def staff_js() -> str:
    """The router, the core and the pages split out of the former app.js (the other domains' scripts are checked
    one by one below, DOMAIN_SCRIPTS)."""
    return "\n".join(read(n) for n in CORE_SCRIPTS if n not in DOMAIN_SCRIPTS)


@pytest.mark.parametrize("name", FILES)
def test_file_exists_and_is_utf8(name: str) -> None:
    path = STATIC / name
    assert path.is_file(), f"missing {path}"
    assert read(name).strip(), f"{name} is empty"


@pytest.mark.parametrize("name", FILES)
def test_no_absolute_urls(name: str) -> None:
    text = read(name)
    assert "http://" not in text, f"{name} contains http:// (intranet: no external resources)"
    assert "https://" not in text, f"{name} contains https:// (intranet: no external resources)"
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']//""", text), f"{name} has a protocol-relative URL"
    assert not re.search(r"""url\(\s*["']?//""", text), f"{name} has a protocol-relative url()"


def test_html_attributes_reference_only_static_or_hash() -> None:
    html = read("index.html")
    refs = re.findall(r"""\b(?:src|href|action|poster|data)\s*=\s*["']([^"']*)["']""", html)
    assert refs, "index.html references nothing"
    for ref in refs:
        assert ref.startswith(("/static/", "#")), f"index.html references {ref!r}"
    assert 'src="/static/app.js"' in html
    assert 'href="/static/style.css"' in html


def test_js_paths_are_api_or_static() -> None:
    js = staff_js()
    # every string literal that starts like a root-relative path
    paths = re.findall(r"""["'`](/[A-Za-z_][^"'`\s]*)""", js)
    assert "/api/v1" in paths, "app.js does not use the /api/v1 API base"
    for p in paths:
        if p == "/api/v1":
            continue
        # paths below the API base are written relative to it ("/subjects", "/records", ...) and joined with API
        assert p.startswith(("/api/v1/", "/static/")) or re.match(
            r"^/(industries|departments|catalogue|collection|framework|subjects|records|stats|evaluation|withdraw|archive"
            r"|login|logout|me|evidence|reports|cases|commitments|lists|listings|standards|measures|decisions"
            r"|inspection-plans|inspectors|whitelist|rankings|public|national-grades|notifications)\b", p
        ), f"app.js uses unexpected path {p!r}"
    assert "fetch(API + path" in js, "all requests must go through the /api/v1 base"
    assert not re.search(r"\bimport\s*\(|importScripts|new\s+WebSocket|new\s+EventSource", js)


def test_css_has_no_remote_resources() -> None:
    css = read("style.css")
    assert "@import" not in css
    for target in re.findall(r"""url\(\s*["']?([^"')]+)""", css):
        assert target.startswith(("/static/", "data:", "#")), f"style.css loads {target!r}"
    assert '"WenQuanYi Micro Hei", "Microsoft YaHei"' in css
    assert "sans-serif" in css


def test_html_language_and_charset() -> None:
    html = read("index.html")
    assert re.search(r"<html[^>]*\blang=\"zh-CN\"", html)
    assert '<meta charset="utf-8">' in html.lower()
    # staff sign in with user name and password; the raw token box is gone (issue 11 item 2)
    assert "接口令牌" not in html and 'data-testid="token-input"' not in html
    assert 'data-testid="login-form"' in html and 'autocomplete="current-password"' in html


@pytest.mark.parametrize("testid", TESTIDS)
def test_testid_hooks_present(testid: str) -> None:
    html = read("index.html")
    assert f'data-testid="{testid}"' in html, f"index.html lacks data-testid={testid!r}"


def test_testids_unique_in_static_dom() -> None:
    """Outside <template>, each data-testid that names a single element appears once (stable locators)."""
    html = read("index.html")
    html = re.sub(r"<template\b.*?</template>", "", html, flags=re.S)
    ids = re.findall(r'data-testid="([^"]+)"', html)
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate data-testid values: {dupes}"
    for testid in TESTIDS:
        if testid == "form-error":
            continue  # cloned from <template id="tpl-form-error"> next to each field with an error
        assert testid in ids


def test_form_error_template_is_cloned() -> None:
    html = read("index.html")
    tpl = re.search(r'<template id="tpl-form-error">(.*?)</template>', html, flags=re.S)
    assert tpl and 'data-testid="form-error"' in tpl.group(1)
    assert 'byId("tpl-form-error")' in staff_js()


def test_element_ids_used_by_js_exist() -> None:
    html = read("index.html")
    js = staff_js()
    all_ids = re.findall(r'\bid="([^"]+)"', html)
    html_ids = set(all_ids)
    dupes = sorted({i for i in all_ids if all_ids.count(i) > 1})
    assert not dupes, f"duplicate ids in index.html: {dupes}"
    used = set(re.findall(r'byId\("([^"]+)"\)', js))
    assert used, "app.js does not look up elements"
    # ids built at run time: "view-" + name, "rf-" + field, "rf-err-" + field, "sd-c-" + component
    used |= {f"view-{v}" for v in ("overview", "subjects", "subject", "enter")}
    used |= {f"rf-{f}" for f in ("subject", "item", "act_date", "department", "source_ref", "note")}
    used |= {f"rf-err-{f}" for f in ("subject", "item", "act_date", "department", "source_ref", "note")}
    used |= {
        f"sd-c-{c}" for c in ("general_bonus", "general_deduction", "industry_bonus", "industry_deduction")
    }
    missing = sorted(used - html_ids)
    assert not missing, f"app.js looks up ids missing from index.html: {missing}"


def test_labels_point_at_existing_controls() -> None:
    html = read("index.html")
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    fors = re.findall(r'<label for="([^"]+)"', html)
    assert fors
    assert not sorted(set(fors) - ids)
    # every visible input/select/textarea has a label
    controls = re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', html)
    unlabelled = sorted(set(controls) - set(fors))
    assert not unlabelled, f"controls without <label for>: {unlabelled}"


def test_tables_have_column_headers() -> None:
    html = read("index.html")
    for table_id in ("subject-table", "lines-table", "records-table"):
        m = re.search(rf'<table id="{table_id}".*?</table>', html, flags=re.S)
        assert m, table_id
        assert "<thead>" in m.group(0) and 'scope="col"' in m.group(0)


def test_record_form_fields_match_api() -> None:
    html = read("index.html")
    form = re.search(r'<form id="record-form".*?</form>', html, flags=re.S)
    assert form
    for field in ("subject", "item", "act_date", "department", "source_ref", "note"):
        assert f'name="{field}"' in form.group(0), field


def test_no_unsafe_js_constructs() -> None:
    js = staff_js()
    assert not re.search(r"\beval\s*\(|new\s+Function\s*\(|\.innerHTML\s*=|document\.write", js)
    # the session is an HttpOnly cookie: the page never holds a token, it echoes the CSRF cookie on writes
    assert "X-CSRF-Token" in js and 'credentials: "same-origin"' in js
    assert "Authorization" not in js and "Bearer " not in js and "apiToken" not in js


def test_js_syntax_with_node() -> None:
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        pytest.skip("node is not installed")
    for name in CORE_SCRIPTS:
        res = subprocess.run([node, "--check", str(STATIC / name)], capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, f"{name}: {res.stderr}"


def test_framework_is_read_from_the_api_not_written_in_the_ui_issue6_item5() -> None:
    """Grades, the nine levels, their names and bands come from GET /api/v1/framework (parameters.yaml): the UI
    holds no copy of the level table, the grade names, the score range or the validity dates."""
    js = staff_js()
    html = read("index.html")
    assert 'api("/framework")' in js
    for level in ("A-", "B+", "B-", "C+", "C-"):
        assert f'"{level}"' not in js and f"'{level}'" not in js, f"app.js spells level {level}"
    assert not re.search(r"""\[\s*["']A["']\s*,\s*["']B["']""", js), "app.js lists the grades"
    # 良好 / 不良 (良好信用信息, 不良信用信息 of 122号 Art.7) are classes of information, not the grade 良
    assert not re.search(r"[优差]|(?<!不)良(?!好)", js), "app.js names the grades (优/良/中/差)"
    # 500 is also an HTTP status and a page limit here; the other bounds of the grades and levels appear nowhere
    assert not re.search(r"\b(?:350|650|800|875|950)\b", js), "app.js holds a score bound"
    assert not re.search(r"\b20(?:24|27)-\d\d-\d\d\b", js + html), "a validity date is written in the UI"
    assert not re.search(r"""<option value="[A-D]">""", html), "index.html lists the grades"
    for testid in ("validity-banner", "grade-legend", "score-range"):
        assert f'data-testid="{testid}"' in html


DOMAIN_SCRIPTS = ("subject_lists.js", "standards_comments.js", "cases/case_forms.js", "cases/cases_queue.js",
                  "cases/case_page.js", "commitments/commitments.js", "supervision/supervision.js",
                  "supervision/measures.js", "supervision/decisions.js", "supervision/plans.js", "supervision/rankings.js",
                  "supervision/charts.js")
# API paths the domain scripts may name, relative to the /api/v1 base that XY.api prepends
DOMAIN_API = re.compile(
    r"^/(subjects|lists|listings|standards|cases|commitments|me|framework|measures|measures-lists|decisions|inspection-plans"
    r"|inspectors|whitelist|rankings|public|reports)\b")


@pytest.mark.parametrize("name", DOMAIN_SCRIPTS)
def test_domain_scripts_are_loaded_safe_and_find_their_elements(name: str) -> None:
    """The pages of other domains (名单, 公开征求意见) are their own scripts, loaded after app.js, hooked in through
    window.XY; same rules as app.js: same origin, no unsafe constructs, every element they look up exists."""
    html, js = read("index.html"), read(name)
    assert html.index('src="/static/app.js"') < html.index(f'src="/static/{name}"')
    assert "http://" not in js and "https://" not in js
    assert not re.search(r"\beval\s*\(|new\s+Function\s*\(|\.innerHTML\s*=|document\.write|\bfetch\s*\(", js)
    assert "XY.api(" in js and "window.XY" in js
    missing = sorted(set(re.findall(r'byId\("([^"]+)"\)', js)) - set(re.findall(r'\bid="([^"]+)"', html)))
    assert not missing, f"{name} looks up ids missing from index.html: {missing}"
    node = shutil.which("node") or shutil.which("nodejs")
    if node:
        res = subprocess.run([node, "--check", str(STATIC / name)], capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("name", DOMAIN_SCRIPTS)
def test_domain_scripts_name_only_api_paths_below_the_base_and_stay_small(name: str) -> None:
    """Every root-relative path a domain script writes is an API path joined to /api/v1 by XY.api (never a second
    base, never an absolute URL); each script stays under about 400 lines (issue 11)."""
    js = read(name)
    for joined, p in re.findall(r"""(\+\s*)?["'`](/[A-Za-z_][^"'`\s]*)""", js):
        if joined:  # a segment appended to a path built from the ones checked here, e.g. enc + "/records"
            assert re.fullmatch(r"(/[a-z_-]+)+", p), f"{name} appends {p!r}"
        else:
            assert DOMAIN_API.match(p), f"{name} uses unexpected path {p!r}"
    assert not re.search(r"""["'`]/api/v1""", js), f"{name} writes the API base itself (XY.api adds it)"
    assert len(js.splitlines()) <= 400, f"{name} has {len(js.splitlines())} lines"


def test_case_pages_find_their_action_forms() -> None:
    """case_page.js looks its action forms up by name ("ca-" + action, "ca-" + action + "-error"): each exists, with
    its own error box next to it, and every action of the state machine (D1-36) has one."""
    html, js = read("index.html"), read("cases/case_page.js")
    actions = re.search(r"var ACTIONS = \[([^\]]*)\]", js)
    assert actions
    names = re.findall(r'"([a-z]+)"', actions.group(1))
    assert names == ["route", "accept", "extend", "opinion", "report", "resolve", "close", "evidence"]
    for a in names:
        form = re.search(rf'<form id="ca-{a}"[^>]*>(.*?)</form>', html, flags=re.S)
        assert form, a
        assert f'id="ca-{a}-error"' in form.group(1) and 'class="field-errors action-errors"' in form.group(1), a
        assert f'data-testid="ca-{a}-submit"' in form.group(1), a
    for f in ("item", "act_date", "note"):
        assert f'id="ca-correction-{f}"' in html
    assert 'data-nav="cases"' in html and 'id="view-cases"' in html and 'id="view-case"' in html
    assert re.search(r'XY\.addView\("case", showCase, "cases"\)', js)


def test_staff_scripts_stay_small_and_load_in_order() -> None:
    """No script over about 400 lines (issue 11 item 1); the chart library and the core load before the router,
    the router before the domain folders."""
    for name in CORE_SCRIPTS:
        n = len(read(name).splitlines())
        assert n <= 400, f"{name} has {n} lines"
    html = read("index.html")
    order = [html.index(f'src="/static/{n}"') for n in ("vendor/echarts/echarts.min.js", "core/dom.js", "core/api.js",
                                                        "app.js", "overview/dashboard.js", "cases/case_page.js")]
    assert order == sorted(order)
    for name in CORE_SCRIPTS:
        assert f'src="/static/{name}"' in html, f"{name} is not loaded"


def test_echarts_is_vendored_with_its_licence_and_version() -> None:
    """Apache ECharts from the npm registry, served by the application (no CDN), with LICENSE, NOTICE, VERSION."""
    d = STATIC / "vendor" / "echarts"
    assert (d / "echarts.min.js").stat().st_size > 500_000
    assert "Apache License" in (d / "LICENSE").read_text(encoding="utf-8")
    assert (d / "NOTICE").is_file()
    assert "Apache ECharts 5.5.1" in (d / "VERSION").read_text(encoding="utf-8")
    js = staff_js()
    assert "svg" not in re.sub(r'renderer: "svg"|\.chart-canvas svg', "", js).lower() or "createElementNS" not in js
    assert "createElementNS" not in js  # no hand-drawn SVG charts left


# --- the page is assembled from the layout and one partial per domain (issue 11 item 1; README "Web") ----------

VIEWS = ("overview", "subjects", "subject", "enter", "standards", "cases", "case", "supervision", "import")


def test_every_include_marker_of_the_layout_names_a_partial_and_the_served_page_holds_every_view() -> None:
    layout = (STATIC / "index.html").read_text(encoding="utf-8")
    markers = INCLUDE.findall(layout)
    assert len(markers) >= len(VIEWS)
    for name in markers:
        assert (STATIC / name).is_file(), name
        assert name.split("/")[0] not in ("public", "vendor"), name
    page = staff_page()
    assert not INCLUDE.search(page), "a marker was left in the served page"
    for view in VIEWS:
        assert page.count(f' id="view-{view}"') == 1, view
    assert page.count(' id="withdraw-dialog"') == 1
    assert page.rstrip().endswith("</html>")


def test_a_marker_naming_no_file_stops_the_assembly(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text('<main>\n  <!--#include file="nowhere/x.html" -->\n</main>\n')
    with pytest.raises(MissingPartial, match="nowhere/x.html"):
        assemble(tmp_path / "index.html", tmp_path)
    (tmp_path / "index.html").write_text('<main>\n  <!--#include file="../etc/passwd" -->\n</main>\n')
    with pytest.raises(MissingPartial):
        assemble(tmp_path / "index.html", tmp_path / "sub")


def test_the_served_page_is_the_assembled_one(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.text == staff_page()
    assert 'id="view-supervision"' in response.text


@pytest.mark.parametrize("path", sorted(str(p.relative_to(STATIC)) for p in STATIC.rglob("*")
                                        if p.suffix in (".html", ".js", ".css") and "vendor" not in p.parts))
def test_no_script_markup_or_style_file_is_over_about_400_lines(path: str) -> None:
    lines = (STATIC / path).read_text(encoding="utf-8").count("\n")
    assert lines <= 400, f"{path}: {lines} lines; split it by domain (issue 11 item 1)"
