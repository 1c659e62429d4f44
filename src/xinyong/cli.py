"""Command line: `xinyong init | serve | token create | import | evaluate | calendar status`."""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from pathlib import Path

import structlog
from tqdm import tqdm

from . import jobs
from .archive import cli as archive_cli
from .archive import signing
from .auth.actors import OPERATOR, Actor
from .bootstrap import seed_defaults, unit_of_work
from .calendar.service import calendar_status_lines, default_calendar
from .core.cli import engine, guarded, iso_date
from .db.migrate import upgrade
from .demo import load_demo
from .evaluation import cli as evaluation_cli
from .evaluation.service import BATCH_CHUNK, batch_evaluate
from .evaluation.spark_engine import evaluate_with_spark
from .governance import cli as governance_cli
from .inspections import cli as inspections_cli
from .logs import configure_logging
from .notifications import cli as notifications_cli
from .outbox import cli as outbox_cli
from .records.importer import FileFormatError, import_records, import_subjects
from .records.service import finalise_provisional_due_dates
from .reference.framework import grade_order
from .users import cli as users_cli
from .users.tokens import create_token

log = structlog.get_logger()


def cmd_init(args: argparse.Namespace) -> int:
    db = engine()
    upgrade(db)
    with unit_of_work(db, OPERATOR) as uow:
        added = seed_defaults(uow.session)
        demo = load_demo(uow) if args.demo else 0

    created, kid = signing.generate()
    if created:
        print(f"已生成档案签名密钥 / archive signing key created: {signing.key_path()} (id {kid}); "
              "请备份并公布其公钥 / back it up and publish the .pub file")
    print(f"数据库已就绪 / database ready: {db.url.render_as_string(hide_password=True)}")
    print("新增 / added: " + ", ".join(f"{k} {v}" for k, v in added.items()) + f", demo subjects {demo}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn  # heavy: only `serve` needs the server
    from uvicorn.supervisors import Multiprocess  # heavy: as uvicorn above

    from .api import background_work, create_app  # heavy: the HTTP app is built only for `serve`

    db = engine()
    workers = args.workers or default_workers(db.dialect.name)
    if workers == 1:
        uvicorn.run(create_app(db, refresh_daily=True), host=args.host, port=args.port, log_level="warning")
        return 0
    # Several worker processes (issue 10 item 2): each serves requests only (api.worker_app); the background work
    # (daily jobs, outbox and notification delivery) runs here, in the parent that supervises them, exactly once.
    configure_logging()
    background = background_work(db)
    for job in background:
        job.start()
    log.info("background_work_started", pid=os.getpid(), workers=workers)
    try:
        config = uvicorn.Config("xinyong.api:worker_app", factory=True, workers=workers, host=args.host,
                                port=args.port, log_level="warning")
        Multiprocess(config, sockets=[tcp_listener(config.bind_socket())]).run()
    finally:
        for job in background:
            job.stop()
    return 0


def tcp_listener(sock: socket.socket) -> socket.socket:
    """The listening socket uvicorn shares with its worker processes, marked as TCP so that every connection the
    workers accept gets TCP_NODELAY. uvicorn binds it with protocol 0 (Kludex/uvicorn#3149), accepted sockets
    inherit that, and asyncio sets TCP_NODELAY only on a socket whose protocol is IPPROTO_TCP: with Nagle's
    algorithm left on, the body of every response after a connection's first (written after its head) waited for
    the client's delayed ACK, about 40 ms a request (issue 10 item 5: GET /healthz at 16 clients made 340
    requests/s with two workers and 4,600/s with one)."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto == socket.IPPROTO_TCP:
        return sock
    tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    tcp.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # Linux also copies it to accepted sockets
    tcp.set_inheritable(True)
    return tcp


def default_workers(dialect: str) -> int:
    """SQLite has one writer at a time (one process serialises them best); PostgreSQL: one per CPU."""
    return 1 if dialect == "sqlite" else max(1, os.cpu_count() or 1)


@guarded
def cmd_token_create(args: argparse.Namespace) -> int:
    with unit_of_work(engine(), OPERATOR) as uow:
        token = create_token(uow.session, args.name, args.role, args.department, args.expires_days,
                             subject_code=args.subject, scope=args.scope)
    scope = f" scope={args.scope}" if args.scope else ""
    print(f"令牌已创建 / token created: name={args.name} role={args.role} department={args.department or '-'}"
          + scope)
    print(token)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.exists():
        print(f"文件不存在 / no such file: {path}", file=sys.stderr)
        return 2
    if not 0 < len(args.actor) <= 100:
        print("--actor 应为 1 至 100 个字符 / --actor must have 1 to 100 characters", file=sys.stderr)
        return 2
    if args.chunk is not None and not 0 < args.chunk <= 100_000:
        print("--chunk 应为 1 至 100000 行 / --chunk must be 1 to 100000 rows", file=sys.stderr)
        return 2
    actor = Actor(name=args.actor, role="admin", channel="import", origin=f"cli:{path.name}")  # 122号 Art.8
    bar = tqdm(unit="行", desc=f"导入 {path.name}", file=sys.stderr, disable=None)

    def on_total(n: int) -> None:
        bar.total = n
        bar.refresh()

    try:
        with unit_of_work(engine(), actor) as uow:
            run = import_subjects if args.subjects else import_records
            report = run(uow, path, actor, tick=bar.update, on_total=on_total, chunk_rows=args.chunk)
    except FileFormatError as exc:
        bar.close()
        print(str(exc), file=sys.stderr)
        return 2
    bar.close()
    print(f"共 {report.total} 行：新增 {report.created}，已存在 {report.existing}，拒绝 {report.rejected} / "
          f"{report.total} rows: {report.created} added, {report.existing} already present, {report.rejected} rejected")
    err_path = path.with_name(path.name + ".errors.csv")
    err_path.unlink(missing_ok=True)  # a report from an earlier run must not outlive the errors it listed
    if report.errors:
        report.write_errors(err_path)
        for e in report.errors[:20]:
            print(f"第{e.row}行 {e.field}: {e.reason_zh} / row {e.row} {e.field}: {e.reason_en}", file=sys.stderr)
        if report.error_count > 20:
            print(f"… {report.error_count - 20} more", file=sys.stderr)
        print(f"错误报告 / error report: {err_path}", file=sys.stderr)
        if report.errors_left_out:  # the report is capped (records/limits.yaml error_rows); the count is not
            print(f"共 {report.error_count} 个错误，报告列出前 {len(report.errors)} 个 / {report.error_count} errors, "
                  f"the report lists the first {len(report.errors)}", file=sys.stderr)
        return 1
    return 0


@guarded
def cmd_evaluate(args: argparse.Namespace) -> int:
    bar = tqdm(desc="批量评价 / batch evaluation", unit="主体", file=sys.stderr, disable=None)

    def progress(label: str, n: int) -> None:
        if label == "total":
            bar.total = n
        else:
            bar.n = n
            bar.set_postfix_str(label)
        bar.refresh()

    started = time.perf_counter()
    if args.engine == "spark":
        conf = dict(item.split("=", 1) for item in args.conf)
        run = evaluate_with_spark(engine(), args.as_of, master=args.master, workdir=args.workdir,
                                  keep=args.workdir is not None, chunk=args.chunk, conf=conf)
        summary = run.summary
        bar.close()
        print(f"Spark ({args.master}): export {run.export.seconds} s ({run.export.records} records), "
              f"scoring {run.spark_seconds} s in {run.groups} groups, write-back {run.store_seconds} s; "
              f"left to the real-time path (changed since the export): {summary.skipped}")
    else:
        with unit_of_work(engine(), OPERATOR) as uow:
            summary = batch_evaluate(uow, args.as_of, progress=progress, chunk=args.chunk, commit_chunks=True)
        bar.close()
    print(f"评价日期 / as of {summary.as_of}: {summary.subjects} subjects, {summary.evaluations} evaluations, "
          f"{summary.records} counting records ({time.perf_counter() - started:.1f} s)")
    order = grade_order(summary.as_of)  # the grades of parameters.yaml, best first (no literal list here)
    for scope, grades in sorted(summary.grades.items()):
        print(f"  {scope}: " + " ".join(f"{g}={grades.get(g, 0)}" for g in order))
    if summary.stored:
        print(f"已更新存储结果 / stored evaluations written; differing from the real-time store: {summary.changed}")
        for m in summary.mismatches[:10]:
            print(f"  ≠ {m}")
    else:
        print("历史日期评价，未写入当前结果 / past date: results not stored")
    return 0


def cmd_calendar_status(_args: argparse.Namespace) -> int:
    try:
        cal = default_calendar()
    except ValueError as exc:
        print(f"节假日文件有误 / holiday file invalid: {exc}", file=sys.stderr)
        return 2
    for line in calendar_status_lines(cal):
        print(line)
    return 0


def cmd_calendar_apply(_args: argparse.Namespace) -> int:
    with unit_of_work(engine(), OPERATOR) as uow:
        done, left = finalise_provisional_due_dates(uow.session)
    print(f"已确定填报期限 {done} 条，仍为预估 {left} 条 / due dates finalised: {done}, still provisional: {left}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xinyong", description="信用评价管理系统 (京规自发〔2024〕122号)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("init", help="创建/迁移数据库并载入默认数据 / migrate and load defaults (idempotent)")
    s.add_argument("--demo", action="store_true", help="also load the demo data set when the database is empty")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("serve", help="启动 API 与网页 / serve API and web UI")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=0,
                   help="uvicorn worker processes (default: 1 on SQLite, the CPU count on PostgreSQL); the "
                        "background jobs and delivery run once, in the serving parent")
    s.set_defaults(func=cmd_serve)

    tok = sub.add_parser("token", help="接口令牌 / API tokens").add_subparsers(dest="token_command", required=True)
    s = tok.add_parser("create", help="create a token; prints it as the last line")
    s.add_argument("--name", required=True)
    s.add_argument("--role", required=True)
    s.add_argument("--department")
    s.add_argument("--expires-days", type=int, help="default from auth/security.yaml (tokens expire)")
    s.add_argument("--subject", help="role subject: the subject's own code")
    s.add_argument("--scope", help="role leader: the standards it is in charge of (主管领导 审定, 122号 Art.12), "
                                   "comma-separated: general and/or industry codes, e.g. general,survey_design")
    s.set_defaults(func=cmd_token_create)

    s = tok.add_parser("list", help="list tokens (active only unless --all); hashes are never shown")
    s.add_argument("--all", action="store_true")
    s.set_defaults(func=users_cli.cmd_token_list)
    s = tok.add_parser("revoke", help="revoke a token by id, or every active token of that name")
    s.add_argument("which", metavar="NAME|ID")
    s.set_defaults(func=users_cli.cmd_token_revoke)

    s = sub.add_parser("import", help="导入记录或评价对象 (.csv/.xlsx)")
    s.add_argument("file")
    s.add_argument("--subjects", action="store_true", help="the file holds subjects, not records")
    s.add_argument("--actor", default="cli-import", help="name recorded as the entering user")
    s.add_argument("--chunk", type=int, default=None,
                   help="most rows per committed chunk (default records/limits.yaml chunk_rows; smaller when a "
                        "chunk takes longer than chunk_seconds)")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("evaluate", help="批量重新评价 / batch re-evaluation (in process, or on Spark)")
    s.add_argument("--as-of", type=iso_date)
    s.add_argument("--engine", choices=("inprocess", "spark"), default="inprocess",
                   help="inprocess: streaming reads and the numpy kernel here; spark: PySpark over a Parquet export")
    s.add_argument("--master", default="local[*]", help="Spark master URL (spark://host:7077, yarn, k8s://…, local[N])")
    s.add_argument("--workdir", help="Spark: folder for the export and the results, readable by every executor "
                                     "(kept); default a temporary folder, removed")
    s.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="Spark configuration, repeatable")
    s.add_argument("--chunk", type=int, default=BATCH_CHUNK,
                   help="subjects per chunk (memory is bounded by it; each chunk's read of the records costs a scan)")
    s.set_defaults(func=cmd_evaluate)

    cal = sub.add_parser("calendar", help="工作日历 / working-day calendar").add_subparsers(
        dest="calendar_command", required=True)
    s = cal.add_parser("status", help="which years the holiday data covers")
    s.set_defaults(func=cmd_calendar_status)
    s = cal.add_parser("apply", help="recompute provisional due dates now covered by the holiday file")
    s.set_defaults(func=cmd_calendar_apply)


    for domain in (archive_cli, users_cli, jobs, outbox_cli, notifications_cli, inspections_cli):  # + supervision
        domain.register(sub)
    evaluation_cli.register_impact(governance_cli.register(sub))  # `standards list` and `standards impact`
    return p


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
