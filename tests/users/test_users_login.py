"""Users, sign-in, sessions and interface tokens (122号 第四条 职责分工, 第五条 运维, 第二十七条 业务部门)."""

from __future__ import annotations

import io
import sys
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from tests.conftest import auth, new_uscc
from xinyong.auth.models import AuditEvent
from xinyong.auth.settings import security_settings
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import beijing_now
from xinyong.users.models import ApiToken, LoginAttempt, User
from xinyong.users.service import create_user
from xinyong.users.tokens import hash_token

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with test-sized cost (production uses argon2-cffi's defaults): keeps the suite fast."""
    from argon2 import PasswordHasher

    from xinyong.users import service

    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(service, "_hasher", cheap)
    monkeypatch.setattr(service, "_DUMMY_HASH", cheap.hash("xinyong-no-such-user"))


def _user(engine: Engine, username: str, role: str, department: str | None = None, **kw: object) -> None:
    with unit_of_work(engine) as s:
        create_user(s, username, PASSWORD, role, department, **kw)  # type: ignore[arg-type]


def _login(client: TestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/login", json={"username": username, "password": password})


def _record(subject: str, item: str, department: str = "kanchasheji") -> dict:
    return {"subject": subject, "item": item, "act_date": beijing_now().date().isoformat(),
            "department": department, "source_ref": f"U-{new_uscc()}"}


@pytest.mark.article("122号 Art.4")
def test_login_issues_short_lived_token_bound_to_role_and_department_122_art4(client: TestClient,
                                                                               clean: Engine,
                                                                               tokens: dict[str, str]) -> None:
    _user(clean, "zhang.san", "business", "kanchasheji", display_name="张三")
    r = _login(client, "zhang.san")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["role"] == "business" and body["department"] == "kanchasheji"
    expires = datetime.fromisoformat(body["expires_at"])
    hours = security_settings().session_hours
    assert timedelta(hours=hours - 0.1) < expires - beijing_now() <= timedelta(hours=hours)
    # the token works for the user's own department, and the record names the user
    code = client.post("/api/v1/subjects", headers=auth(tokens["admin"]), json={
        "code": new_uscc(), "name": "登录测试", "kind": "organization", "national_grade": "B",
        "industries": []}).json()["code"]
    rec = client.post("/api/v1/records", json=_record(code, "GEN-B01"), headers=auth(body["token"]))
    assert rec.status_code == 201, rec.text
    assert rec.json()["entered_by"] == "zhang.san" and rec.json()["channel"] == "manual"
    other = client.post("/api/v1/records", json=_record(code, "GEN-B02", "zhifa"), headers=auth(body["token"]))
    assert other.status_code == 403
    assert client.get("/api/v1/me", headers=auth(body["token"])).json()["role"] == "business"
    # stored hashed only
    with unit_of_work(clean) as s:
        row = s.session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(body["token"]))).one()
        assert row.kind == "login" and row.user_id is not None
        assert body["token"] not in {t.token_hash for t in s.session.scalars(select(ApiToken))}
        assert s.session.scalars(select(User.password_hash).where(User.username == "zhang.san")).one().startswith("$argon2")
    # logout revokes it
    assert client.post("/api/v1/logout", headers=auth(body["token"])).status_code == 200
    assert client.post("/api/v1/records", json=_record(code, "GEN-B03"),
                       headers=auth(body["token"])).status_code == 401


