"""Issue 12 item 4: a business department corrects only records it may report (122号 Art.4(2)), as withdraw checks."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api._api_helpers import make_subject, post_record, records_of
from tests.conftest import auth


@pytest.mark.article("122号 Art.4(2)", "122号 Art.10")
def test_business_may_not_correct_another_regulators_item_into_its_own(client: TestClient,
                                                                        tokens: dict[str, str]) -> None:
    code = make_subject(client, tokens["admin"])["code"]
    # the coordinator enters a fire-design item (regulated by xiaofangshencha) in kanchasheji's name
    other = post_record(client, tokens["coordinator"], code, "FR-B01")
    biz = tokens["business"]  # 勘察设计处: general items and survey_design only
    body = {"reason": "改为本处指标", "item": "GEN-B01"}  # the new item alone is one it may report
    r = client.post(f"/api/v1/records/{other['id']}/correct", json=body, headers=auth(biz))
    assert r.status_code == 403, r.text
    assert r.json()["detail"][0]["field"] == "id"
    assert "FR-B01" in r.json()["detail"][0]["reason_en"]
    # nothing was written: the fire-design record still counts, no new version
    rows = records_of(client, code, tokens["admin"])
    assert [(x["id"], x["status"]) for x in rows] == [(other["id"], "active")]
    # withdraw is refused alike, and the coordinator may correct it
    assert client.post(f"/api/v1/records/{other['id']}/withdraw", json={"reason": "x"},
                       headers=auth(biz)).status_code == 403
    ok = client.post(f"/api/v1/records/{other['id']}/correct", json=body, headers=auth(tokens["coordinator"]))
    assert ok.status_code == 201, ok.text


@pytest.mark.article("122号 Art.4(2)", "122号 Art.10")
def test_business_still_corrects_its_own_items(client: TestClient, tokens: dict[str, str]) -> None:
    code = make_subject(client, tokens["admin"], industries=["survey_design"])["code"]
    own = post_record(client, tokens["business"], code, "SD-D01")
    general = post_record(client, tokens["business"], code, "GEN-B01")
    for rec, new_item in ((own, "SD-D02"), (general, "GEN-B02")):
        r = client.post(f"/api/v1/records/{rec['id']}/correct", json={"reason": "录入错误", "item": new_item},
                        headers=auth(tokens["business"]))
        assert r.status_code == 201, r.text
        assert r.json()["supersedes"] == rec["id"]
