"""Standard lifecycle draft → consultation → approved → in force → superseded, with every refusal of
122号 第十一条 and 第十二条 (spec D1-08, D1-16, D1-24…D1-28, G1-13)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from _governance_helpers import (  # noqa: F401  (governed is a fixture)
    approve,
    consult,
    content,
    create,
    days,
    fields,
    governed,
    make_subject,
    post_record,
    today,
)
from fastapi.testclient import TestClient

from tests.conftest import auth
from xinyong.auth.actors import Actor
from xinyong.core.clock import FixedClock
from xinyong.core.uow import UnitOfWork
from xinyong.errors import ForbiddenError, InputError
from xinyong.governance import service
from xinyong.reference.models import CatalogueItem
from xinyong.standards.loader import add_years

SD = "survey_design-2024.1"
YEAR = today().year

pytestmark = pytest.mark.usefixtures("governed")  # removes the versions a test adds


def sd_draft(client: TestClient) -> dict:
    body = content(client, SD)
    body["name"] = "勘察设计行业信用评价标准(修订)"
    return body


@pytest.fixture
def gclient(clean, tokens) -> TestClient:  # type: ignore[no-untyped-def]
    from xinyong.api import create_app

    with TestClient(create_app(clean)) as c:
        yield c


@pytest.mark.article("122号 Art.12")
def test_defaults_are_listed_in_force_and_drafts_hidden_from_the_public_122_art12(gclient: TestClient, tokens) -> None:
    r = gclient.get("/api/v1/standards")
    assert r.status_code == 200
    rows = {row["version"]: row for row in r.json()}
    assert rows[SD]["status"] == "in_force" and rows[SD]["effective_date"] == "2024-05-11"
    assert set(rows[SD]) >= {"version", "family", "industry", "status", "consultation_start", "consultation_end",
                             "approved_by", "effective_date"}
    draft = create(gclient, tokens["business"], sd_draft(gclient))
    assert draft["version"] == f"survey_design-{YEAR}.1" and draft["lifecycle"]["status"] == "draft"
    assert draft["version"] not in {row["version"] for row in gclient.get("/api/v1/standards").json()}
    staff = gclient.get("/api/v1/standards", headers=auth(tokens["viewer"])).json()
    assert draft["version"] in {row["version"] for row in staff}
    # a plain draft needs a token; once published for consultation it is public (第十二条 向社会公开征求意见)
    assert gclient.get(f"/api/v1/standards/{draft['version']}").status_code == 401
    assert gclient.get(f"/api/v1/standards/{draft['version']}", headers=auth(tokens["viewer"])).status_code == 200
    consult(gclient, tokens["business"], draft["version"], days(0), days(15))
    assert gclient.get(f"/api/v1/standards/{draft['version']}").status_code == 200


def test_read_shape_round_trips_into_a_new_draft_with_a_server_assigned_version(gclient: TestClient, tokens) -> None:
    body = content(gclient, SD)
    first = create(gclient, tokens["business"], body)
    second = create(gclient, tokens["business"], content(gclient, first["version"], tokens["viewer"]))
    assert (first["version"], second["version"]) == (f"survey_design-{YEAR}.1", f"survey_design-{YEAR}.2")
    assert second["items"] == body["items"] and second["family"] == "industry"
    assert second["industry"] == "survey_design"


@pytest.mark.parametrize("role, family, status", [
    ("business", "survey_design", 201),  # kanchasheji regulates survey_design (第四条(二))
    ("business", "surveying_mapping", 403),  # another department's industry
    ("business", "general", 403),  # the general standard is the coordinator's (第十一条(一))
    ("coordinator", "general", 201),
    ("coordinator", "survey_design", 403),
    ("admin", "surveying_mapping", 201),
    ("leader", "general", 403),
    ("hall", "general", 403),
    ("support", "survey_design", 403),
    ("viewer", "general", 403),
])
@pytest.mark.article("122号 Art.11(1)")
def test_who_may_draft_which_standard_122_art11_1(gclient: TestClient, tokens, role: str, family: str,
                                              status: int) -> None:
    version = "general-2024.1" if family == "general" else f"{family}-2024.1"
    create(gclient, tokens[role], content(gclient, version), status)


def test_drafting_needs_a_token(gclient: TestClient) -> None:
    assert gclient.post("/api/v1/standards", json=content(gclient, SD)).status_code == 401


@pytest.mark.article("122号 Art.12")
def test_consultation_lasts_at_least_15_days_publication_day_not_counted_122_art12(gclient: TestClient, tokens
                                                                                ) -> None:
    start = date(YEAR, 6, 1)
    v = create(gclient, tokens["business"], sd_draft(gclient), on=start)["version"]
    short = consult(gclient, tokens["business"], v, start, date(YEAR, 6, 15), 422)  # 14 days
    assert fields(short) == ["end_date"] and "15" in short["detail"][0]["reason_zh"]
    assert "14" in short["detail"][0]["reason_en"]
    ok = consult(gclient, tokens["business"], v, start, date(YEAR, 6, 16))  # 15 days
    assert ok["lifecycle"]["status"] == "consultation"
    assert (ok["lifecycle"]["consultation_start"], ok["lifecycle"]["consultation_end"]) == (
        f"{YEAR}-06-01", f"{YEAR}-06-16")
    backwards = consult(gclient, tokens["business"], v, start, date(YEAR, 5, 1), 422)
    assert fields(backwards) == ["end_date"]


def test_consultation_days_helper_g1_13() -> None:
    assert service.consultation_days(date(2026, 6, 1), date(2026, 6, 16)) == 15
    assert service.consultation_days(date(2026, 2, 20), date(2026, 3, 7)) == 15


@pytest.mark.article("122号 Art.12")
@pytest.mark.parametrize("role", ["admin", "coordinator", "business", "hall", "support", "viewer"])
def test_only_the_leader_approves_122_art12_d1_08(gclient: TestClient, tokens, role: str) -> None:
    v = create(gclient, tokens["business"], sd_draft(gclient), on=days(-20))["version"]
    consult(gclient, tokens["business"], v, days(-20), days(-1))
    approve(gclient, tokens[role], v, today(), 403)
    assert gclient.post(f"/api/v1/standards/{v}/approve", json={"effective_date": today().isoformat()}
                        ).status_code == 401
    assert gclient.get(f"/api/v1/standards/{v}").json()["lifecycle"]["status"] == "consultation"


@pytest.mark.article("122号 Art.12")
def test_approval_refused_without_or_during_consultation_122_art12(gclient: TestClient, tokens) -> None:
    v = create(gclient, tokens["business"], sd_draft(gclient), on=days(-16))["version"]
    never = approve(gclient, tokens["leader"], v, today(), 422)
    assert fields(never) == ["status"]
    consult(gclient, tokens["business"], v, days(-15), today())  # ends today: still running
    running = approve(gclient, tokens["leader"], v, days(1), 422)
    assert fields(running) == ["consultation_end"]
    consult(gclient, tokens["business"], v, days(-16), days(-1))  # ended yesterday
    done = approve(gclient, tokens["leader"], v, days(1))
    assert done["lifecycle"]["status"] == "approved"  # approved, takes effect tomorrow


def test_effective_date_before_the_approval_date_is_refused_d1_08(gclient: TestClient, tokens) -> None:
    v = create(gclient, tokens["business"], sd_draft(gclient), on=days(-20))["version"]
    consult(gclient, tokens["business"], v, days(-20), days(-2))
    r = approve(gclient, tokens["leader"], v, days(-1), 422)
    assert fields(r) == ["effective_date"]


@pytest.mark.article("122号 Art.11(2)")
def test_item_caps_over_the_family_budget_are_refused_122_art11_2(gclient: TestClient, tokens) -> None:
    body = sd_draft(gclient)
    bonus = next(it for it in body["items"] if it["code"] == "SD-B01")
    bonus["cap"] = 60  # caps of the bonus items now add up to 120 > 100
    r = create(gclient, tokens["business"], body, 422)
    assert "items" in fields(r)
    assert any("第十一条(二)" in d["reason_zh"] and "120" in d["reason_en"] for d in r["detail"])
    general = content(gclient, "general-2024.1")
    general["items"].append({"code": "GEN-B99", "name": "新加分项", "polarity": "good", "points": 60, "cap": 60,
                             "article": "122号 第十一条(二)"})
    r = create(gclient, tokens["coordinator"], general, 422)
    assert any(d["field"] == f"items[{len(general['items']) - 1}]" for d in r["detail"])


@pytest.mark.article("122号 Art.11(1)")
def test_industry_standard_without_a_work_safety_item_is_refused_122_art11_1(gclient: TestClient, tokens) -> None:
    body = sd_draft(gclient)
    body["items"] = [it for it in body["items"] if not it["work_safety"]]
    r = create(gclient, tokens["business"], body, 422)
    assert any("安全生产" in d["reason_zh"] and "第十一条(一)" in d["reason_zh"] for d in r["detail"])


@pytest.mark.article("122号 Art.7")
def test_an_item_code_keeps_its_catalogue_meaning_122_art7(gclient: TestClient, tokens) -> None:
    body = sd_draft(gclient)
    body["items"].append({"code": "GEN-D01", "name": "借用通用指标代码", "polarity": "bad", "points": 5, "cap": 5,
                          "article": "122号 第七条"})
    r = create(gclient, tokens["business"], body, 422)
    assert f"items[{len(body['items']) - 1}].code" in fields(r)


@pytest.mark.article("122号 Art.12")
def test_happy_path_new_version_in_force_on_its_effective_date_122_art12(gclient: TestClient, tokens) -> None:
    body = sd_draft(gclient)
    b04 = next(it for it in body["items"] if it["code"] == "SD-B04")
    body["items"].remove(b04)
    body["items"].append(dict(b04, code="SD-B05", name="参与团体标准编制"))  # a new catalogue item (第七条)
    v = create(gclient, tokens["business"], body, on=days(-16))["version"]
    consult(gclient, tokens["business"], v, days(-16), days(-1))
    done = approve(gclient, tokens["leader"], v, today())
    life = done["lifecycle"]
    assert life["status"] == "in_force" and life["approved_by"] == "test-leader"
    assert life["approved_at"].startswith(today().isoformat()) and life["effective_date"] == today().isoformat()
    rows = {row["version"]: row for row in gclient.get("/api/v1/standards").json()}
    assert rows[SD]["status"] == "superseded" and rows[v]["status"] == "in_force"
    assert gclient.get(f"/api/v1/standards/{SD}").json()["lifecycle"]["superseded_by"] == v
    # the catalogue follows the standards in force (第七条): SD-B05 in, SD-B04 out
    cat = {it["code"]: it for it in gclient.get("/api/v1/catalogue").json()}
    assert cat["SD-B05"]["standard_version"] == v and "SD-B04" not in cat
    code = make_subject(gclient, tokens["admin"], industries=["survey_design"])
    post_record(gclient, tokens["business"], code, "SD-B05")
    now = gclient.get(f"/api/v1/subjects/{code}/evaluation", params={"industry": "survey_design"}).json()
    assert now["standard_version"] == f"general-2024.1+{v}" and now["score"] == 510
    before = gclient.get(f"/api/v1/subjects/{code}/evaluation",
                         params={"industry": "survey_design", "as_of": days(-1).isoformat()}).json()
    assert before["standard_version"] == f"general-2024.1+{SD}"
    # an approved version is frozen
    r = gclient.put(f"/api/v1/standards/{v}", json=body, headers=auth(tokens["business"]))
    assert r.status_code == 409


@pytest.mark.article("122号 Art.12")
def test_editing_a_published_draft_restarts_its_consultation_122_art12(gclient: TestClient, tokens) -> None:
    v = create(gclient, tokens["business"], sd_draft(gclient), on=days(-16))["version"]
    consult(gclient, tokens["business"], v, days(-16), days(-1))
    body = content(gclient, v, tokens["business"])
    body["name"] = "再次修订"
    r = gclient.put(f"/api/v1/standards/{v}", json=body, headers=auth(tokens["business"]))
    assert r.status_code == 200 and r.json()["lifecycle"]["status"] == "draft"
    assert r.json()["lifecycle"]["consultation_start"] is None
    approve(gclient, tokens["leader"], v, today(), 422)


# --- 实施满一年后可以更新 (第十二条), counted per G0-1: same calendar date next year --------------------------

LEADER = Actor(name="主管领导", role="leader", channel="manual")  # signed in (issue 12 item 2)
REGULATOR = Actor(name="勘察设计处", role="business", department="kanchasheji")


def _approved_draft(db: UnitOfWork, effective: date, today_: date, base: str = SD, author: Actor = REGULATOR
                    ) -> str:
    from xinyong.governance.service import content_of, create_draft, get_row, open_consultation

    body = content_of(get_row(db.session, base))
    body.pop("version")
    body["effective_date"] = None
    db.clock = FixedClock(today_ - timedelta(days=20))  # the draft is written 20 days before
    row = create_draft(db, body, author, today_)
    db.clock = FixedClock(today_)
    open_consultation(db, row.version, today_ - timedelta(days=20), today_ - timedelta(days=1), author, today_)
    return row.version


@pytest.mark.article("122号 Art.12")
def test_art12_the_one_year_rule_binds_the_general_standard_too(clean, db: UnitOfWork) -> None:
    """general-2024.1 is in force from 2024-05-11: a new general standard may take effect from 2025-05-11."""
    coordinator = Actor(name="法制处", role="coordinator", department="fazhi")
    v = _approved_draft(db, date(2025, 5, 10), date(2025, 1, 2), base="general-2024.1", author=coordinator)
    with pytest.raises(InputError) as exc:
        service.approve(db, v, date(2025, 5, 10), LEADER, date(2025, 1, 2))  # 364 days
    assert exc.value.problems[0].field == "effective_date" and "2025-05-11" in exc.value.problems[0].reason_en
    assert service.approve(db, v, date(2025, 5, 11), LEADER, date(2025, 1, 2)).status == "approved"
    db.session.rollback()


@pytest.mark.article("122号 Art.12")
def test_industry_standard_replaced_after_364_days_is_refused_365_allowed_122_art12(clean, db: UnitOfWork) -> None:
    # survey_design-2024.1 is in force from 2024-05-11
    as_of = date(2025, 1, 2)
    v = _approved_draft(db, date(2025, 5, 10), as_of)
    with pytest.raises(InputError) as exc:
        service.approve(db, v, date(2025, 5, 10), LEADER, as_of)  # 364 days
    assert exc.value.problems[0].field == "effective_date" and "2025-05-11" in exc.value.problems[0].reason_en
    row = service.approve(db, v, date(2025, 5, 11), LEADER, as_of)  # 365 days: one full year
    assert row.status == "approved" and row.approved_by == "主管领导"
    db.session.rollback()


@pytest.mark.article("122号 Art.12")
def test_one_year_across_29_february_needs_366_days_122_art12(clean, db: UnitOfWork) -> None:
    first = _approved_draft(db, date(2027, 3, 1), date(2026, 1, 5))
    service.approve(db, first, date(2027, 3, 1), LEADER, date(2026, 1, 5))
    second = _approved_draft(db, date(2028, 2, 29), date(2027, 6, 1))
    with pytest.raises(InputError):
        service.approve(db, second, date(2028, 2, 29), LEADER, date(2027, 6, 1))  # 365 days, not yet a year
    service.approve(db, second, date(2028, 3, 1), LEADER, date(2027, 6, 1))  # 366 days
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    db.session.rollback()


def test_a_new_version_must_take_effect_after_an_already_approved_one(clean, db: UnitOfWork) -> None:
    first = _approved_draft(db, date(2027, 3, 1), date(2026, 1, 5))
    service.approve(db, first, date(2027, 3, 1), LEADER, date(2026, 1, 5))
    second = _approved_draft(db, date(2026, 6, 1), date(2026, 1, 6))
    with pytest.raises(InputError) as exc:
        service.approve(db, second, date(2026, 6, 1), LEADER, date(2026, 1, 6))
    assert first in exc.value.problems[0].reason_en
    db.session.rollback()


def test_the_service_refuses_a_non_leader_approver_d1_08(clean, db: UnitOfWork) -> None:
    v = _approved_draft(db, date(2025, 6, 1), date(2025, 1, 2))
    with pytest.raises(ForbiddenError):
        service.approve(db, v, date(2025, 6, 1), Actor(name="admin", role="admin"), date(2025, 1, 2))
    db.session.rollback()


@pytest.mark.article("122号 Art.7")
def test_approval_adds_new_items_to_the_collection_catalogue_122_art7(clean, db: UnitOfWork) -> None:
    from xinyong.governance.service import content_of, create_draft, get_row, open_consultation

    body = content_of(get_row(db.session, SD))
    body.pop("version")
    first = body["items"][0]
    body["items"].append(dict(first, code="SD-B77", name="新指标", cap=1, points=1))
    first["cap"] -= 1  # the bonus caps stay within the 100-point budget (122号 Art.11(2))
    db.clock = FixedClock(date(2026, 1, 2))
    row = create_draft(db, body, REGULATOR, date(2026, 1, 2))
    open_consultation(db, row.version, date(2026, 1, 2), date(2026, 1, 17), REGULATOR, date(2026, 1, 2))
    assert db.session.get(CatalogueItem, "SD-B77") is None
    service.approve(db, row.version, date(2026, 2, 1), LEADER, date(2026, 1, 18))
    assert db.session.get(CatalogueItem, "SD-B77").industry == "survey_design"  # type: ignore[union-attr]
    db.session.rollback()


@pytest.mark.article("122号 Art.13")
def test_a_version_in_force_at_once_re_evaluates_the_stored_results_122_art13(gclient: TestClient, tokens) -> None:
    """Approved to take effect today: the stored current evaluations (lists, statistics) switch at once, and
    each change is archived, so `archive verify` stays consistent (第十三条 实时更新, 第十九条)."""
    from xinyong.archive.verify import verify_archive
    from xinyong.db.session import session_factory

    code = make_subject(gclient, tokens["admin"], industries=["survey_design"])
    body = sd_draft(gclient)
    v = create(gclient, tokens["business"], body, on=days(-16))["version"]
    consult(gclient, tokens["business"], v, days(-16), days(-1))
    approve(gclient, tokens["leader"], v, today())
    listed = gclient.get("/api/v1/subjects", params={"q": code, "industry": "survey_design"}).json()["items"][0]
    assert listed["evaluation"]["as_of"] == today().isoformat()
    engine = gclient.app.state.engine
    with session_factory(engine)() as s:
        from sqlalchemy import select

        from xinyong.evaluation.models import Evaluation
        from xinyong.subjects.models import Subject

        sid = s.scalar(select(Subject.id).where(Subject.code == code))
        stored = s.get(Evaluation, (sid, "survey_design"))
        assert stored.standard_version == f"general-2024.1+{v}"
        report = verify_archive(s)
    assert report.ok, report
