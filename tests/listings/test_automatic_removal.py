"""Automatic removal from a list (44号 Task 14 无需申请即可自动移出; spec D3-04, G3-01(a)): a listing carries the
last day of its effect (`ends_on`, by default the list's fixed period counted per 民法典 Art.201–202, spec G0-1);
from the next day the subject is no longer on the list, and the daily job records the removal with
`automatic: true` and its rule, re-evaluates the subject and lifts the fuse of 122号 Art.16(1) (G1-05)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api._api_helpers import make_subject, new_ref
from tests.conftest import auth
from xinyong.archive.verify import verify_archive
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import DayClock, clock_at
from xinyong.listings.service import add_months, lists, remove_expired_listings
from xinyong.messages.listings import ListingRemoved, SubjectListed


def _list(client: TestClient, token: str, code: str, listed_on: date, *, list_code: str = "national_serious_dishonesty",
          ends_on: date | None = None, ref: str | None = None, status: int = 201) -> dict[str, Any]:
    body: dict[str, Any] = {"subject": code, "list": list_code, "listed_on": listed_on.isoformat(),
                            "source_ref": ref or new_ref("LIST")}
    if ends_on is not None:
        body["ends_on"] = ends_on.isoformat()
    r = client.post("/api/v1/listings", headers=auth(token), json=body)
    assert r.status_code == status, r.text
    return dict(r.json())


def _evaluation(client: TestClient, code: str, as_of: date | None = None) -> dict[str, Any]:
    r = client.get(f"/api/v1/subjects/{code}/evaluation", params={"as_of": as_of.isoformat()} if as_of else {})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _remove_expired(engine: Engine, day: date) -> int:
    with clock_at(DayClock(day)), unit_of_work(engine) as uow:
        return remove_expired_listings(uow)


def test_the_fixed_period_counts_calendar_years_from_the_day_after_listing() -> None:
    """民法典 第二百零一条/第二百零二条 (G0-1): three years from 2023-03-10 end on 2026-03-10; from 29 February on
    the last day of February; 第二百零三条 does not move the end of a term of effect (a holiday last day stays)."""
    period = lists()["serious_illegal_dishonest"]
    assert period.period_months == 36 and period.period_reference and "第44号" in period.period_reference
    assert period.ends_on(date(2023, 3, 10)) == date(2026, 3, 10)
    assert period.ends_on(date(2024, 2, 29)) == date(2027, 2, 28)
    assert period.ends_on(date(2023, 10, 1)) == date(2026, 10, 1)  # 国庆 holiday: not moved
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert lists()["national_serious_dishonesty"].ends_on(date(2023, 3, 10)) is None  # until removed


def test_a_listing_takes_the_lists_fixed_period_unless_it_states_its_own_end(
        client: TestClient, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(date(2026, 3, 10))):
        code = make_subject(client, tokens["admin"])["code"]
        samr = _list(client, tokens["support"], code, date(2024, 2, 29), list_code="serious_illegal_dishonest")
        assert samr["ends_on"] == "2027-02-28" and samr["active"] is True and samr["removal_automatic"] is False
        own = _list(client, tokens["support"], code, date(2025, 1, 2), list_code="serious_illegal_dishonest",
                    ends_on=date(2026, 1, 1))
        assert own["ends_on"] == "2026-01-01" and own["active"] is False  # ended: no longer on the list today
        national = _list(client, tokens["support"], code, date(2025, 1, 2))
        assert national["ends_on"] is None
        kinds = {k["code"]: k for k in client.get("/api/v1/lists").json()}
        assert kinds["serious_illegal_dishonest"]["period_months"] == 36
        assert kinds["national_serious_dishonesty"]["period_months"] is None
        # 422: an end before the listing; 409: the same listing again with another end
        bad = _list(client, tokens["support"], code, date(2025, 1, 2), ends_on=date(2025, 1, 1), status=422)
        assert bad["detail"][0]["field"] == "ends_on" and bad["detail"][0]["reason_en"]
        again = _list(client, tokens["support"], code, date(2025, 1, 2), ends_on=date(2026, 1, 1),
                      ref=national["source_ref"], status=409)
        assert again["detail"][0]["field"] == "source_ref"
        same = _list(client, tokens["support"], code, date(2024, 2, 29), list_code="serious_illegal_dishonest",
                     ref=samr["source_ref"], status=200)
        assert same["id"] == samr["id"]  # the default end again is the same listing


@pytest.mark.article("122号 Art.16(1)")  # and 44号 Task 14 (the marker parser takes 122号 keys only)
def test_the_day_after_ends_on_the_listing_is_removed_without_application_and_the_fuse_lifts(
        clean: Engine, client: TestClient, tokens: dict[str, str]) -> None:
    ends = date(2026, 5, 4)  # a holiday (Labour Day): the term ends that day all the same
    with clock_at(DayClock(date(2026, 3, 10))):
        code = make_subject(client, tokens["admin"], grade="A")["code"]
        listing = _list(client, tokens["support"], code, date(2026, 1, 5), ends_on=ends)
        assert _evaluation(client, code)["grade"] == "D"
    assert _remove_expired(clean, ends) == 0  # the last day: still listed
    with clock_at(DayClock(ends)):
        assert _evaluation(client, code)["fused"] is True
        assert client.get(f"/api/v1/subjects/{code}/listings").json()[0]["active"] is True
    day_after = date(2026, 5, 5)
    with clock_at(DayClock(day_after)):
        assert _evaluation(client, code)["fused"] is False  # no longer on the list, job or not
    late = date(2026, 5, 8)  # the job did not run for a few days: the removal still dates from the day after
    assert _remove_expired(clean, late) == 1
    assert _remove_expired(clean, late) == 0  # idempotent
    with clock_at(DayClock(late)):
        row = client.get(f"/api/v1/subjects/{code}/listings").json()[0]
        assert row["id"] == listing["id"] and row["removed_on"] == "2026-05-05" and row["active"] is False
        assert row["removal_automatic"] is True and row["removal_rule"] == "listing_period_ended"
        assert "2026-05-04" in row["removal_reason"]
        stored = client.get("/api/v1/subjects", params={"q": code}).json()["items"][0]["evaluation"]
        assert stored["grade"] == "A" and stored["fused"] is False  # re-evaluated: the fuse lifted
        assert _evaluation(client, code, date(2026, 5, 4))["fused"] is True  # the last listed day keeps it
        entries = client.get(f"/api/v1/subjects/{code}/archive", headers=auth(tokens["admin"])).json()["entries"]
    removal = [e for e in entries if e["kind"] == "listing_removed"]
    assert len(removal) == 1
    assert removal[0]["payload"]["automatic"] is True and removal[0]["payload"]["rule"] == "listing_period_ended"
    assert removal[0]["payload"]["removed_on"] == "2026-05-05" and removal[0]["payload"]["by"] == "system"
    assert [e["kind"] for e in entries][-2:] == ["listing_removed", "evaluation_changed"]
    listed = [e for e in entries if e["kind"] == "subject_listed"]
    assert listed[0]["payload"]["ends_on"] == "2026-05-04"
    with unit_of_work(clean) as uow:
        report = verify_archive(uow.session)
    assert report.ok, report.problems


def test_a_removal_by_hand_before_the_end_is_not_repeated_by_the_job(
        clean: Engine, client: TestClient, tokens: dict[str, str]) -> None:
    with clock_at(DayClock(date(2026, 3, 10))):
        code = make_subject(client, tokens["admin"])["code"]
        listing = _list(client, tokens["support"], code, date(2026, 1, 5), ends_on=date(2026, 4, 1))
        r = client.post(f"/api/v1/listings/{listing['id']}/removal", headers=auth(tokens["support"]),
                        json={"removed_on": "2026-03-01", "reason": "上游系统推送移出"})
        assert r.status_code == 200 and r.json()["removal_automatic"] is False
    assert _remove_expired(clean, date(2026, 4, 2)) == 0
    with clock_at(DayClock(date(2026, 4, 2))):
        row = client.get(f"/api/v1/subjects/{code}/listings").json()[0]
    assert row["removed_on"] == "2026-03-01" and row["removal_rule"] is None


def test_old_archived_payloads_keep_their_keys() -> None:
    """Events archived before ends_on/automatic existed hash the same: the keys appear only when set."""
    listed = SubjectListed(1, "X", membership_id=1, list_code="l", list_name="n", listed_on="2026-01-01",
                           source="system", department=None, source_ref="r", by="b")
    assert set(listed.payload()) == {"membership_id", "list", "listed_on", "source", "department", "source_ref", "by"}
    removed = ListingRemoved(1, "X", membership_id=1, list_code="l", list_name="n", removed_on="2026-01-02",
                             reason="r", by="b")
    assert set(removed.payload()) == {"membership_id", "list", "removed_on", "reason", "by"}
    assert "automatic" not in removed.changes()[0].data
    auto = ListingRemoved(1, "X", membership_id=1, list_code="l", list_name="n", removed_on="2026-01-02",
                          reason="r", by="system", automatic=True, rule="listing_period_ended")
    assert auto.payload()["automatic"] is True and auto.changes()[0].data["rule"] == "listing_period_ended"
