"""Command-line subcommands of 监督检查 plans, added to `xinyong supervision` (this domain sits above supervision,
so it registers that domain's commands and then its own):

    xinyong supervision plan draw --department D --industry I --from DAY --to DAY --ratio R [--seed HEX]
    xinyong supervision plan verify ID     re-compute the stored draw; prints OK or the first difference (exit 1)

`plan verify` is a second, independent implementation of the published recipe (draw.RECIPE; 122号 Art.25, spec
G1-09, X-09): it reads nothing but the plan as stored — population, whitelisted, seed, factors, base ratio,
inspector list — and uses nothing of draw.py, so a fault in one implementation shows as a difference.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from pydantic import ValidationError
from tqdm import tqdm

from ..auth.actors import OPERATOR
from ..core.cli import engine, guarded, iso_date
from ..core.uow import start
from ..errors_http import validation_problems
from ..supervision import cli as supervision_cli
from . import service
from .schemas import PlanIn

_SEED = re.compile(r"[0-9a-f]{32}")
_TEAM = 2  # 双随机: two inspectors per drawn subject


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fraction(text: str) -> Fraction:
    return Fraction(Decimal(str(text)))


def recompute(body: dict[str, Any], digest: str | None = None, tick: Callable[[int], object] | None = None
              ) -> str | None:
    """None when the stored draw is exactly what the recipe gives from the stored population and seed; else the
    first difference, in words (zh / en)."""
    seed = str(body.get("seed", ""))
    if not _SEED.fullmatch(seed):
        return f"随机种子不是 32 位小写十六进制 / the seed is not 32 lowercase hex characters: {seed!r}"
    if digest is not None:
        canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        if _sha(canonical) != digest:
            return "计划内容与其摘要不符 / the stored plan does not match its digest"
    population = [(str(p["code"]), str(p["grade"])) for p in body["population"]]
    codes = [c for c, _g in population]
    if len(set(codes)) != len(codes):
        return "对象名单有重复代码 / a code appears twice in the population"
    listed = sorted(set(codes) & {str(w["code"]) for w in body.get("whitelisted", [])})
    if listed:
        return f"白名单对象出现在对象名单中 / whitelisted subject(s) in the population: {', '.join(listed)}"
    try:
        base = _fraction(body["base_ratio"])
        factors = {str(g): _fraction(f) for g, f in body["factors"].items()}
    except (InvalidOperation, ValueError, TypeError) as exc:
        return f"比例或系数不是小数 / a ratio or factor is not a decimal: {exc}"
    whole = {str(g) for g in body.get("every_drawn", [])}
    missing = sorted({g for _c, g in population} - set(factors))
    if missing:
        return f"等级缺少系数 / no factor for grade(s): {', '.join(missing)}"
    team = [str(i) for i in body["inspectors"]]
    expected: list[tuple[str, str, list[str]]] = []
    for grade, factor in factors.items():
        members = [c for c, g in population if g == grade]
        if grade in whole:
            n = len(members)
        else:
            share = min(Fraction(1), factor * base) * len(members)
            n = -(-share.numerator // share.denominator)  # ceil, exactly
        ordered = sorted(members, key=lambda c: (_sha(f"{seed}:{c}"), c))
        for code in ordered[:n]:
            inspectors = sorted(team, key=lambda i, c=code: (_sha(f"{seed}:{c}:{i}"), i))[:_TEAM]
            expected.append((code, grade, inspectors))
        if tick is not None:
            tick(len(members))
    stored = [(str(d["code"]), str(d["grade"]), [str(i) for i in d["inspectors"]]) for d in body["draws"]]
    for n, (want, got) in enumerate(zip(expected, stored, strict=False), start=1):
        if want != got:
            return (f"第 {n} 个抽取结果不同 / draw {n} differs: 复算 / re-computed {want[0]} ({want[1]}) "
                    f"inspectors {','.join(want[2])}; 存储 / stored {got[0]} ({got[1]}) inspectors {','.join(got[2])}")
    if len(expected) != len(stored):
        return (f"抽取数不同 / the number drawn differs: 复算 / re-computed {len(expected)}, 存储 / stored "
                f"{len(stored)}")
    return None


@guarded
def cmd_plan_draw(args: argparse.Namespace) -> int:
    try:
        data = PlanIn(department=args.department, industry=args.industry, period_start=args.period_start,
                      period_end=args.period_end, base_ratio=args.ratio, seed=args.seed)
    except ValidationError as exc:
        for p in validation_problems(list(exc.errors())):
            print(f"{p['field']}: {p['reason_zh']} / {p['reason_en']}", file=sys.stderr)
        return 2
    bar = tqdm(total=1, desc=f"抽取 / drawing {args.industry}", file=sys.stderr, disable=None)
    try:
        with start(engine(), OPERATOR) as uow:
            row = service.draw_plan(uow, data, OPERATOR)
            uow.audit("inspection_plan.draw", f"inspection_plan:{row.id}", f"{row.industry} seed {row.seed} {row.digest}")
            plan = service.plan_out(row, False)  # the console shows ID numbers masked
            bar.update(1)
    finally:
        bar.close()
    print(f"已生成检查计划 / plan #{plan.id} {plan.department} {plan.industry} {plan.period_start}..{plan.period_end} "
          f"seed {plan.seed} digest {plan.digest}")
    for q in plan.quotas:
        print(f"  {q.grade}: factor {q.factor} ratio {q.ratio} — {q.count} of {q.population}"
              + (" (全部抽取 / every one)" if q.every_drawn else ""))
    print(f"  白名单 / whitelisted: {len(plan.whitelisted)}; 抽取 / drawn: {len(plan.draws)}")
    for d in plan.draws:
        print(f"  {d.code} {d.grade} {','.join(d.inspectors)}")
    return 0


@guarded
def cmd_plan_verify(args: argparse.Namespace) -> int:
    with start(engine(), OPERATOR, writing=False) as uow:
        row = service.get_plan(uow.session, args.id)
        body, digest = row.body, row.digest
    bar = tqdm(total=len(body["population"]), unit="个", desc=f"复算 / re-computing plan {args.id}", file=sys.stderr,
               disable=None)
    try:
        difference = recompute(body, digest, tick=bar.update)
    finally:
        bar.close()
    if difference is not None:
        print(f"不一致 / DIFFERENCE in plan #{args.id}: {difference}")
        return 1
    print(f"OK plan #{args.id}: {len(body['draws'])} drawn of {len(body['population'])} re-computed from seed "
          f"{body['seed']}; digest {digest} matches")
    return 0


def _ratio(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise argparse.ArgumentTypeError(f"比例应为小数，如 0.1 / expected a decimal such as 0.1: {value}") from exc


def register_plans(supervision: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `plan draw` and `plan verify` to the `supervision` subcommands."""
    ps = supervision.add_parser("plan", help="监督检查计划 / inspection plans (122号 第二十五条)").add_subparsers(
        dest="plan_command", required=True)
    s = ps.add_parser("draw", help="draw a plan as the recipe says; prints its seed, quotas and draws")
    s.add_argument("--department", required=True)
    s.add_argument("--industry", required=True)
    s.add_argument("--from", dest="period_start", required=True, type=iso_date)
    s.add_argument("--to", dest="period_end", required=True, type=iso_date)
    s.add_argument("--ratio", required=True, type=_ratio, help="grade C's routine ratio (base_ratio), e.g. 0.1")
    s.add_argument("--seed", help="32 lowercase hex characters (default: generated)")
    s.set_defaults(func=cmd_plan_draw)
    s = ps.add_parser("verify", help="re-compute the stored draw independently; OK or the first difference (exit 1)")
    s.add_argument("id", type=int)
    s.set_defaults(func=cmd_plan_verify)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`xinyong supervision …` with its plan commands (supervision's own commands first)."""
    register_plans(supervision_cli.register(sub))
