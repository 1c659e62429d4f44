"""Inspection plans drawn from the credit results (122号 Art.25) with ratios by grade (122号 Art.22; spec G1-09),
auditable: a draw re-computed here from the published population and seed alone, by code written apart from the
service's."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from tests.api._api_helpers import make_subject, post_record
from tests.conftest import auth
from tests.inspections._helpers import INDUSTRY, SEED, TODAY, add_inspectors, post_plan, subjects, whitelist
from xinyong.auth.actors import Actor
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import DayClock, clock_at
from xinyong.inspections.models import InspectionPlan
from xinyong.supervision.schemas import MeasuresEntryIn
from xinyong.supervision.service import approve, create_draft, file_list


@pytest.fixture(autouse=True)
def pinned() -> Iterator[None]:
    with clock_at(DayClock(TODAY)):
        yield


def _sha(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def recompute(plan: dict[str, Any]) -> dict[str, list[tuple[str, list[str]]]]:
    """The draw from what the plan publishes, following its recipe by hand: grade → [(code, inspectors)]."""
    seed = plan["seed"]
    base = Fraction(Decimal(plan["base_ratio"]))
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for grade in sorted({p["grade"] for p in plan["population"]}):
        codes = sorted((p["code"] for p in plan["population"] if p["grade"] == grade), key=lambda c: _sha(f"{seed}:{c}"))
        if grade in plan["every_drawn"]:
            k = len(codes)
        else:
            share = min(Fraction(1), Fraction(Decimal(plan["factors"][grade])) * base) * len(codes)
            k = share.numerator // share.denominator + (1 if share.numerator % share.denominator else 0)
        out[grade] = [(c, sorted(plan["inspectors"], key=lambda i, c=c: _sha(f"{seed}:{c}:{i}"))[:2])
                      for c in codes[:k]]
    return out


def published(plan: dict[str, Any]) -> dict[str, list[tuple[str, list[str]]]]:
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for d in plan["draws"]:
        out.setdefault(d["grade"], []).append((d["code"], d["inspectors"]))
    return out


def _per_grade(plan: dict[str, Any]) -> dict[str, int]:
    return {g: len(v) for g, v in published(plan).items()}


@pytest.fixture
def population(client: TestClient, tokens: dict[str, str]) -> dict[str, list[str]]:
    add_inspectors(client, tokens["admin"], n=4)
    return {g: subjects(client, tokens["admin"], g, n) for g, n in (("A", 10), ("B", 4), ("C", 3), ("D", 2))}


@pytest.mark.article("122号 Art.25", "122号 Art.22")
def test_a_draw_is_recomputed_from_the_published_population_and_seed(client, tokens, population):
    plan = post_plan(client, tokens["business"], base_ratio=0.1)
    assert plan["seed"] == SEED
    assert sorted((p["code"], p["grade"]) for p in plan["population"]) == sorted(
        (c, g) for g, codes in population.items() for c in codes)
    assert published(plan) == recompute(plan)
    # A: ceil(0.3 × 0.1 × 10) = ceil(0.3) = 1; B: ceil(0.06 × 4) = 1; C: ceil(0.1 × 3) = 1; D: all
    assert _per_grade(plan) == {"A": 1, "B": 1, "C": 1, "D": 2}
    assert {q["grade"]: (q["ratio"], q["count"]) for q in plan["quotas"]} == {
        "A": ("0.03", 1), "B": ("0.06", 1), "C": ("0.1", 1), "D": ("0.2", 2)}
    for d in plan["draws"]:
        assert len(set(d["inspectors"])) == 2 and set(d["inspectors"]) <= set(plan["inspectors"])
        assert d["reason"]
    assert "SHA-256" in plan["recipe"] and "{seed}:{code}" in plan["recipe"] and "ceil" in plan["recipe"]
    assert plan["factors"] == {"A": "0.3", "B": "0.6", "C": "1", "D": "2"}
    assert "G1-09" in plan["factors_source"] and "none" in plan["factors_source"]
    # the same seed and population draw the same subjects and inspectors again
    again = post_plan(client, tokens["admin"], base_ratio="0.1")
    assert published(again) == published(plan) and again["id"] != plan["id"]


@pytest.mark.article("122号 Art.22")
def test_ratios_are_capped_at_one_and_d_is_always_drawn_whole(client, tokens, population):
    full = post_plan(client, tokens["admin"], base_ratio="1")
    # A: ceil(0.3 × 10) = 3; B: ceil(0.6 × 4) = ceil(2.4) = 3; C: all 3; D: min(1, 2.0) → all
    assert _per_grade(full) == {"A": 3, "B": 3, "C": 3, "D": 2}
    assert {q["grade"]: q["ratio"] for q in full["quotas"]}["D"] == "1"
    assert published(full) == recompute(full)
    half = post_plan(client, tokens["admin"], base_ratio="0.5")
    assert {q["grade"]: q["ratio"] for q in half["quotas"]} == {"A": "0.15", "B": "0.3", "C": "0.5", "D": "1"}
    assert _per_grade(half) == {"A": 2, "B": 2, "C": 2, "D": 2}  # 1.5→2, 1.2→2, 1.5→2


@pytest.mark.article("122号 Art.22(4)1")
def test_every_d_subject_is_drawn_even_when_the_base_ratio_is_tiny(client, tokens, population):
    plan = post_plan(client, tokens["admin"], base_ratio="0.000001")
    assert sorted(c for c, _ in published(plan)["D"]) == sorted(population["D"])
    assert _per_grade(plan) == {"A": 1, "B": 1, "C": 1, "D": 2}
    assert all("122号 Art.22(4)1" in d["reason"] for d in plan["draws"] if d["grade"] == "D")


@pytest.mark.article("122号 Art.22(3)")
def test_the_ceil_boundary_is_exact_not_float(client, tokens):
    """1.0 × 0.28 × 25 is 7 exactly (floats: 7.000000000000001 → 8)."""
    add_inspectors(client, tokens["admin"])
    subjects(client, tokens["admin"], "C", 25)
    plan = post_plan(client, tokens["admin"], base_ratio=0.28)
    assert _per_grade(plan) == {"C": 7}
    assert published(plan) == recompute(plan)


@pytest.mark.article("122号 Art.25")
def test_whitelisted_subjects_are_left_out_of_the_population(client, tokens, population):
    chosen = population["A"][:3]
    for code in chosen:
        whitelist(client, tokens["business"], code)
    plan = post_plan(client, tokens["admin"], base_ratio="1")
    assert sorted(w["code"] for w in plan["whitelisted"]) == sorted(chosen)
    assert {w["grade"] for w in plan["whitelisted"]} == {"A"}
    in_population = {p["code"] for p in plan["population"]}
    assert not in_population & set(chosen)
    assert not {d["code"] for d in plan["draws"]} & set(chosen)
    assert _per_grade(plan)["A"] == 3  # ceil(0.3 × 7) = ceil(2.1) = 3
    assert published(plan) == recompute(plan)


def test_the_seed_is_validated_or_generated(client, tokens, population):
    for bad in ("0123456789ABCDEF0123456789ABCDEF", "abc", "g" * 32, "0" * 33):
        r = client.post("/api/v1/inspection-plans", headers=auth(tokens["admin"]), json={
            "department": "kanchasheji", "industry": INDUSTRY, "period_start": "2026-01-01",
            "period_end": "2026-12-31", "base_ratio": 0.1, "seed": bad})
        assert r.status_code == 422, (bad, r.text)
        assert "seed" in r.text
    generated = post_plan(client, tokens["admin"], seed=None)
    assert len(generated["seed"]) == 32 and all(ch in "0123456789abcdef" for ch in generated["seed"])
    assert published(generated) == recompute(generated)
    for body, field in ((dict(base_ratio=0), "base_ratio"), (dict(base_ratio=1.5), "base_ratio"),
                        (dict(period_end="2025-12-31"), "period_end"), (dict(industry="nope"), "industry"),
                        (dict(department="nope"), "department")):
        payload = {"department": "kanchasheji", "industry": INDUSTRY, "period_start": "2026-01-01",
                   "period_end": "2026-12-31", "base_ratio": 0.1, **body}
        r = client.post("/api/v1/inspection-plans", headers=auth(tokens["admin"]), json=payload)
        assert r.status_code == 422 and field in r.text, (body, r.text)


@pytest.mark.article("122号 Art.25")
def test_a_plan_never_changes_once_drawn(client: TestClient, tokens, population, clean: Engine):
    plan = post_plan(client, tokens["admin"], base_ratio="0.3")
    drawn_a = published(plan)["A"][0][0]
    # the grades change afterwards: a penalty for a drawn A subject, a new D subject
    post_record(client, tokens["admin"], drawn_a, "SD-D03")
    make_subject(client, tokens["admin"], grade="D", industries=[INDUSTRY])
    r = client.get(f"/api/v1/inspection-plans/{plan['id']}")
    assert r.status_code == 200
    assert r.json() == plan
    # no route changes it, the ORM refuses and so does the database
    assert client.put(f"/api/v1/inspection-plans/{plan['id']}", json={}).status_code == 405
    with unit_of_work(clean) as uow:
        row = uow.session.get(InspectionPlan, plan["id"])
        assert row is not None
        row.seed = "f" * 32
        with pytest.raises(PermissionError):
            uow.session.flush()
        uow.session.rollback()
    with pytest.raises(Exception, match="immutable"), clean.begin() as conn:
        conn.execute(text("UPDATE inspection_plans SET seed = :s WHERE id = :i"), {"s": "e" * 32, "i": plan["id"]})
    assert client.get(f"/api/v1/inspection-plans/{plan['id']}").json() == plan
    listed = client.get("/api/v1/inspection-plans", params={"department": "kanchasheji"}).json()
    assert [(p["id"], p["digest"]) for p in listed] == [(plan["id"], plan["digest"])]


def test_a_double_random_draw_needs_two_inspectors(client, tokens):
    subjects(client, tokens["admin"], "C", 2)
    r = client.post("/api/v1/inspection-plans", headers=auth(tokens["admin"]), json={
        "department": "kanchasheji", "industry": INDUSTRY, "period_start": "2026-01-01", "period_end": "2026-12-31",
        "base_ratio": 0.1})
    assert r.status_code == 409 and r.json()["detail"][0]["field"] == "inspectors"
    add_inspectors(client, tokens["admin"], n=1)
    assert client.post("/api/v1/inspection-plans", headers=auth(tokens["admin"]), json={
        "department": "kanchasheji", "industry": INDUSTRY, "period_start": "2026-01-01", "period_end": "2026-12-31",
        "base_ratio": 0.1}).status_code == 409
    add_inspectors(client, tokens["admin"], n=2)
    assert _per_grade(post_plan(client, tokens["admin"])) == {"C": 1}


@pytest.mark.article("122号 Art.25")
def test_roles_and_departments(client, tokens, population):
    add_inspectors(client, tokens["admin"], department="zhifa")
    # a business department plans only for itself
    r = client.post("/api/v1/inspection-plans", headers=auth(tokens["business"]), json={
        "department": "zhifa", "industry": INDUSTRY, "period_start": "2026-01-01", "period_end": "2026-12-31",
        "base_ratio": 0.1})
    assert r.status_code == 403, r.text
    r = client.post("/api/v1/inspectors", headers=auth(tokens["business"]),
                    json={"department": "zhifa", "name": "某", "code": "X1"})
    assert r.status_code == 403
    assert client.get("/api/v1/inspectors", params={"department": "zhifa"},
                      headers=auth(tokens["business"])).status_code == 403
    own = client.get("/api/v1/inspectors", params={"department": "kanchasheji"}, headers=auth(tokens["business"]))
    assert own.status_code == 200 and len(own.json()) == 4
    for role in ("viewer", "hall", "leader", "support"):
        assert post_plan(client, tokens[role], status=403)
    assert client.post("/api/v1/inspection-plans", json={}).status_code == 401
    plan = post_plan(client, tokens["coordinator"], department="zhifa")
    assert client.get(f"/api/v1/inspection-plans/{plan['id']}").status_code == 200  # published: no login
    assert client.get("/api/v1/inspection-plans/999999").status_code == 404
    assert client.get("/api/v1/inspection-plans/99999999999").status_code == 404


def test_an_inspector_code_is_registered_once(client, tokens):
    body = {"department": "kanchasheji", "name": "张三", "code": "ZF001"}
    assert client.post("/api/v1/inspectors", headers=auth(tokens["business"]), json=body).status_code == 201
    assert client.post("/api/v1/inspectors", headers=auth(tokens["business"]), json=body).status_code == 200
    r = client.post("/api/v1/inspectors", headers=auth(tokens["business"]), json={**body, "name": "李四"})
    assert r.status_code == 409
    r = client.post("/api/v1/inspectors", headers=auth(tokens["business"]), json={**body, "code": "ZF:1"})
    assert r.status_code == 422


def test_resident_id_numbers_are_masked_for_the_public(client, tokens):
    add_inspectors(client, tokens["admin"])
    person = make_subject(client, tokens["admin"], kind="individual", grade="C", industries=[INDUSTRY])["code"]
    plan = post_plan(client, tokens["admin"], base_ratio="1")
    assert [p["code"] for p in plan["population"]] == [person]
    public = client.get(f"/api/v1/inspection-plans/{plan['id']}").json()
    assert person not in str(public) and public["population"][0]["code"].endswith(person[-4:])
    staff = client.get(f"/api/v1/inspection-plans/{plan['id']}", headers=auth(tokens["admin"])).json()
    assert staff == plan


@pytest.mark.article("122号 Art.22", "122号 Art.24")
def test_the_factors_come_from_the_measures_list_in_force(client, tokens, population, clean: Engine):
    """spec G1-09: the factors are set per department in its measures list (supervision.inspection_factors)."""
    coordinator, leader = Actor("coord", "coordinator"), Actor("leader", "leader", channel="manual")
    line = MeasuresEntryIn(grade="A", process="inspection", item="A级大幅减少检查比例", basis="122号 第二十二条(一)1",
                           category="监督检查", department="kanchasheji", inspection_factor=0.2)
    with unit_of_work(clean, coordinator) as uow:
        list_id = create_draft(uow, INDUSTRY, "incentive", None, [line], coordinator).id
    with unit_of_work(clean, leader) as uow:
        approve(uow, list_id, leader)
    with unit_of_work(clean, coordinator) as uow:
        file_list(uow, list_id, TODAY, coordinator)
    plan = post_plan(client, tokens["business"], base_ratio="1")
    assert plan["factors"] == {"A": "0.2", "B": "0.6", "C": "1", "D": "2"}
    assert "incentive v1" in plan["factors_source"]
    assert _per_grade(plan)["A"] == 2  # ceil(0.2 × 10)
    assert published(plan) == recompute(plan)
