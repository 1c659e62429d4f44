"""Leader accounts and tokens bound to the standards they are in charge of (主管领导 审定, 122号 Art.12; issue 7
item 6(d)): `xinyong user create --role leader --scope general,survey_design`, carried onto the sign-in token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from tests.users.test_users_login import PASSWORD, _cheap_argon2, _cli, _login  # noqa: F401  (fixture)
from xinyong.bootstrap import unit_of_work
from xinyong.errors import InputError
from xinyong.users.models import ApiToken, User
from xinyong.users.service import create_user
from xinyong.users.tokens import check_scope, in_scope, parse_scope


@pytest.mark.article("122号 Art.12")
def test_cli_creates_a_leader_in_charge_of_its_scope_and_sign_in_carries_it_122_art12(
        monkeypatch: pytest.MonkeyPatch, clean: Engine, client: TestClient, capsys) -> None:  # type: ignore[no-untyped-def]
    rc = _cli(monkeypatch, clean, ["user", "create", "--username", "lead.sd", "--role", "leader",
                                   "--scope", "general,survey_design"], PASSWORD + "\n")
    assert rc == 0 and "scope=general,survey_design" in capsys.readouterr().out
    r = _login(client, "lead.sd")
    assert r.status_code == 200 and r.json()["scope"] == ["general", "survey_design"]
    with unit_of_work(clean) as uow:
        assert uow.session.scalars(select(User.scope).where(User.username == "lead.sd")).one() == [
            "general", "survey_design"]
        login_token = uow.session.scalars(select(ApiToken).where(ApiToken.kind == "login")).one()
        assert login_token.scope == ["general", "survey_design"]
    # a scope on another role, or naming no known industry, is refused naming `scope` (exit 2, nothing written)
    assert _cli(monkeypatch, clean, ["user", "create", "--username", "v", "--role", "viewer", "--scope", "general"],
                PASSWORD + "\n") == 2
    assert _cli(monkeypatch, clean, ["user", "create", "--username", "l2", "--role", "leader", "--scope", "nowhere"],
                PASSWORD + "\n") == 2
    with unit_of_work(clean) as uow:
        assert uow.session.scalars(select(User).where(User.username.in_(["v", "l2"]))).all() == []


@pytest.mark.article("122号 Art.12")
def test_scope_rules_122_art12(clean: Engine) -> None:
    assert parse_scope(" general, survey_design ,general,") == ["general", "survey_design"]
    assert parse_scope(None) is None
    assert in_scope(None, "industry", "survey_design")  # legacy credential: every standard
    assert in_scope(["general"], "general", None) and not in_scope(["general"], "industry", "survey_design")
    assert in_scope(["survey_design"], "industry", "survey_design") and not in_scope(["survey_design"], "general", None)
    with unit_of_work(clean) as uow:
        assert check_scope(uow.session, "leader", "survey_design") == ["survey_design"]
        for role, scope in (("leader", ""), ("leader", "general,x"), ("admin", "general")):
            with pytest.raises(InputError) as exc:
                check_scope(uow.session, role, scope)
            assert exc.value.problems[0].field == "scope"
        with pytest.raises(InputError):
            create_user(uow, "l3", PASSWORD, "business", "kanchasheji", scope=["general"])
