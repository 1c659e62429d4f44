"""One citation key (issue 6 item 4): `122号 Art.16(6)` in code, data, law text and tests.

The key and its Chinese display (xinyong.rules.citation); every key written in the data files is well-formed and
renders to exactly the Chinese the API shows; every article a rule of the data cites has a test marked with it
(`@pytest.mark.article("122号 Art.16(6)")`, or `article:` of a scenario in tests/scenarios/*.yaml).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from xinyong.rules import citation
from xinyong.rules.citation import Citation
from xinyong.standards.loader import DEFAULT_DIR, default_standard_files, load_parameters, load_standard_file

TESTS = Path(__file__).resolve().parents[1]
DATA_FILES = sorted(DEFAULT_DIR.glob("*.yaml"))


# ------------------------------------------------------------------------------------------------ the key itself

@pytest.mark.parametrize("key,parsed,zh", [
    ("122号 Art.16", Citation("122号", 16), "122号 第十六条"),
    ("122号 Art.16(6)", Citation("122号", 16, 6), "122号 第十六条(六)"),
    ("122号 Art.7(2)2", Citation("122号", 7, 2, 2), "122号 第七条(二)2"),
    ("122号 Art.23(1)4", Citation("122号", 23, 1, 4), "122号 第二十三条(一)4"),
    ("122号 Art.28", Citation("122号", 28), "122号 第二十八条"),
    ("4号 Art.17", Citation("4号", 17), "4号 第十七条"),
    ("52号 Art.110", Citation("52号", 110), "52号 第一百一十条"),
])
def test_a_key_parses_formats_and_renders_for_chinese_display(key, parsed, zh):
    assert citation.parse(key) == parsed
    assert citation.key(parsed) == str(parsed) == key
    assert citation.zh(parsed) == zh
    assert citation.from_zh(zh) == parsed
    assert citation.coerce(key) == citation.coerce(zh) == parsed


@pytest.mark.parametrize("key,zh", [("44号 Task 14", "44号 任务14"), ("60号 Task 16", "60号 任务16")])
def test_a_work_plan_task_is_a_key_of_its_own_form(key, zh):
    """Documents without articles cite numbered tasks (spec §0.2): ``44号 Task 12``; a task has no items."""
    parsed = citation.parse(key)
    assert parsed.unit == "Task" and citation.key(parsed) == key and citation.zh(parsed) == zh
    assert parsed != citation.parse(key.replace("Task ", "Art."))  # task 14 is not an article 14
    assert citation.keys_in(f"见 {key} 与 122号 Art.18") == [parsed, citation.parse("122号 Art.18")]
    assert citation.render_zh(f"{key}; 122号 Art.18") == f"{zh}; 122号 第十八条"
    for bad in ("44号 Task 14(2)", "44号 Task.14", "44号 Task 0", "44号 task 14"):
        assert not citation.is_key(bad), bad


@pytest.mark.parametrize("bad", ["122号 Art.0", "122号 art.16", "122号 Art.16()", "122号Art.16", "Art.16(6)",
                                 "122号 Art.16(6", "122号 Art.16 (6)", "122号 Art.16(0)", "第十六条(六)", ""])
def test_a_malformed_key_is_refused_naming_the_form(bad):
    assert not citation.is_key(bad)
    with pytest.raises(ValueError, match="122号 Art.16"):
        citation.parse(bad)


def test_chinese_numbers_round_trip_for_every_article_number():
    for n in range(1, 1000):
        assert citation.from_cn_number(citation.cn_number(n)) == n
    assert [citation.cn_number(n) for n in (1, 10, 11, 20, 28, 101, 110)] == ["一", "十", "十一", "二十", "二十八",
                                                                             "一百零一", "一百一十"]
    with pytest.raises(ValueError):
        citation.from_cn_number("一十六")  # not the usual form of 16


def test_an_article_covers_its_items_and_an_item_its_sub_items():
    art, item, sub = citation.parse("122号 Art.7"), citation.parse("122号 Art.7(2)"), citation.parse("122号 Art.7(2)2")
    assert art.covers(item) and art.covers(sub) and item.covers(sub) and item.covers(item)
    assert not item.covers(art) and not sub.covers(item)
    assert not citation.parse("122号 Art.7(1)").covers(item) and not citation.parse("4号 Art.7").covers(item)
    assert item.article_key == art


def test_free_texts_render_as_the_chinese_they_replaced():
    text = "122号 Art.7 良好信用信息(行政奖励); 122号 Art.11(2)"
    assert citation.render_zh(text) == "122号 第七条 良好信用信息(行政奖励); 第十一条(二)"
    assert citation.render_zh("122号 Art.11(1)(2); 附件2") == "122号 第十一条(一)(二); 附件2"
    assert citation.keys_in("122号 Art.11(1)(2)") == [Citation("122号", 11, 1), Citation("122号", 11, 2)]
    assert citation.to_keys("122号 第十一条(一)(二); 附件2") == "122号 Art.11(1)(2); 附件2"
    # another law's article is not a 122号 citation
    other = "a year per spec G0-1 (民法典 第二百零二条); 国务院令第493号"
    assert citation.to_keys(other) == other and citation.zh_citations_in(other) == []


# ------------------------------------------------------------------------------------------------ the data

def _data_texts() -> list[tuple[str, str]]:
    """(where, text) of every string value in the data files."""
    out: list[tuple[str, str]] = []

    def walk(where: str, value: object) -> None:
        if isinstance(value, str):
            out.append((where, value))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(f"{where}.{k}", v)
        elif isinstance(value, list):
            for n, v in enumerate(value):
                walk(f"{where}[{n}]", v)

    for path in DATA_FILES:
        walk(path.name, yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


def test_every_citation_in_the_data_files_is_a_well_formed_key():
    for where, text in _data_texts():
        for m in re.finditer(r"(\S*) ?Art\.(\S*)", text):
            assert re.fullmatch(r"\d+号", m.group(1)), f"{where}: {m.group(0)!r}: a key starts with its document"
            assert re.match(citation.KEY_PATTERN + r"(\(\d+\))*(?![\d(])", m.group(0)), f"{where}: {m.group(0)!r}"
        # no article of a measure is still written in Chinese in the data (the display is rendered from the key)
        assert citation.zh_citations_in(text) == [], f"{where}: {text!r} cites an article in Chinese, not by key"


def test_the_data_renders_to_the_same_chinese_the_api_showed_before_the_key():
    for where, text in _data_texts():
        shown = citation.render_zh(text)
        assert citation.to_keys(shown) == text, where
    params = load_parameters().at(load_parameters().value("measures_validity", __import__("datetime").date.min)["from"])
    items = [it for path in default_standard_files() for it in load_standard_file(path, params).items]
    heavier = next(it for it in items if it.heavier and it.family == "general")
    assert heavier.article == "122号 第十六条(六); 第七条 不良信用信息(行政处罚)"
    fused = [it for it in items if it.fuse]
    assert {it.fuse for it in fused} == {"第十六条(一)", "第十六条(二)", "第十六条(三)", "第十六条(四)", "第十六条(五)",
                                          "第十六条(七)"}
    assert {str(it.fuse_key) for it in fused} == {f"122号 Art.16({n})" for n in (1, 2, 3, 4, 5, 7)}
    assert all(Citation("122号", 16, int(str(it.fuse_key)[-2])) in it.citations for it in fused)


def rule_keys_in_the_data() -> dict[str, set[str]]:
    """Every key cited by a rule of the data: the items' `article` and `fuse` (standards) and the references of
    the framework parameters. Maps the key to where it is cited."""
    where: dict[str, set[str]] = {}
    for path in default_standard_files():
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for it in raw["items"]:
            for field in ("article", "fuse"):
                for c in citation.keys_in(str(it.get(field) or "")):
                    where.setdefault(str(c), set()).add(f"{path.name}:{it['code']}.{field}")
    raw = yaml.safe_load((DEFAULT_DIR / "parameters.yaml").read_text(encoding="utf-8"))
    for name, spec in raw.items():
        for since, entry in spec["values"].items():
            for c in citation.keys_in(str(entry.get("reference", ""))):
                where.setdefault(str(c), set()).add(f"parameters.yaml:{name}@{since}")
    return where


def keys_marked_in_tests() -> dict[str, set[str]]:
    """Keys of every `article(...)` call in the test files (the pytest marker or a helper of that name) and of
    every scenario's `article:` in tests/scenarios/*.yaml, read from the source text."""
    marked: dict[str, set[str]] = {}
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else None
            if name != "article":
                continue
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    marked.setdefault(arg.value, set()).add(f"{path.relative_to(TESTS)}:{node.lineno}")
    for path in sorted((TESTS / "scenarios").glob("*.yaml")):
        for scenario in yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"]:
            for key in [scenario.get("article")] if isinstance(scenario.get("article"), str) else scenario.get("article", []):
                marked.setdefault(key, set()).add(f"scenarios/{path.name}: {scenario['name']}")
    return marked


