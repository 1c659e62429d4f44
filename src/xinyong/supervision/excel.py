"""Excel 台账 of 分级分类监管: a measures list in and out in the column order of its template (122号 Art.24, Annex 5:
信用等级, 监管应用事项, 措施依据, 实施类别, 实施部门; then 流程 and 检查系数, which the system needs to apply a line,
and the optional 信用级别 of G1-10), rankings (122号 Art.17), the decision log (122号 Art.22, 25) and inspection
plans with their re-computation recipe (122号 Art.25, spec G1-09). The sheets are built from the same bodies the
JSON routes answer with, so an export shows exactly what its JSON twin shows (masking included).

An imported sheet becomes a draft exactly as POST /api/v1/measures makes one; every problem names the sheet row and
column (zh + en) and nothing is written when there is one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from ..auth.actors import Actor
from ..core.uow import UnitOfWork
from ..core.xlsx import Column, Sheet, WorkbookError, read_first_sheet, workbook_bytes
from ..errors import InputError, Problem
from ..errors_http import validation_problems
from ..standards.loader import load_parameters
from . import service
from .models import MeasuresList
from .schemas import MeasuresEntryIn


@dataclass(frozen=True)
class MeasuresColumn:
    title: str  # the template's header
    key: str  # MeasuresEntryIn field
    en: str
    required: bool
    width: float


# Annex 5 order (122号 Art.24), then what the system applies a line by
MEASURES_COLUMNS = (
    MeasuresColumn("信用等级", "grade", "credit grade", True, 10),
    MeasuresColumn("监管应用事项", "item", "supervision or application item", True, 40),
    MeasuresColumn("措施依据", "basis", "legal basis", True, 36),
    MeasuresColumn("实施类别", "category", "implementation category", True, 14),
    MeasuresColumn("实施部门", "department", "implementing department", True, 16),
    MeasuresColumn("流程", "process", "process", True, 16),
    MeasuresColumn("检查系数", "inspection_factor", "inspection factor", False, 10),
    MeasuresColumn("信用级别", "level", "credit level (G1-10)", False, 10),
)
_BY_TITLE = {c.title: c for c in MEASURES_COLUMNS}
_BY_KEY = {c.key: c for c in MEASURES_COLUMNS}
MAX_ENTRIES = 500  # as MeasuresListIn
STATUS_ZH = {"draft": "草案", "approved": "已审定", "filed": "已备案（未施行）", "in_force": "施行中",
             "superseded": "已被替代", "published": "已发布"}


def _text(value: Any) -> str:
    """A cell as text: 12.0 (Excel stores numbers as floats) → "12"; a date → ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _problem(row: int, col: MeasuresColumn, zh: str, en: str) -> Problem:
    return Problem(f"rows[{row}].{col.key}", f"第 {row} 行「{col.title}」列：{zh}",
                   f"row {row}, column {col.title} ({col.en}): {en}")


def _header(cells: list[Any]) -> tuple[dict[int, MeasuresColumn], list[Problem]]:
    titles = [_text(c).replace("*", "").replace("＊", "").strip() for c in cells]
    problems, at = [], {}
    for n, title in enumerate(titles, start=1):
        if not title:
            continue
        col = _BY_TITLE.get(title)
        if col is None:
            problems.append(Problem(f"rows[1].column{n}", f"第 1 行第 {n} 列：未知表头「{title}」，表头应为 "
                                    f"{'、'.join(c.title for c in MEASURES_COLUMNS)}",
                                    f"row 1, column {n}: unknown header {title!r}; the headers are "
                                    f"{', '.join(c.title for c in MEASURES_COLUMNS)}"))
        elif col in at.values():
            problems.append(Problem(f"rows[1].{col.key}", f"第 1 行：表头「{title}」重复",
                                    f"row 1: header {title} appears twice"))
        else:
            at[n - 1] = col
    for col in MEASURES_COLUMNS:
        if col.required and col not in at.values():
            problems.append(Problem(f"rows[1].{col.key}", f"第 1 行：缺少「{col.title}」列 (122号 第二十四条 附件5)",
                                    f"row 1: the column {col.title} ({col.en}) is missing (122号 Art.24, Annex 5)"))
    return at, problems


