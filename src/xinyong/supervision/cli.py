"""Command-line subcommands of 分级分类监管 (122号 Art.17, 20–25), registered into `xinyong supervision`:

    xinyong supervision measures list [--industry I] [--kind K]     every version with its status today
    xinyong supervision measures import FILE --industry I --kind K   a draft from an Excel sheet (Annex 5 columns)
    xinyong supervision measures export ID FILE                      a version as an Excel sheet
    xinyong supervision decision --subject CODE --process P [--industry I]   logged like the API (actor "cli")
    xinyong supervision rankings draft --industry I [--as-of DAY]    a draft snapshot (122号 Art.17)
    xinyong supervision rankings export ID FILE                      a ranking as an Excel sheet

The plan commands (`plan draw`, `plan verify`) belong to the inspections domain, which sits above this one: it adds
them to the subcommands `register` returns (inspections/cli.py). Every command acts as the console operator
(OPERATOR, audited as "cli"); a refusal prints `field: 中文 / English` lines and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from ..auth.actors import OPERATOR
from ..core.cli import engine, guarded, iso_date
from ..core.uow import start
from . import decisions, excel, rankings, repository, service


def write_file(path: Path, data: bytes) -> bool:
    try:
        path.write_bytes(data)
    except OSError as exc:
        print(f"无法写入 / cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


@guarded
def cmd_measures_list(args: argparse.Namespace) -> int:
    with start(engine(), OPERATOR, writing=False) as uow:
        today = uow.clock.today()
        rows = [service.list_out(uow.session, r, today)
                for r in repository.measures_lists(uow.session, args.industry, args.kind)]
    if not rows:
        print("没有措施清单 / no measures lists")
    for r in rows:
        print(f"#{r['id']} {r['industry']} {r['kind']} v{r['version']} {r['status']}"
              f" effective {r['effective_from'] or '-'} entries {len(r['entries'])}"
              + (f" 应更新 / update due {r['update_due']}" if r["stale"] else ""))
    return 0


@guarded
def cmd_measures_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"无法读取 / cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    actor = OPERATOR
    with start(engine(), actor) as uow:
        row = excel.import_measures(uow, data, args.industry, args.kind, args.note, actor)
        line = (f"已导入草案 / draft imported: #{row.id} {row.industry} {row.kind} v{row.version}, "
                f"{len(row.entries)} entries from {path.name}")
    print(line)
    return 0


@guarded
def cmd_measures_export(args: argparse.Namespace) -> int:
    with start(engine(), OPERATOR, writing=False) as uow:
        body = service.list_out(uow.session, service.get_list(uow.session, args.id), uow.clock.today())
    out = Path(args.file)
    if not write_file(out, excel.measures_workbook(body)):
        return 2
    print(f"已导出 / exported measures list #{body['id']} v{body['version']} ({len(body['entries'])} entries) → {out}")
    return 0


@guarded
def cmd_decision(args: argparse.Namespace) -> int:
    with start(engine(), OPERATOR) as uow:
        answer = decisions.decide(uow, OPERATOR, args.subject, args.process, args.industry)
    print(f"{answer['subject']} {answer['name']}: {answer['industry'] or 'general'} score {answer['score']} "
          f"grade {answer['grade']} level {answer['level']}" + (" 熔断 / fused" if answer["fused"] else "")
          + f" (log #{answer['log_id']})")
    for m in answer["measures"]:
        print(f"  措施 / measure [{m['kind']}] {m['item']} — {m['basis']} ({m['category']}, {m['department']})")
    if not answer["measures"]:
        print("  无适用措施 / no measures apply")
    for w in answer["warnings"]:
        print(f"  提示 / warning {w['code']}: {w['reason_zh']}")
    return 0


@guarded
def cmd_rankings_draft(args: argparse.Namespace) -> int:
    bar = tqdm(total=1, desc=f"排行榜 / ranking {args.industry}", file=sys.stderr, disable=None)
    try:
        with start(engine(), OPERATOR) as uow:
            row = rankings.create_ranking(uow, args.industry, args.as_of or uow.clock.today(), OPERATOR)
            body = rankings.ranking_out(row, False, staff=True)  # the console shows ID numbers masked
            bar.update(1)
    finally:
        bar.close()
    print(f"已生成草稿 / draft ranking #{body['id']} {body['industry']} as of {body['as_of']}: "
          f"{len(body['entries'])} entries")
    for e in body["entries"][:10]:
        print(f"  {e['rank']:>3} {e['subject']} {e['name']} {e['score']} {e['grade']}"
              + (" 熔断 / fused" if e["fused"] else ""))
    return 0


@guarded
def cmd_rankings_export(args: argparse.Namespace) -> int:
    with start(engine(), OPERATOR, writing=False) as uow:
        # a file leaves the system: individuals' ID numbers masked as in the public JSON (spec G1-17)
        body = rankings.ranking_out(rankings.get_ranking(uow, args.id), False, staff=True)
    out = Path(args.file)
    if not write_file(out, excel.ranking_workbook(body, staff=True)):
        return 2
    print(f"已导出 / exported ranking #{body['id']} ({body['status']}, {len(body['entries'])} entries) → {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    """Add `supervision …` to the top-level parser; returns its subcommands (inspections adds `plan`)."""
    ss = sub.add_parser("supervision", help="分级分类监管 / measures lists, decisions, rankings (122号 第十七条, "
                                            "第二十条至第二十五条)").add_subparsers(dest="supervision_command",
                                                                              required=True)
    kinds = list(service.KINDS)

    ms = ss.add_parser("measures", help="措施清单 / measures lists (122号 第二十四条)").add_subparsers(
        dest="measures_command", required=True)
    s = ms.add_parser("list", help="every version with its status today")
    s.add_argument("--industry")
    s.add_argument("--kind", choices=kinds)
    s.set_defaults(func=cmd_measures_list)
    s = ms.add_parser("import", help="a draft from an .xlsx sheet: 信用等级, 监管应用事项, 措施依据, 实施类别, 实施部门, "
                                     "流程, 检查系数[, 信用级别]")
    s.add_argument("file")
    s.add_argument("--industry", required=True, help='an industry code, or "general"')
    s.add_argument("--kind", required=True, choices=kinds)
    s.add_argument("--note")
    s.set_defaults(func=cmd_measures_import)
    s = ms.add_parser("export", help="a version as an .xlsx sheet")
    s.add_argument("id", type=int)
    s.add_argument("file")
    s.set_defaults(func=cmd_measures_export)

    s = ss.add_parser("decision", help="grade and measures for a subject in a process, logged (122号 第二十二条, "
                                       "第二十三条, 第二十五条)")
    s.add_argument("--subject", required=True)
    s.add_argument("--process", required=True, choices=list(service.processes()))
    s.add_argument("--industry")
    s.set_defaults(func=cmd_decision)

    rs = ss.add_parser("rankings", help="排行榜 / rankings (122号 第十七条)").add_subparsers(
        dest="rankings_command", required=True)
    s = rs.add_parser("draft", help="a draft snapshot of an industry")
    s.add_argument("--industry", required=True)
    s.add_argument("--as-of", type=iso_date, default=None, help="default today (Beijing time)")
    s.set_defaults(func=cmd_rankings_draft)
    s = rs.add_parser("export", help="a ranking as an .xlsx sheet (ID numbers masked)")
    s.add_argument("id", type=int)
    s.add_argument("file")
    s.set_defaults(func=cmd_rankings_export)
    return ss