def test_wrong_password_and_unknown_user_give_the_same_401(client: TestClient, clean: Engine) -> None:
    _user(clean, "li.si", "viewer")
    wrong = _login(client, "li.si", "not the password")
    unknown = _login(client, "nobody.here", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert _login(client, "LI.SI").status_code == 200  # user names are case-insensitive
    with unit_of_work(clean) as s:
        actions = [e.action for e in s.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert actions.count("user.login_failed") == 2 and "user.login" in actions


def test_five_failures_lock_the_user_name_for_15_minutes_even_unknown_names(client: TestClient,
                                                                            clean: Engine) -> None:
    conf = security_settings()
    _user(clean, "wang.wu", "viewer")
    for name in ("wang.wu", "ghost.user"):
        for _ in range(conf.max_failures):
            assert _login(client, name, "bad password!").status_code in (401, 429)
        locked = _login(client, name, PASSWORD)
        assert locked.status_code == 429, locked.text  # even the right password is refused while locked
    with unit_of_work(clean) as s:
        row = s.session.get(LoginAttempt, "wang.wu")
        assert row is not None and row.locked_until is not None
        assert row.locked_until - beijing_now() <= timedelta(minutes=conf.lock_minutes)
        s.session.execute(update(LoginAttempt).values(locked_until=beijing_now() - timedelta(seconds=1)))
    assert _login(client, "wang.wu").status_code == 200  # the lock runs out; success clears the count


def test_deactivated_user_sessions_end_and_sign_in_fails(client: TestClient, clean: Engine) -> None:
    from xinyong.users.service import set_active

    _user(clean, "zhao.liu", "coordinator", "fazhi")
    token = _login(client, "zhao.liu").json()["token"]
    with unit_of_work(clean) as s:
        set_active(s, "zhao.liu", False)
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 401
    assert _login(client, "zhao.liu").status_code == 401


@pytest.mark.parametrize("bad", [{"username": "", "password": "x"}, {"username": "a" * 61, "password": "x"},
                                 {"username": "u"}, {"username": "u", "password": "x", "extra": 1}])
def test_login_bad_input_is_422(client: TestClient, bad: dict) -> None:
    assert client.post("/api/v1/login", json=bad).status_code == 422


def test_user_rules_business_needs_department_subject_needs_registered_subject(clean: Engine) -> None:
    from xinyong.errors import ConflictError, InputError

    with unit_of_work(clean) as s:
        with pytest.raises(InputError):
            create_user(s, "biz", PASSWORD, "business")
        with pytest.raises(InputError):
            create_user(s, "subj", PASSWORD, "subject", subject="91110000MA0000000X")
        with pytest.raises(InputError):
            create_user(s, "short", "short", "viewer")
        with pytest.raises(InputError):
            create_user(s, "nosuchrole", PASSWORD, "king")
        create_user(s, "dup", PASSWORD, "viewer")
        with pytest.raises(ConflictError):
            create_user(s, "DUP", PASSWORD, "viewer")


# --- interface tokens (系统对接, 122号 第八条) ---------------------------------------------------------------

def test_tokens_api_create_use_list_revoke_admin_support_only(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.post("/api/v1/tokens", headers=auth(tokens["support"]), json={
        "name": "审批系统对接", "role": "business", "department": "kanchasheji", "expires_days": 30})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["token"].startswith("xy_") and made["department"] == "kanchasheji" and made["expires_at"]
    assert client.get("/api/v1/me", headers=auth(made["token"])).json()["department"] == "kanchasheji"
    listed = client.get("/api/v1/tokens", headers=auth(tokens["admin"])).json()
    assert any(t["id"] == made["id"] for t in listed) and all("token" not in t for t in listed)
    # support runs operations but may not mint an admin credential
    assert client.post("/api/v1/tokens", headers=auth(tokens["support"]),
                       json={"name": "x", "role": "admin"}).status_code == 403
    assert client.post("/api/v1/tokens", headers=auth(tokens["coordinator"]),
                       json={"name": "x", "role": "viewer"}).status_code == 403
    bad = client.post("/api/v1/tokens", headers=auth(tokens["admin"]), json={"name": "x", "role": "business"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "department"
    assert client.post(f"/api/v1/tokens/{made['id']}/revoke", headers=auth(tokens["admin"])).status_code == 200
    assert client.get("/api/v1/me", headers=auth(made["token"])).status_code == 401
    assert client.post(f"/api/v1/tokens/{made['id']}/revoke", headers=auth(tokens["admin"])).status_code == 409
    assert client.post("/api/v1/tokens/999999/revoke", headers=auth(tokens["admin"])).status_code == 404


def test_tokens_expire_by_default(clean: Engine) -> None:
    from xinyong.users.tokens import issue_token

    with unit_of_work(clean) as s:
        row, _ = issue_token(s.session, "default-expiry", "viewer")
        assert row.expires_at is not None
        days = (row.expires_at - beijing_now()).days
        assert security_settings().token_default_days - 1 <= days <= security_settings().token_default_days


# --- command line ----------------------------------------------------------------------------------------

def _cli(monkeypatch: pytest.MonkeyPatch, engine: Engine, argv: list[str], stdin: str = "") -> int:
    from xinyong.cli import main

    monkeypatch.setenv("XINYONG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(argv)


def test_cli_user_create_reads_password_from_stdin_never_argv(monkeypatch: pytest.MonkeyPatch, clean: Engine,
                                                              client: TestClient, capsys) -> None:  # type: ignore[no-untyped-def]
    rc = _cli(monkeypatch, clean, ["user", "create", "--username", "cli.user", "--role", "business",
                                   "--department", "guotucehui"], PASSWORD + "\n")
    assert rc == 0
    assert _login(client, "cli.user").json()["department"] == "guotucehui"
    assert _cli(monkeypatch, clean, ["user", "passwd", "cli.user"], "another long password\n") == 0
    assert _login(client, "cli.user").status_code == 401
    assert _login(client, "cli.user", "another long password").status_code == 200
    with pytest.raises(SystemExit):  # there is no --password option
        _cli(monkeypatch, clean, ["user", "create", "--username", "x", "--role", "viewer", "--password", "p"])
    assert _cli(monkeypatch, clean, ["user", "create", "--username", "cli.user", "--role", "viewer"],
                PASSWORD + "\n") == 2  # exists


def test_cli_token_list_and_revoke_by_name_or_id(monkeypatch: pytest.MonkeyPatch, clean: Engine,
                                                 client: TestClient, tokens: dict[str, str], capsys) -> None:  # type: ignore[no-untyped-def]
    assert _cli(monkeypatch, clean, ["token", "list"]) == 0
    out = capsys.readouterr().out
    assert "test-viewer" in out and "test-business" in out
    assert _cli(monkeypatch, clean, ["token", "revoke", "test-viewer"]) == 0
    assert client.get("/api/v1/me", headers=auth(tokens["viewer"])).status_code == 401
    with unit_of_work(clean) as s:
        hall_id = s.session.scalars(select(ApiToken.id).where(ApiToken.name == "test-hall")).one()
    assert _cli(monkeypatch, clean, ["token", "revoke", str(hall_id)]) == 0
    assert client.get("/api/v1/me", headers=auth(tokens["hall"])).status_code == 401
    assert _cli(monkeypatch, clean, ["token", "revoke", "no-such-token"]) == 2