def _grade_and_level(raw: str, level_raw: str, levels: dict[str, str]) -> tuple[str, str | None]:
    """信用等级 holds the grade (A/B/C/D, "A级" too) or a nine-level level (e.g. B+, whose grade it implies);
    信用级别, when given, is the level."""
    value = raw.upper().removesuffix("级").strip()
    level = level_raw.upper().removesuffix("级").strip() or None
    if value not in service.GRADES and value in levels:
        return levels[value], level or value
    return value, level


def parse_measures(data: bytes, kind: str, today: date) -> list[MeasuresEntryIn]:
    """The lines of a measures-list sheet; InputError (422) with every problem, each naming its row and column."""
    try:
        rows = read_first_sheet(data)
    except WorkbookError as exc:
        raise InputError("file", f"无法读取 Excel 文件（应为 .xlsx）：{exc}",
                         f"cannot read the workbook (an .xlsx file is expected): {exc}") from None
    if not rows or not any(_text(c) for c in rows[0]):
        raise InputError("file", "工作表为空：第 1 行应为表头", "the sheet is empty: row 1 must hold the headers")
    at, problems = _header(rows[0])
    if problems:
        first, *rest = problems
        raise InputError(first.field, first.reason_zh, first.reason_en, *rest)
    levels = {band.level: band.grade for band in load_parameters().at(today).levels}
    names = {name: code for code, name in service.processes().items()}
    entries: list[MeasuresEntryIn] = []
    row_of: list[int] = []
    for n, cells in enumerate(rows[1:], start=2):
        raw = {col.key: _text(cells[i]) if i < len(cells) else "" for i, col in at.items()}
        if not any(raw.values()):
            continue  # blank lines between blocks are common in a 台账
        body: dict[str, Any] = {k: v for k, v in raw.items() if k not in ("grade", "level", "inspection_factor",
                                                                            "process")}
        body["grade"], body["level"] = _grade_and_level(raw.get("grade", ""), raw.get("level", ""), levels)
        process = raw.get("process", "")
        body["process"] = names.get(process, process)
        if process and body["process"] not in service.processes():
            problems.append(_problem(n, _BY_KEY["process"], f"未知流程「{process}」，可选 {'、'.join(names)}",
                                     f"unknown process {process!r}; one of {', '.join(service.processes())}"))
            continue
        factor = raw.get("inspection_factor", "")
        if factor:
            try:
                body["inspection_factor"] = float(factor)
            except ValueError:
                problems.append(_problem(n, _BY_KEY["inspection_factor"], f"「{factor}」不是数字",
                                         f"{factor!r} is not a number"))
                continue
        try:
            entries.append(MeasuresEntryIn.model_validate(body))
            row_of.append(n)
        except ValidationError as exc:
            for p in validation_problems(list(exc.errors())):
                col = _BY_KEY.get(p["field"].split(".")[-1], _BY_KEY["grade"])
                problems.append(_problem(n, col, p["reason_zh"], p["reason_en"]))
    if not entries and not problems:
        raise InputError("file", "工作表没有措施行", "the sheet holds no measure lines")
    if len(entries) > MAX_ENTRIES:
        problems.append(Problem("file", f"一份清单最多 {MAX_ENTRIES} 行措施", f"a list holds at most {MAX_ENTRIES} lines"))
    # the rules of a list (grades of its kind, levels within their grade, factors, no line twice), named by row
    for p in service.entry_problems(kind, entries, today):
        head, _, key = p.field.partition(".")
        if head.startswith("entries[") and key in _BY_KEY:
            n = row_of[int(head[len("entries["):-1])]
            problems.append(_problem(n, _BY_KEY[key], p.reason_zh, p.reason_en))
        else:
            problems.append(Problem("file", p.reason_zh, p.reason_en))
    if problems:
        first, *rest = problems
        raise InputError(first.field, first.reason_zh, first.reason_en, *rest)
    return entries


