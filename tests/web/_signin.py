"""Staff sign in through the header form (issue 11 item 1: user name and password only; staff never see tokens).

The browser tests were written as "act as the holder of this token": `sign_in` makes a user with the same role,
department, subject and scope as the token (xinyong.users.service.create_user), then signs in with the form."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import Engine

from xinyong.bootstrap import unit_of_work
from xinyong.users import repository
from xinyong.users.service import create_user
from xinyong.users.tokens import hash_token

PASSWORD = "Xinyong-ui-2026"
_engine: list[Engine] = []


def use(engine: Engine) -> None:
    """The database of the served app (called by the server fixtures)."""
    _engine[:] = [engine]


def user_for(token: str) -> str:
    """A user of the token's role, department, subject and scope (made once); its user name."""
    with unit_of_work(_engine[0]) as uow:
        row = repository.token_by_hash(uow.session, hash_token(token))
        assert row is not None, "unknown token"
        name = row.name.lower().replace(" ", "-")[:60]  # the same name as the token: pages show who acted
        if repository.by_username(uow.session, name) is None:
            create_user(uow, name, PASSWORD, row.role, row.department, subject=row.subject_code,
                        scope=list(row.scope) if row.scope is not None else None)
    return name


def sign_in(page: Any, token: str, url: str | None = None) -> str:
    """Sign out whoever is signed in, then sign in as the token's user through the header form."""
    name = user_for(token)
    if url is not None:
        page.goto(url + "/#/overview")
    page.locator("body[data-ready=true]").wait_for()
    if page.locator("body[data-signed-in=true]").count():
        try:
            page.get_by_test_id("logout-button").click(timeout=5000)
        except PlaywrightTimeout:
            pass  # the session had ended already (idle timeout): the page turned to the sign-in form by itself
        page.locator("body[data-signed-in=false]").wait_for()
    page.get_by_test_id("login-username").fill(name)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_function(
        "(n) => document.body.dataset.signedIn === 'true' && "
        "document.querySelector('[data-testid=login-status]').textContent.includes(n)", arg=name)
    return name
