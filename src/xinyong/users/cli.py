"""Command-line subcommands of the users domain, registered into `xinyong` by :func:`register`:
`user create|passwd|list|deactivate|activate`, `audit verify`, and the handlers of `token list|revoke`."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from sqlalchemy import Engine, select

from ..errors import DomainError


def _engine() -> Engine:
    from ..cli import _engine as engine

    return engine()


def _report(exc: DomainError) -> int:
    for p in exc.problems:
        print(f"{p.field}: {p.reason_zh} / {p.reason_en}", file=sys.stderr)
    return 2


def read_password(confirm: bool = True) -> str:
    """The password is never an argument (it would show in the process list and shell history): read one line
    from stdin when it is not a terminal, else prompt (twice)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码 / password: ")
    if confirm and getpass.getpass("再次输入 / repeat: ") != first:
        raise SystemExit("两次输入不一致 / the passwords differ")
    return first


def _guarded(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return fn(args)
        except DomainError as exc:
            return _report(exc)

    return run


@_guarded
def cmd_user_create(args: argparse.Namespace) -> int:
    from ..db.session import unit_of_work
    from .service import create_user

    password = read_password()
    with unit_of_work(_engine()) as session:
        user = create_user(session, args.username, password, args.role, args.department, args.subject,
                           args.display_name or "", by="cli")
        print(f"用户已创建 / user created: {user.username} role={user.role} department={user.department or '-'}"
              + (f" subject={user.subject_code}" if user.subject_code else ""))
    return 0


@_guarded
def cmd_user_passwd(args: argparse.Namespace) -> int:
    from ..db.session import unit_of_work
    from .service import set_password

    password = read_password()
    with unit_of_work(_engine()) as session:
        set_password(session, args.username, password)
    print(f"密码已更新，已退出其全部登录 / password changed, sessions ended: {args.username}")
    return 0


def _set_active(active: bool) -> Callable[[argparse.Namespace], int]:
    @_guarded
    def run(args: argparse.Namespace) -> int:
        from ..db.session import unit_of_work
        from .service import set_active

        with unit_of_work(_engine()) as session:
            set_active(session, args.username, active)
        print(f"{args.username}: {'active' if active else 'deactivated'}")
        return 0

    return run


def cmd_user_list(_args: argparse.Namespace) -> int:
    from ..db.session import unit_of_work
    from .models import User

    with unit_of_work(_engine()) as session:
        for u in session.scalars(select(User).order_by(User.username)):
            print(f"{u.username}\t{u.role}\t{u.department or '-'}\t{u.subject_code or '-'}\t"
                  f"{'active' if u.active else 'inactive'}\t{u.display_name}")
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    from ..db.session import unit_of_work
    from .service import list_tokens

    with unit_of_work(_engine()) as session:
        rows = list_tokens(session, include_inactive=args.all)
    print("id\tname\tkind\trole\tdepartment\texpires_at\tstate")
    for r in rows:
        print(f"{r['id']}\t{r['name']}\t{r['kind']}\t{r['role']}\t{r['department'] or '-'}\t"
              f"{r['expires_at'] or '-'}\t{r['state']}")
    return 0


@_guarded
def cmd_token_revoke(args: argparse.Namespace) -> int:
    from ..auth.service import audit
    from ..db.session import unit_of_work
    from .service import revoke_by_name_or_id

    with unit_of_work(_engine()) as session:
        rows = revoke_by_name_or_id(session, args.which)
        for r in rows:
            audit(session, "cli", "admin", "token.revoke", f"token:{r.id}", "cli", r.name)
        print("已吊销 / revoked: " + ", ".join(f"#{r.id} {r.name}" for r in rows))
    return 0


def cmd_audit_verify(_args: argparse.Namespace) -> int:
    from ..auth.audit import verify_chain
    from ..db.session import unit_of_work

    with unit_of_work(_engine()) as session:
        n, problems = verify_chain(session)
    for p in problems:
        print(f"audit seq {p.seq if p.seq is not None else '-'} (id {p.event_id}): {p.reason}")
    if problems:
        print(f"FAILED: {len(problems)} problem(s) in {n} audit events")
        return 1
    print(f"OK: {n} audit events, chain intact")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this domain's subcommands to the top-level parser."""
    from ..auth.policy import ROLES

    users = sub.add_parser("user", help="用户 / user accounts (122号 第四条)").add_subparsers(
        dest="user_command", required=True)
    s = users.add_parser("create", help="create a user; the password is read from stdin or prompted")
    s.add_argument("--username", required=True)
    s.add_argument("--role", required=True, choices=ROLES)
    s.add_argument("--department", help="department code (required for role business)")
    s.add_argument("--subject", help="subject code (role subject: the subject's own account)")
    s.add_argument("--display-name")
    s.set_defaults(func=cmd_user_create)
    s = users.add_parser("passwd", help="set a new password (stdin or prompt); ends the user's sessions")
    s.add_argument("username")
    s.set_defaults(func=cmd_user_passwd)
    s = users.add_parser("list", help="list users")
    s.set_defaults(func=cmd_user_list)
    for name, active in (("deactivate", False), ("activate", True)):
        s = users.add_parser(name, help=f"{name} a user")
        s.add_argument("username")
        s.set_defaults(func=_set_active(active))

    aud = sub.add_parser("audit", help="审计记录 / audit trail").add_subparsers(dest="audit_command", required=True)
    s = aud.add_parser("verify", help="recompute the audit hash chain; exit 1 naming every bad event")
    s.set_defaults(func=cmd_audit_verify)