def import_measures(uow: UnitOfWork, data: bytes, industry: str, kind: str, note: str | None, actor: Actor
                    ) -> MeasuresList:
    """A draft from a sheet, exactly as POST /api/v1/measures makes one (who may draft first: 403 before 422)."""
    service.check_industry(uow.session, industry)
    service.check_may_draft(uow.session, actor, industry)
    entries = parse_measures(data, kind, uow.clock.today())
    return service.create_draft(uow, industry, kind, note, entries, actor)


# --- exports ------------------------------------------------------------------------------------------------

def measures_workbook(body: dict[str, Any]) -> bytes:
    """A list version (service.list_out) in the template's column order, and its facts on a second sheet."""
    names = service.processes()
    lines = [[e["grade"], e["item"], e["basis"], e["category"], e["department"], names.get(e["process"], e["process"]),
              e["inspection_factor"], e["level"]] for e in body["entries"]]
    columns = [Column(c.title, c.width, "number" if c.key == "inspection_factor" else "text") for c in MEASURES_COLUMNS]
    facts = [("清单编号", body["id"]), ("行业", body["industry"]),
             ("种类", service.kind_name(body["kind"])), ("版本", body["version"]),
             ("状态", STATUS_ZH.get(body["status"], body["status"])), ("状态日期", body["on"]),
             ("施行日期", body["effective_from"]), ("应更新日期", body["update_due"]),
             ("编制人", body["drafted_by"]), ("编制部门", body["drafted_department"]),
             ("审定人", body["approved_by"]), ("审定时间", body["approved_at"]),
             ("备案人", body["filed_by"]), ("备案时间", body["filed_at"]),
             ("说明", body["note"])]
    return workbook_bytes([Sheet("措施清单", columns, lines), _facts_sheet("清单信息", facts)])


def _facts_sheet(title: str, facts: Sequence[tuple[str, Any]]) -> Sheet:
    """Label / value pairs, one per row; each value cell typed by its value (a date stays a date)."""
    return Sheet(title, [Column("项目", 24), Column("内容", 80, "auto")], [[label, value] for label, value in facts])


def ranking_workbook(body: dict[str, Any], staff: bool) -> bytes:
    """A ranking (rankings.ranking_out): staff see the tie-break columns, the public what the public JSON shows."""
    columns = [Column("名次", 8, "int"), Column("统一社会信用代码/身份证号", 26), Column("名称", 30),
               Column("得分", 8, "int"), Column("信用等级", 10), Column("信用级别", 10), Column("熔断", 8, "bool")]
    if staff:
        columns += [Column("期间不良记录数", 14, "int"), Column("最近不良记录日期", 16, "date")]
    rows = []
    for e in body["entries"]:
        row = [e["rank"], e["subject"], e["name"], e["score"], e["grade"], e["level"], e["fused"]]
        if staff:
            row += [e["bad_records"], e["last_bad_on"]]
        rows.append(row)
    facts: list[tuple[str, Any]] = [
        ("排行榜编号", body["id"]), ("行业", body["industry"]), ("排名日期", body["as_of"]),
        ("状态", STATUS_ZH.get(body["status"], body["status"])),
        ("发布时间", body["approved_at"])]
    if staff:
        facts += [("统计期间起始", body["period_start"]), ("月度快照", body["month"]),
                  ("编制人", body["created_by"]), ("审定人", body["approved_by"])]
    facts.append(("排序规则", "熔断对象列后；得分降序；同分者期间不良记录少者在前；再按最近不良记录较早者在前；再按代码升序"
                           "（122号 第十七条, G1-11）"))
    return workbook_bytes([Sheet("排行榜", columns, rows), _facts_sheet("说明", facts)])


