"""Command-line subcommands of the users domain, registered into `xinyong` by :func:`register`:
`user create|passwd|list|deactivate|activate`, `audit verify`, and the handlers of `token list|revoke`."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from ..auth.actors import OPERATOR
from ..auth.audit import verify_chain
from ..auth.policy import ROLES
from ..core.cli import engine, guarded
from ..core.uow import start
from . import repository
from .service import create_user, list_tokens, revoke_by_name_or_id, set_active, set_password


def read_password(confirm: bool = True) -> str:
    """The password is never an argument (it would show in the process list and shell history): read one line
    from stdin when it is not a terminal, else prompt (twice)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码 / password: ")
    if confirm and getpass.getpass("再次输入 / repeat: ") != first:
        raise SystemExit("两次输入不一致 / the passwords differ")
    return first


@guarded
def cmd_user_create(args: argparse.Namespace) -> int:
    password = read_password()
    with start(engine(), OPERATOR) as uow:
        user = create_user(uow, args.username, password, args.role, args.department, args.subject,
                           args.display_name or "", scope=args.scope)
        scope = f" scope={','.join(user.scope)}" if user.scope is not None else ""
        uow.audit("user.create", f"user:{user.username}",
                  f"role={user.role} department={user.department or '-'}{scope}")
        print(f"用户已创建 / user created: {user.username} role={user.role} department={user.department or '-'}"
              + (f" subject={user.subject_code}" if user.subject_code else "") + scope)
    return 0


@guarded
def cmd_user_passwd(args: argparse.Namespace) -> int:
    password = read_password()
    with start(engine(), OPERATOR) as uow:
        user = set_password(uow, args.username, password)
        uow.audit("user.passwd", f"user:{user.username}")
    print(f"密码已更新，已退出其全部登录 / password changed, sessions ended: {args.username}")
    return 0


def _set_active(active: bool) -> Callable[[argparse.Namespace], int]:
    @guarded
    def run(args: argparse.Namespace) -> int:
        with start(engine(), OPERATOR) as uow:
            user = set_active(uow, args.username, active)
            uow.audit("user.activate" if active else "user.deactivate", f"user:{user.username}")
        print(f"{args.username}: {'active' if active else 'deactivated'}")
        return 0

    return run


def cmd_user_list(_args: argparse.Namespace) -> int:
    with start(engine(), OPERATOR, writing=False) as uow:
        for u in repository.all_users(uow.session):
            print(f"{u.username}\t{u.role}\t{u.department or '-'}\t{u.subject_code or '-'}\t"
                  f"{'active' if u.active else 'inactive'}\t{u.display_name}"
                  + (f"\tscope={','.join(u.scope)}" if u.scope is not None else ""))
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    with start(engine(), OPERATOR, writing=False) as uow:
        rows = list_tokens(uow.session, uow.clock.now(), include_inactive=args.all)
    print("id\tname\tkind\trole\tdepartment\texpires_at\tstate")
    for r in rows:
        print(f"{r['id']}\t{r['name']}\t{r['kind']}\t{r['role']}\t{r['department'] or '-'}\t"
              f"{r['expires_at'] or '-'}\t{r['state']}")
    return 0


@guarded
def cmd_token_revoke(args: argparse.Namespace) -> int:
    with start(engine(), OPERATOR) as uow:
        rows = revoke_by_name_or_id(uow, args.which)
        for r in rows:
            uow.audit("token.revoke", f"token:{r.id}", r.name)
        print("已吊销 / revoked: " + ", ".join(f"#{r.id} {r.name}" for r in rows))
    return 0


def cmd_audit_verify(_args: argparse.Namespace) -> int:
    with start(engine(), OPERATOR, writing=False) as uow:
        n, problems = verify_chain(uow.session)
    for p in problems:
        print(f"audit seq {p.seq if p.seq is not None else '-'} (id {p.event_id}): {p.reason}")
    if problems:
        print(f"FAILED: {len(problems)} problem(s) in {n} audit events")
        return 1
    print(f"OK: {n} audit events, chain intact")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this domain's subcommands to the top-level parser."""
    users = sub.add_parser("user", help="用户 / user accounts (122号 第四条)").add_subparsers(
        dest="user_command", required=True)
    s = users.add_parser("create", help="create a user; the password is read from stdin or prompted")
    s.add_argument("--username", required=True)
    s.add_argument("--role", required=True, choices=ROLES)
    s.add_argument("--department", help="department code (required for role business)")
    s.add_argument("--subject", help="subject code (role subject: the subject's own account)")
    s.add_argument("--display-name")
    s.add_argument("--scope", help="role leader: the standards it is in charge of (主管领导 审定, 122号 Art.12), "
                                   "comma-separated: general and/or industry codes, e.g. general,survey_design")
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
