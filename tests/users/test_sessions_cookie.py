"""Browser sessions (issue 11 item 2): staff sign in with user name and password only; the login token lives in an
HttpOnly, SameSite=Strict cookie; every cookie-authenticated write echoes the CSRF token; sessions end on logout
and after the idle timeout of auth/security.yaml; bearer tokens of docked systems work as before (122号 第四条)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from tests.conftest import auth, new_uscc
from xinyong.api import create_app
from xinyong.auth.settings import security_settings
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import beijing_now
from xinyong.deps import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from xinyong.users.models import ApiToken
from xinyong.users.service import create_user

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with test-sized cost (production uses argon2-cffi's defaults)."""
    from argon2 import PasswordHasher

    from xinyong.users import service

    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(service, "_hasher", cheap)
    monkeypatch.setattr(service, "_DUMMY_HASH", cheap.hash("xinyong-no-such-user"))


@pytest.fixture
def staff(clean: Engine) -> str:
    with unit_of_work(clean) as uow:
        create_user(uow, "kc.staff", PASSWORD, "business", "kanchasheji", display_name="勘察员")
    return "kc.staff"


def _sign_in(client: TestClient, username: str = "kc.staff"):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/login?cookie=true", json={"username": username, "password": PASSWORD})


def _set_cookies(r) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Set-Cookie headers by cookie name."""
    return {h.split("=", 1)[0]: h for h in r.headers.get_list("set-cookie")}


def _subject(client: TestClient, tokens: dict[str, str]) -> str:
    r = client.post("/api/v1/subjects", headers=auth(tokens["admin"]), json={
        "code": new_uscc(), "name": "会话测试", "kind": "organization", "national_grade": "B", "industries": []})
    assert r.status_code == 201, r.text
    return str(r.json()["code"])


def _record(subject: str) -> dict[str, str]:
    return {"subject": subject, "item": "GEN-B01", "act_date": beijing_now().date().isoformat(),
            "department": "kanchasheji", "source_ref": f"S-{new_uscc()}"}


def _session_row(engine: Engine) -> ApiToken:
    with unit_of_work(engine) as uow:
        row = uow.session.scalars(select(ApiToken).where(ApiToken.kind == "login")
                                  .order_by(ApiToken.id.desc())).first()
        assert row is not None
        uow.session.expunge(row)
        return row


def _move(engine: Engine, **values: object) -> None:
    with unit_of_work(engine) as uow:
        row = uow.session.scalars(select(ApiToken).where(ApiToken.kind == "login")
                                  .order_by(ApiToken.id.desc())).first()
        for k, v in values.items():
            setattr(row, k, v)


@pytest.mark.article("122号 Art.4")
def test_browser_sign_in_sets_an_httponly_strict_cookie_and_never_shows_the_token(client: TestClient, staff: str) -> None:
    r = _sign_in(client)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token"] is None and body["role"] == "business" and body["department"] == "kanchasheji"
    cookies = _set_cookies(r)
    session = cookies[SESSION_COOKIE].lower()
    assert "httponly" in session and "samesite=strict" in session and "path=/" in session
    assert "secure" not in session  # served over http here
    csrf = cookies[CSRF_COOKIE].lower()
    assert "httponly" not in csrf and "samesite=strict" in csrf  # the page reads it to echo it
    assert body["csrf_token"] == client.cookies.get(CSRF_COOKIE)
    assert client.cookies.get(SESSION_COOKIE, "").startswith("xy_")
    me = client.get("/api/v1/me").json()
    assert me == {"authenticated": True, "name": "kc.staff", "role": "business", "department": "kanchasheji",
                  "subject": None, "channel": "manual"}


def test_over_https_the_cookies_are_secure(clean: Engine, staff: str) -> None:
    with TestClient(create_app(clean), base_url="https://testserver") as c:
        cookies = _set_cookies(_sign_in(c))
    assert "secure" in cookies[SESSION_COOKIE].lower() and "secure" in cookies[CSRF_COOKIE].lower()


def test_the_api_sign_in_without_cookie_is_unchanged(client: TestClient, staff: str) -> None:
    r = client.post("/api/v1/login", json={"username": "kc.staff", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["token"].startswith("xy_")
    assert "csrf_token" not in r.json() and r.headers.get_list("set-cookie") == []


@pytest.mark.article("122号 Art.4")
def test_a_cookie_write_needs_the_csrf_header_403_naming_it(client: TestClient, staff: str,
                                                            tokens: dict[str, str]) -> None:
    code = _subject(client, tokens)
    _sign_in(client)
    missing = client.post("/api/v1/records", json=_record(code))
    assert missing.status_code == 403
    assert missing.json()["detail"][0]["field"] == CSRF_HEADER
    wrong = client.post("/api/v1/records", json=_record(code), headers={CSRF_HEADER: "0" * 64})
    assert wrong.status_code == 403 and wrong.json()["detail"][0]["field"] == CSRF_HEADER
    # another session's CSRF token does not fit this session
    other = client.cookies.get(CSRF_COOKIE)
    client.cookies.clear()
    _sign_in(client)
    assert client.post("/api/v1/records", json=_record(code), headers={CSRF_HEADER: other}).status_code == 403
    ok = client.post("/api/v1/records", json=_record(code), headers={CSRF_HEADER: client.cookies.get(CSRF_COOKIE)})
    assert ok.status_code == 201, ok.text
    assert ok.json()["entered_by"] == "kc.staff" and ok.json()["channel"] == "manual"
    # reads need no CSRF token
    assert client.get(f"/api/v1/subjects/{code}/records").status_code == 200


def test_bearer_tokens_keep_working_without_csrf_and_win_over_a_cookie(client: TestClient, staff: str,
                                                                       tokens: dict[str, str]) -> None:
    code = _subject(client, tokens)
    _sign_in(client)  # a cookie of a business session is present, too
    r = client.post("/api/v1/records", json=_record(code), headers=auth(tokens["business"]))
    assert r.status_code == 201, r.text
    assert r.json()["entered_by"] == "test-business" and r.json()["channel"] == "interface"


def test_logout_ends_the_session_and_drops_the_cookies(client: TestClient, staff: str) -> None:
    _sign_in(client)
    token = client.cookies.get(SESSION_COOKIE)
    assert client.post("/api/v1/logout").status_code == 403  # logout is a write: CSRF too
    out = client.post("/api/v1/logout", headers={CSRF_HEADER: client.cookies.get(CSRF_COOKIE)})
    assert out.status_code == 200, out.text
    cleared = _set_cookies(out)
    assert "max-age=0" in cleared[SESSION_COOKIE].lower() and "max-age=0" in cleared[CSRF_COOKIE].lower()
    assert client.cookies.get(SESSION_COOKIE) is None
    assert client.get("/api/v1/me").json() == {"authenticated": False, "role": None}
    # the old cookie replayed: 401 naming the session, and it is dropped
    client.cookies.set(SESSION_COOKIE, token)
    again = client.get("/api/v1/me")
    assert again.status_code == 401 and again.json()["detail"][0]["field"] == "session"
    assert "max-age=0" in again.headers["set-cookie"].lower()


def test_idle_timeout_is_configured_and_each_request_extends_the_session(client: TestClient, clean: Engine,
                                                                         staff: str) -> None:
    idle = timedelta(minutes=security_settings().idle_minutes)
    assert security_settings().idle_minutes == 30  # auth/security.yaml (a deployment default)
    _sign_in(client)
    row = _session_row(clean)
    assert row.expires_at is not None
    assert idle - timedelta(minutes=1) < row.expires_at - beijing_now() <= idle
    # five minutes left: any request pushes the end back to now + idle
    _move(clean, expires_at=beijing_now() + timedelta(minutes=5))
    assert client.get("/api/v1/me").json()["authenticated"] is True
    assert idle - timedelta(minutes=1) < _session_row(clean).expires_at - beijing_now() <= idle
    # never beyond session_hours after sign-in
    hours = timedelta(hours=security_settings().session_hours)
    _move(clean, created_at=beijing_now() - hours + timedelta(minutes=10),
          expires_at=beijing_now() + timedelta(minutes=2))
    assert client.get("/api/v1/me").status_code == 200
    left = _session_row(clean).expires_at - beijing_now()
    assert timedelta(minutes=9) < left <= timedelta(minutes=10)
    # idle past the end: 401, the cookie dropped, the page asks to sign in again
    _move(clean, expires_at=beijing_now() - timedelta(seconds=1))
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["detail"][0]["field"] == "session"
    assert client.get("/api/v1/me").json() == {"authenticated": False, "role": None}


def test_a_second_within_the_minute_is_not_written_again(client: TestClient, clean: Engine, staff: str) -> None:
    """At most one extension write a minute per session (a reading request stays read-only otherwise)."""
    _sign_in(client)
    end = beijing_now() + timedelta(minutes=29, seconds=30)
    _move(clean, expires_at=end)
    client.get("/api/v1/me")
    assert _session_row(clean).expires_at == end


def test_an_interface_token_in_the_cookie_is_refused(client: TestClient, tokens: dict[str, str]) -> None:
    """Only a sign-in session is accepted from the cookie (a docked system's token travels as a bearer)."""
    client.cookies.set(SESSION_COOKIE, tokens["admin"])
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["detail"][0]["field"] == "session"