def test_every_marker_in_the_tests_is_a_well_formed_key():
    for key, where in keys_marked_in_tests().items():
        assert citation.is_key(key), f"{key!r} marked at {sorted(where)} is not a citation key"


def test_every_article_a_rule_of_the_data_cites_has_a_test_marked_with_it():
    marked = set(keys_marked_in_tests())
    missing = {key: sorted(where) for key, where in rule_keys_in_the_data().items() if key not in marked}
    assert not missing, f"no test marked with these keys (add @pytest.mark.article(key) to the test that proves it): {missing}"


def test_the_law_text_has_every_article_of_122_under_its_key_and_every_cited_item():
    law = (TESTS.parent / "docs" / "law" / "122号.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (122号 Art\.\d+)$", law, re.M)
    assert headings == [f"122号 Art.{n}" for n in range(1, 29)]
    for n in range(1, 29):  # each section starts with the article's own words: 第N条
        section = law.split(f"## 122号 Art.{n}\n", 1)[1]
        assert section.lstrip().startswith(f"第{citation.cn_number(n)}条"), n
    anchors = set(re.findall(r"^(?:## |<!-- )(122号 Art\.[^\s]+)", law, re.M))
    for key in rule_keys_in_the_data():
        assert key in anchors, f"{key} is cited by the data but has no section or item anchor in docs/law/122号.md"


