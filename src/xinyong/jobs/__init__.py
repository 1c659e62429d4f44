"""Scheduled work in one place (issue 8 item 6): the daily jobs, run by `xinyong jobs run [--date D]` and by
`xinyong serve` (DailyRefresher) from the same registry, in this order:

1. case_deadlines — every overdue step of an objection or repair case flagged to whoever holds it (122号 Art.18;
   G1-07);
2. commitments — the overdue notice the day after a commitment's due day, the breach record the day after its
   grace (122号 Art.8 last paragraph, 122号 Art.7(2), 122号 Art.16(3));
3. listing_removals — listings whose fixed period ended, removed without any application (44号 Task 14; G3-01(a));
4. record_expiry — records whose effect ended, withdrawn as an automatic repair (44号 Task 14; G3-01);
5. evaluation_refresh — stored evaluations current across midnight and the 1 January re-seed (122号 Art.13; G1-02);
6. measures_reminders — a measures list in force for 12 months is due for its yearly update: the coordinating
   department and the industry's regulator are told once (122号 Art.24 原则上每年更新一次; spec D1-42);
7. ranking_drafts — the month's ranking snapshot of every industry as a draft for the leader's approval
   (122号 Art.17; G1-11), once a month;
8. whitelist_review — the 无事不扰 whitelist reviewed by rule at the first run of each quarter (44号 Task 12;
   G3-02);
9. lateness_snapshot — the lateness report's counts up to yesterday (122号 Art.8(1)), so the dashboard adds only
   the newest records (issue 11: pages under 300 ms at a million records);
10. archive_checkpoint — a signed checkpoint of the archive at least daily (122号 Art.19), last, so it covers what
   the jobs before it archived.

Idempotent: a job claims its (name, day) row in job_runs in the same transaction as its work (both or neither),
so running twice the same day does nothing more and says so; a concurrent runner waits for the claim and then
finds it taken. A job that fails leaves no claim and runs again next time. A job that could not act yet (the
archive without a signing key) leaves no claim either.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Literal

import structlog
from sqlalchemy import Engine

from ..archive import signing
from ..archive.checkpoints import checkpoint_if_due
from ..auth.actors import SYSTEM
from ..cases.service import flag_overdue_cases
from ..commitments.service import run_deadlines
from ..core.cli import engine as cli_engine
from ..core.cli import iso_date
from ..core.clock import DayClock, beijing_today, clock, clock_at
from ..core.uow import UnitOfWork, start
from ..db.session import insert_once
from ..evaluation.refresher import refresh_if_stale
from ..inspections.whitelist import review_all
from ..listings.service import remove_expired_listings
from ..notifications.service import Recipient, notify
from ..records.service import expire_records, take_lateness_snapshot
from ..reference.models import Industry
from ..supervision.rankings import monthly_ranking_drafts
from ..supervision.service import stale_measures_lists
from . import repository
from .models import JobRun

log = structlog.get_logger("xinyong.jobs")

Counts = dict[str, int]


@dataclass(frozen=True)
class Job:
    """`in_unit`: the work runs in the job's own unit of work, with its claim (all or nothing). Otherwise it opens
    its own (an engine job, itself idempotent) and the claim is written after it; None from it: not yet."""

    name: str
    zh: str
    en: str
    labels: dict[str, tuple[str, str]]  # count key → (中文, English)
    in_unit: Callable[[UnitOfWork], Counts] | None = None
    on_engine: Callable[[Engine], Counts | None] | None = None


def _checkpoint(engine: Engine) -> Counts | None:
    written = checkpoint_if_due(engine)
    if written is None and not signing.key_path().exists():
        return None  # no key yet (`xinyong archive keygen`): try again on the next run the same day
    return {"written": int(written is not None)}


def _measures_reminders(uow: UnitOfWork) -> Counts:
    """122号 Art.24: each list that came due since the job last ran is reminded once (not every day after)."""
    today = uow.clock.today()
    last = repository.last_run_before(uow.session, "measures_reminders", today)
    due = [s for s in stale_measures_lists(uow.session, today) if last is None or s.update_due > last]
    for s in due:
        industry = uow.session.get(Industry, s.industry)
        to = [Recipient.role("coordinator")]
        if industry is not None and industry.regulator:
            to.append(Recipient.department(industry.regulator))
        kind = "失信惩戒" if s.kind == "punishment" else "守信激励"
        notify(uow, to, kind="measures_list_update_due", link=f"/api/v1/measures/{s.id}",
               title=f"{s.industry} {kind}措施清单（第{s.version}版）已实施满一年，请更新",
               body=f"自 {s.effective_from} 起实施，{s.update_due} 满一年；措施清单原则上每年更新一次"
                    f"（122号 第二十四条）。")
    return {"reminded": len(due)}


def _whitelist_review(uow: UnitOfWork) -> Counts:
    """44号 Task 12 / G3-02: reviewed quarterly — at the first run in each quarter (a missed 1st still counts)."""
    today = uow.clock.today()
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = repository.last_run_before(uow.session, "whitelist_review", today)
    if last is not None and last >= quarter_start:
        return {"added": 0, "removed": 0}
    reviews = review_all(uow, today)
    return {"added": sum(len(r.added) for r in reviews), "removed": sum(len(r.removed) for r in reviews)}


# The registry, in the order the jobs run (see the module docstring).
JOBS: tuple[Job, ...] = (
    Job("case_deadlines", "异议与修复案件逾期标记", "overdue case steps flagged",
        {"flagged": ("已标记", "flagged")},
        in_unit=lambda uow: {"flagged": flag_overdue_cases(uow)}),
    Job("commitments", "信用承诺到期提醒与违诺认定", "commitment notices and breaches",
        {"notices": ("到期提醒", "notices"), "breaches": ("违诺记录", "breaches")},
        in_unit=lambda uow: asdict(run_deadlines(uow))),
    Job("listing_removals", "名单期满自动移出", "automatic removals from lists",
        {"removed": ("移出", "removed")},
        in_unit=lambda uow: {"removed": remove_expired_listings(uow)}),
    Job("record_expiry", "记录效力期满自动修复", "records whose effect ended (automatic repair)",
        {"withdrawn": ("已撤销", "withdrawn")},
        in_unit=lambda uow: {"withdrawn": expire_records(uow)}),
    Job("evaluation_refresh", "评价结果日更新", "evaluation refresh",
        {"refreshed": ("已刷新", "refreshed")},
        on_engine=lambda engine: {"refreshed": int(refresh_if_stale(engine))}),
    Job("measures_reminders", "措施清单年度更新提醒", "measures lists due for their yearly update",
        {"reminded": ("已提醒", "reminded")}, in_unit=_measures_reminders),
    Job("ranking_drafts", "月度排行榜草稿", "monthly ranking drafts",
        {"drafted": ("已生成", "drafted")},
        in_unit=lambda uow: {"drafted": monthly_ranking_drafts(uow, uow.clock.today())}),
    Job("whitelist_review", "无事不扰白名单季度复核", "quarterly whitelist review",
        {"added": ("纳入", "added"), "removed": ("移出", "removed")}, in_unit=_whitelist_review),
    Job("lateness_snapshot", "逾期填报统计日快照", "lateness counts snapshot",
        {"upto": ("统计至记录", "up to record")}, in_unit=take_lateness_snapshot),
    Job("archive_checkpoint", "电子信用档案签名检查点", "archive checkpoint",
        {"written": ("已写入", "written")}, on_engine=_checkpoint),
)


@dataclass(frozen=True)
class Outcome:
    job: Job
    day: date
    status: Literal["done", "already", "waiting", "failed"]
    counts: Counts = field(default_factory=dict)
    error: str | None = None

    def line(self) -> str:
        counts = "，".join(f"{self.job.labels.get(k, (k, k))[0]} {v}" for k, v in self.counts.items())
        counts_en = ", ".join(f"{self.job.labels.get(k, (k, k))[1]} {v}" for k, v in self.counts.items())
        head = f"{self.job.zh} / {self.job.en}"
        if self.status == "done":
            return f"{head}: {counts} / {counts_en} — 已完成 / done"
        if self.status == "already":
            return (f"{head}: {self.day} 已运行过，本次未再执行（当时：{counts}） / already ran on {self.day}, "
                    f"nothing more done (then: {counts_en})")
        if self.status == "waiting":
            return f"{head}: 暂不能执行，下次再试 / cannot run yet, will try again (see the log)"
        return f"{head}: 失败 / FAILED: {self.error}"


def _claim(uow: UnitOfWork, name: str, day: date) -> tuple[JobRun, bool]:
    session = uow.session
    row = JobRun(name=name, day=day, result="", by=SYSTEM.name, started_at=uow.clock.now())
    return insert_once(session, row, lambda: repository.run_of(session, name, day))


def _done(row: JobRun, counts: Counts, uow: UnitOfWork) -> None:
    row.result, row.finished_at = json.dumps(counts, ensure_ascii=False), uow.clock.now()


def run_job(engine: Engine, job: Job, day: date) -> Outcome:
    """Run one job for `day` unless it ran that day already. Never raises: a failure is the outcome (logged)."""
    try:
        if job.in_unit is not None:
            with start(engine, SYSTEM) as uow:
                row, created = _claim(uow, job.name, day)
                if not created:
                    return Outcome(job, day, "already", json.loads(row.result or "{}"))
                counts = job.in_unit(uow)
                _done(row, counts, uow)
            return Outcome(job, day, "done", counts)
        assert job.on_engine is not None
        with start(engine, SYSTEM, writing=False) as uow:
            ran = repository.run_of(uow.session, job.name, day)
            if ran is not None:
                return Outcome(job, day, "already", json.loads(ran.result or "{}"))
        result = job.on_engine(engine)
        if result is None:
            return Outcome(job, day, "waiting")
        with start(engine, SYSTEM) as uow:
            row, created = _claim(uow, job.name, day)
            if created:
                _done(row, result, uow)
        return Outcome(job, day, "done", result)
    except Exception as exc:  # keep the other jobs running; the failure is logged for operations (大数据中心)
        log.exception("job_failed", job=job.name, day=str(day))
        return Outcome(job, day, "failed", error=f"{type(exc).__name__}: {exc}")


def run_due(engine: Engine, report: Callable[[int, Outcome], None] | None = None) -> list[Outcome]:
    """Every job of the registry once for the clock's day, in order; `report(i, outcome)` after each."""
    day = clock().today()
    outcomes = []
    for i, job in enumerate(JOBS, start=1):
        outcome = run_job(engine, job, day)
        if outcome.status in ("done", "failed"):
            log.info("job_ran", job=job.name, day=str(day), status=outcome.status, **outcome.counts)
        outcomes.append(outcome)
        if report is not None:
            report(i, outcome)
    return outcomes


