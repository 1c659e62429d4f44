"""The organisation table is open (122号 第二十七条 "…等", spec D1-04): the coordinating department adds units."""

from __future__ import annotations

import pytest

from tests.conftest import auth


@pytest.mark.article("122号 Art.27")
def test_coordinator_adds_a_district_branch_that_records_can_then_name_122_art27(client, tokens):
    r = client.post("/api/v1/departments", json={"code": "fenju_haidian", "name": "海淀分局", "role": "business"},
                    headers=auth(tokens["coordinator"]))
    assert r.status_code == 201, r.text
    assert {"code": "fenju_haidian", "name": "海淀分局"}.items() <= r.json().items()
    codes = {d["code"] for d in client.get("/api/v1/departments").json()}
    assert "fenju_haidian" in codes
    again = client.post("/api/v1/departments", json={"code": "fenju_haidian", "name": "重复"},
                        headers=auth(tokens["coordinator"]))
    assert again.status_code == 409
    renamed = client.put("/api/v1/departments/fenju_haidian", json={"name": "北京市规划和自然资源委员会海淀分局"},
                         headers=auth(tokens["admin"]))
    assert renamed.status_code == 200 and renamed.json()["name"].endswith("海淀分局")
    names = {d["code"]: d["name"] for d in client.get("/api/v1/departments").json()}
    assert names["fenju_haidian"] == "北京市规划和自然资源委员会海淀分局"
    # cleanup: departments are reference data shared by the session's tests
    from sqlalchemy import text

    with client.app.state.engine.begin() as conn:
        conn.execute(text("DELETE FROM departments WHERE code = 'fenju_haidian'"))


def test_department_codes_are_checked_and_only_the_coordinating_side_may_edit(client, tokens):
    bad = client.post("/api/v1/departments", json={"code": "Bad Code!", "name": "x"}, headers=auth(tokens["admin"]))
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "code"
    assert client.post("/api/v1/departments", json={"code": "x1", "name": "x"},
                       headers=auth(tokens["business"])).status_code == 403
    assert client.put("/api/v1/departments/nope", json={"name": "x"},
                      headers=auth(tokens["admin"])).status_code == 404