def _law_section(law: str, key: Citation) -> str:
    """The text of one article of docs/law/122号.md with its lines joined (the seed breaks lines mid-sentence)."""
    section = law.split(f"## 122号 Art.{key.article}\n", 1)[1].split("\n## ", 1)[0]
    section = re.sub(r"<!--.*?-->", "", section)
    return "".join(line.strip().removeprefix("- ") for line in section.splitlines())


@pytest.mark.article("122号 Art.12")
def test_every_quote_of_122_in_the_parameters_is_the_article_verbatim_122_art12():
    """A `reference:` of parameters.yaml / evidence.yaml quotes the measure as `122号 Art.N(n) "…"`; each quote
    (parts joined by " … ") is found, character for character, in that article of docs/law/122号.md."""
    law = (TESTS.parent / "docs" / "law" / "122号.md").read_text(encoding="utf-8")
    quoted = 0
    for name in ("parameters.yaml", "evidence.yaml"):
        for spec in yaml.safe_load((DEFAULT_DIR / name).read_text(encoding="utf-8")).values():
            for entry in spec["values"].values():
                ref = " ".join(str(entry["reference"]).split())
                for m in re.finditer(r"(122号 Art\.[0-9()]+) \"([^\"]+)\"", ref):
                    text = _law_section(law, citation.keys_in(m.group(1))[0])
                    for part in m.group(2).split(" … "):
                        assert part in text, f"{name}: {m.group(1)} does not read {part!r}"
                        quoted += 1
    assert quoted >= 12