def decision_log_workbook(page: dict[str, Any]) -> bytes:
    """The decision log (decisions.log_page): who asked, for which process, what was answered."""
    names = service.processes()
    columns = [Column("编号", 8, "int"), Column("查询时间", 20, "datetime"), Column("查询人", 16), Column("角色", 12),
               Column("部门", 14), Column("渠道", 10), Column("对象代码", 24), Column("流程", 16), Column("行业", 14),
               Column("信用等级", 10), Column("信用级别", 10), Column("熔断", 8, "bool"), Column("适用措施", 50),
               Column("提示", 50), Column("用途", 24), Column("法律依据", 24)]
    rows = [[r["id"], r["at"], r["actor"], r["role"], r["department"], r["channel"], r["subject"],
             names.get(r["process"], r["process"]), r["industry"] or "general", r["grade"], r["level"], r["fused"],
             "\n".join(f"{m.get('item', '')}（{m.get('basis', '')}；{m.get('department', '')}）" for m in r["measures"]),
             "\n".join(str(w.get("reason_zh", "")) for w in r["warnings"]), r["purpose"], r["legal_basis"]]
            for r in page["items"]]
    return workbook_bytes([Sheet("决策查询日志", columns, rows)])


def plan_workbook(plan: dict[str, Any]) -> bytes:
    """An inspection plan as published (inspections.service.plan_out): the draws with their inspectors, the
    population, the whitelisted, the quotas, and the seed with the recipe — everything a re-computation needs.
    The population sheet carries each subject's SHA-256("{seed}:{code}") (blank for a masked code)."""
    seed = plan["seed"]

    def key(code: str) -> str:
        return "" if "*" in code else hashlib.sha256(f"{seed}:{code}".encode()).hexdigest()

    draws = [[n, d["code"], d["grade"], *(list(d["inspectors"]) + ["", ""])[:2], d["reason"]]
             for n, d in enumerate(plan["draws"], start=1)]
    population = [[p["code"], p["grade"], key(p["code"])] for p in plan["population"]]
    quotas = [[q["grade"], q["factor"], q["ratio"], q["population"], q["count"], q["every_drawn"]]
              for q in plan["quotas"]]
    facts: list[tuple[str, Any]] = [
        ("计划编号", plan["id"]), ("部门", plan["department"]), ("行业", plan["industry"]),
        ("计划期初", plan["period_start"]), ("计划期末", plan["period_end"]),
        ("抽取日期", plan["drawn_on"]), ("抽取人", plan["drawn_by"]),
        ("随机种子 seed", seed), ("基础比例 base_ratio", plan["base_ratio"]),
        ("系数 factors", "，".join(f"{g}={f}" for g, f in plan["factors"].items())),
        ("全部抽取等级 every_drawn", "、".join(plan["every_drawn"]) or "无"),
        ("系数来源", plan["factors_source"]),
        ("检查人员名录 inspectors", "、".join(plan["inspectors"])),
        ("摘要 digest (SHA-256)", plan["digest"])]
    facts += [("复算方法 recipe" if n == 0 else "", line) for n, line in enumerate(plan["recipe"].splitlines())]
    return workbook_bytes([
        Sheet("抽取结果", [Column("序号", 6, "int"), Column("对象代码", 24), Column("信用等级", 10),
                       Column("检查人员1", 14), Column("检查人员2", 14), Column("抽取理由", 60)], draws),
        Sheet("对象名单", [Column("对象代码", 24), Column("信用等级", 10), Column("SHA-256(seed:代码)", 66)], population),
        Sheet("白名单", [Column("对象代码", 24), Column("信用等级", 10)],
              [[w["code"], w["grade"]] for w in plan["whitelisted"]]),
        Sheet("抽取比例", [Column("信用等级", 10), Column("系数", 10), Column("比例", 10), Column("对象数", 10, "int"),
                       Column("抽取数", 10, "int"), Column("全部抽取", 10, "bool")], quotas),
        _facts_sheet("随机种子与复算方法", facts),
    ])
