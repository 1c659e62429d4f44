"""Issue 12 item 3: parallel wrong passwords never get past the lockout, never answer 500, and are all counted."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import Engine

from tests._live import serving
from xinyong.api import create_app
from xinyong.auth.settings import security_settings
from xinyong.bootstrap import unit_of_work
from xinyong.users import service
from xinyong.users.models import LoginAttempt
from xinyong.users.service import create_user

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher  # test-sized cost, as in test_users_login.py

    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(service, "_hasher", cheap)
    monkeypatch.setattr(service, "_DUMMY_HASH", cheap.hash("xinyong-no-such-user"))


def test_sixteen_parallel_guesses_check_at_most_the_allowed_number_and_never_500(
        clean: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = security_settings()
    with unit_of_work(clean) as uow:
        create_user(uow, "li.si", PASSWORD, "viewer")
    checked: list[str] = []
    real_verify = service._hasher_verify

    def counting_verify(stored_hash: str, password: str) -> bool:
        if stored_hash != service._dummy_hash():
            checked.append(password)  # a guess checked against the real password hash
        return real_verify(stored_hash, password)

    monkeypatch.setattr(service, "_hasher_verify", counting_verify)
    guesses = [f"wrong guess {i}" for i in range(39)] + [PASSWORD]  # the right one arrives as guess 40

    with serving(create_app(clean)) as url, httpx.Client(base_url=url, timeout=60) as http:
        def attempt(password: str) -> int:
            return http.post("/api/v1/login", json={"username": "li.si", "password": password}).status_code

        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(attempt, guesses))

    assert not [s for s in statuses if s >= 500], statuses
    assert set(statuses) <= {401, 429}, statuses  # the right password came too late: locked
    assert len(checked) <= conf.max_failures, f"{len(checked)} guesses were checked, at most {conf.max_failures} allowed"
    assert PASSWORD not in checked
    with unit_of_work(clean) as uow:
        row = uow.session.get(LoginAttempt, "li.si")
        assert row is not None and row.locked_until is not None
        assert row.failures == len(guesses)  # every guess was counted, none lost
