"""What-if impact of a draft standard on every subject (issue 3 item 2), on a small hand-checked data set.

Levels (parameters.yaml, G1-01): C 550–599, C- 500–549. Base 500 (national grade C or none, 第十三条, 第十五条).
Draft of survey_design: SD-B01 10 → 20 points per occurrence with cap 40 → 60, SD-B04 (10, cap 20) removed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _governance_helpers import (  # noqa: F401  (governed is a fixture)
    consult,
    content,
    create,
    days,
    governed,
    make_subject,
    post_record,
)
from fastapi.testclient import TestClient

from tests.conftest import auth
from xinyong.core.uow import UnitOfWork
from xinyong.evaluation.impact import impact
from xinyong.rules.identifiers import mask_resident_id

SD = "survey_design-2024.1"

pytestmark = pytest.mark.usefixtures("governed")  # removes the versions a test adds


@pytest.fixture
def world(clean, tokens) -> Iterator[tuple[TestClient, dict[str, str]]]:  # type: ignore[no-untyped-def]
    from xinyong.api import create_app

    with TestClient(create_app(clean)) as c:
        biz, admin = tokens["business"], tokens["admin"]
        s1 = make_subject(c, admin, grade="C", industries=["survey_design"])
        for _ in range(3):
            post_record(c, biz, s1, "SD-B01")  # 530 C-  →  560 C
        i1 = make_subject(c, admin, kind="individual", industries=["survey_design"])
        post_record(c, biz, i1, "SD-B01")  # 510 C- → 520 C-
        s2 = make_subject(c, admin, industries=["survey_design"])  # 500 C-, unchanged
        s4 = make_subject(c, admin, industries=["survey_design"])
        post_record(c, biz, s4, "SD-B04")  # 510 C- → 500 C- (item removed)
        s3 = make_subject(c, admin)  # not in survey_design
        post_record(c, biz, s3, "GEN-B01")  # general 510 C-
        body = content(c, SD)
        for it in body["items"]:
            if it["code"] == "SD-B01":
                it.update(points=20, cap=60)
        body["items"] = [it for it in body["items"] if it["code"] != "SD-B04"]
        draft = create(c, biz, body)["version"]
        yield c, {"s1": s1, "i1": i1, "s2": s2, "s3": s3, "s4": s4, "draft": draft}


def test_impact_of_an_industry_draft_counts_the_industry_evaluations_hand_checked(world, tokens) -> None:
    c, w = world
    r = c.get(f"/api/v1/standards/{w['draft']}/impact", headers=auth(tokens["admin"]))
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["total"], rep["changed"]) == (4, 3)
    assert rep["transitions"] == {"C-->C": 1, "C-->C-": 3}
    assert rep["replaces"] == SD
    assert rep["distribution"]["before"]["C-"] == 4 and rep["distribution"]["after"]["C"] == 1
    rows = [(s["subject"], s["industry"], s["before"]["score"], s["before"]["level"], s["after"]["score"],
             s["after"]["level"]) for s in rep["subjects"]]
    assert rows == [
        (w["s4"], "survey_design", 510, "C-", 500, "C-"),
        (w["i1"], "survey_design", 510, "C-", 520, "C-"),
        (w["s1"], "survey_design", 530, "C-", 560, "C"),
    ]


def test_impact_masks_resident_ids_for_roles_without_personal_data_g1_17(world, tokens) -> None:
    c, w = world
    shown = {s["subject"] for s in c.get(f"/api/v1/standards/{w['draft']}/impact",
                                         headers=auth(tokens["viewer"])).json()["subjects"]}
    assert mask_resident_id(w["i1"]) in shown and w["i1"] not in shown and w["s1"] in shown
    # a plain draft's impact is not public; once published for consultation it is
    assert c.get(f"/api/v1/standards/{w['draft']}/impact").status_code == 401
    consult(c, tokens["business"], w["draft"], days(0), days(15))
    public = c.get(f"/api/v1/standards/{w['draft']}/impact").json()
    assert mask_resident_id(w["i1"]) in {s["subject"] for s in public["subjects"]}


def test_impact_csv_export_lists_the_changed_evaluations(world, tokens) -> None:
    c, w = world
    r = c.get(f"/api/v1/standards/{w['draft']}/impact.csv", headers=auth(tokens["admin"]))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "subject,industry,before_score,before_level,after_score,after_level,delta"
    assert lines[1:] == [f"{w['s4']},survey_design,510,C-,500,C-,-10", f"{w['i1']},survey_design,510,C-,520,C-,10",
                         f"{w['s1']},survey_design,530,C-,560,C,30"]


def test_impact_of_a_general_draft_covers_general_and_every_industry_evaluation(world, tokens) -> None:
    c, w = world
    body = content(c, "general-2024.1")
    for it in body["items"]:
        if it["code"] == "GEN-B01":
            it["points"] = 20  # cap 20 unchanged: one occurrence now gives 20
    v = create(c, tokens["coordinator"], body)["version"]
    rep = c.get(f"/api/v1/standards/{v}/impact", headers=auth(tokens["admin"])).json()
    assert (rep["total"], rep["changed"]) == (5 + 4, 1)  # 5 general + 4 survey_design evaluations
    assert rep["subjects"] == [{"subject": w["s3"], "industry": None, "before": {"score": 510, "level": "C-"},
                                "after": {"score": 520, "level": "C-"}}]
    assert sum(rep["transitions"].values()) == rep["total"]


def test_impact_of_the_version_in_force_changes_nothing(world, db: UnitOfWork) -> None:
    _c, w = world
    rep = impact(db.session, SD, days(0), may_see_personal=True)
    assert (rep.total, rep.changed, rep.subjects) == (4, 0, [])


def test_impact_of_an_unknown_version_is_404(world) -> None:
    c, _w = world
    r = c.get("/api/v1/standards/nope-1/impact")
    assert r.status_code == 404 and r.json()["detail"][0]["field"] == "version"
