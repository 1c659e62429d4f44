"""The reference data a GET of an evaluation needs — the standards in force, the industry codes, the catalogue's
refusal items — is kept per process under a version that one statement reads in each transaction (issue 10
item 5; db/memo.py per_version). A change committed by any unit of work is seen by the next read: a standard put
in force (122号 Art.12: applies from its implementation), a catalogue item added (122号 Art.7, Art.16(2))."""

from __future__ import annotations

from datetime import date

import pytest
from _governance_helpers import (  # noqa: F401  (governed is a fixture)
    approve,
    consult,
    content,
    create,
    days,
    governed,
    make_subject,
    post_record,
    today,
)
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete

from xinyong.bootstrap import unit_of_work
from xinyong.reference.models import CatalogueItem
from xinyong.reference.service import items_firing

SD = "survey_design-2024.1"
REFUSAL = "122号 Art.16(2)"

pytestmark = pytest.mark.usefixtures("governed")  # removes the versions and catalogue items a test adds


@pytest.fixture
def gclient(clean, tokens) -> TestClient:  # type: ignore[no-untyped-def]
    from xinyong.api import create_app

    with TestClient(create_app(clean)) as c:
        yield c


@pytest.mark.article("122号 Art.12")
def test_a_standard_put_in_force_is_seen_by_the_next_get_of_an_evaluation_122_art12(gclient: TestClient,
                                                                                     tokens) -> None:
    code = make_subject(gclient, tokens["admin"], industries=["survey_design"])
    # dated today: yesterday is in the last period on 1 January (122号 Art.13), and the record would count for nothing
    post_record(gclient, tokens["business"], code, "SD-B01", act_date=today())
    path = f"/api/v1/subjects/{code}/evaluation"
    first = gclient.get(path, params={"industry": "survey_design"}).json()
    assert first["score"] > 500  # the record counts
    assert gclient.get(path, params={"industry": "survey_design"}).json() == first  # served from the caches
    assert first["standard_version"] == f"general-2024.1+{SD}"
    body = content(gclient, SD)
    body["name"] = "勘察设计行业信用评价标准(修订)"
    b01 = next(it for it in body["items"] if it["code"] == "SD-B01")
    b01["points"] -= 5  # 10 → 5 points for the same record
    v = create(gclient, tokens["business"], body, on=days(-16))["version"]
    consult(gclient, tokens["business"], v, days(-16), days(-1))
    approve(gclient, tokens["leader"], v, today())
    now = gclient.get(path, params={"industry": "survey_design"}).json()
    assert now["standard_version"] == f"general-2024.1+{v}"
    assert now["score"] == first["score"] - 5


@pytest.mark.article("122号 Art.16(2)")
def test_a_catalogue_item_added_by_another_unit_of_work_is_seen_by_the_next_read_122_art16_2(clean: Engine) -> None:
    with unit_of_work(clean, writing=False) as uow:
        before = items_firing(uow.session, REFUSAL)  # fills the process's cache
    assert "GEN-D04" in before and "XX-R01" not in before
    with unit_of_work(clean) as uow:  # as loading a standard does (reference/service.py extend_catalogue)
        uow.session.add(CatalogueItem(code="XX-R01", name="拒不履行(测试)", polarity="bad", family="general",
                                      industry=None, source_category="planning", admin_category="dishonest_behaviour",
                                      fuse_article=REFUSAL, heavier=False, work_safety=False, article=REFUSAL))
    with unit_of_work(clean, writing=False) as uow:
        assert sorted(items_firing(uow.session, REFUSAL)) == sorted([*before, "XX-R01"])


def test_what_a_rolled_back_transaction_saw_is_not_kept(clean: Engine) -> None:
    """A transaction that wrote the catalogue computes afresh and keeps nothing: had it kept what it saw, a later
    committed state with the same row count would be answered with the rolled-back rows."""
    with unit_of_work(clean, writing=False) as uow:
        before = items_firing(uow.session, REFUSAL)
    with pytest.raises(RuntimeError), unit_of_work(clean) as uow:
        uow.session.add(CatalogueItem(code="XX-R02", name="拒不履行(测试)", polarity="bad", family="general",
                                      industry=None, source_category="planning", admin_category="dishonest_behaviour",
                                      fuse_article=REFUSAL, heavier=False, work_safety=False, article=REFUSAL))
        uow.session.flush()
        assert "XX-R02" in items_firing(uow.session, REFUSAL)  # its own write, seen in its transaction
        raise RuntimeError("rolled back")
    with unit_of_work(clean) as uow:  # the same count again, other rows: not a refusal item
        uow.session.add(CatalogueItem(code="XX-G01", name="其他(测试)", polarity="good", family="general",
                                      industry=None, source_category="planning", admin_category="other_good",
                                      fuse_article=None, heavier=False, work_safety=False, article="122号 Art.7"))
    with unit_of_work(clean, writing=False) as uow:
        assert sorted(items_firing(uow.session, REFUSAL)) == sorted(before)
    with unit_of_work(clean) as uow:
        uow.session.execute(delete(CatalogueItem).where(CatalogueItem.code == "XX-G01"))


def test_a_catalogue_item_of_today_fires_in_the_next_get_of_an_evaluation_122_art16_2(gclient: TestClient, clean: Engine,
                                                                                       tokens) -> None:
    """End to end: a GET (caches filled), then an item added to the catalogue and a refusal of it from the last
    period recorded: the next GET holds the fuse (122号 Art.16(2): a refusal fires until performed)."""
    code = make_subject(gclient, tokens["admin"], industries=["survey_design"])
    path = f"/api/v1/subjects/{code}/evaluation"
    assert gclient.get(path).json()["fused"] is False
    with unit_of_work(clean) as uow:
        uow.session.add(CatalogueItem(code="XX-R03", name="拒不履行(测试)", polarity="bad", family="general",
                                      industry=None, source_category="planning", admin_category="dishonest_behaviour",
                                      fuse_article=REFUSAL, heavier=False, work_safety=False, article=REFUSAL))
    post_record(gclient, tokens["business"], code, "XX-R03", act_date=date(today().year - 1, 6, 1))
    now = gclient.get(path).json()
    assert now["fused"] is True, now