class DailyRefresher:
    """`xinyong serve`: runs the registry every `interval_seconds`; each job acts once a day (its claim)."""

    def __init__(self, engine: Engine, interval_seconds: float = 300.0) -> None:
        self.engine = engine
        self.interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="xinyong-refresher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                run_due(self.engine)
            except Exception:  # keep serving; the failure is logged for operations (大数据中心)
                log.exception("jobs_failed")
            self._stop.wait(self.interval)


def cmd_jobs_run(args: argparse.Namespace) -> int:
    """`xinyong jobs run [--date D]`: every due daily job once, one line each; exit 1 when any failed."""
    today = beijing_today()
    if args.date is not None and args.date > today:
        print(f"date: 日期 {args.date} 晚于今天 {today} / --date {args.date} is in the future (today is {today})",
              file=sys.stderr)
        return 2
    engine = cli_engine()
    day = args.date or today
    print(f"每日任务 / daily jobs — {day}（{len(JOBS)} 项 / jobs）")

    def report(i: int, outcome: Outcome) -> None:
        print(f"[{i}/{len(JOBS)}] {outcome.line()}", flush=True)

    with clock_at(DayClock(day)) if args.date is not None else nullcontext():
        outcomes = run_due(engine, report)
    done = sum(o.status == "done" for o in outcomes)
    already = sum(o.status == "already" for o in outcomes)
    failed = sum(o.status == "failed" for o in outcomes)
    print(f"完成 {done} 项，已运行过 {already} 项，失败 {failed} 项 / done {done}, already ran {already}, "
          f"failed {failed}")
    return 1 if failed else 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`xinyong jobs run [--date D]`."""
    jobs = sub.add_parser("jobs", help="每日任务 / scheduled daily jobs").add_subparsers(
        dest="jobs_command", required=True)
    s = jobs.add_parser("run", help="run every due daily job once (idempotent: a second run the same day does "
                                    "nothing more) and print what each did")
    s.add_argument("--date", type=iso_date, help="the day to run for (default: today; not after today)")
    s.set_defaults(func=cmd_jobs_run)
