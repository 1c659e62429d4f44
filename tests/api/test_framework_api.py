"""GET /api/v1/framework: the framework parameters in force on a day, read from parameters.yaml — the one
source the UI and CLI read (issue 6 item 5; 122号 第八条(一), 第十一条(二), 第十三条, 第十四条, 第十六条, 第二十八条).

Expected values come from the YAML file read here independently with yaml.safe_load, never from the response.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

import xinyong.standards
from xinyong.core.clock import FixedClock, clock_at

PARAMETERS = Path(xinyong.standards.__file__).parent / "default" / "parameters.yaml"
URL = "/api/v1/framework"


def _yaml_value(name: str, on: date) -> object:
    """The value of `name` in force on `on`, straight from the file: the entry with the latest date ≤ on."""
    raw = yaml.safe_load(PARAMETERS.read_text(encoding="utf-8"))[name]["values"]
    since = sorted(raw)
    chosen = [d for d in since if d <= on] or since[:1]
    return raw[chosen[-1]]["value"]


ON = date(2025, 3, 1)


def test_values_equal_parameters_yaml(client: TestClient) -> None:
    r = client.get(URL, params={"as_of": ON.isoformat()})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["as_of"] == ON.isoformat()
    rng = _yaml_value("score_range", ON)
    assert body["score_range"] == {"min": rng["min"], "max": rng["max"]}  # type: ignore[index]
    grades = _yaml_value("grades", ON)
    assert {g["grade"]: g["min"] for g in body["grades"]} == grades
    assert [g["min"] for g in body["grades"]] == sorted(grades.values(), reverse=True)  # type: ignore[union-attr]
    levels = _yaml_value("levels", ON)
    assert [(lv["level"], lv["grade"], lv["min"]) for lv in body["levels"]] == \
        [(lv["level"], lv["grade"], lv["min"]) for lv in sorted(levels, key=lambda b: -b["min"])]  # type: ignore[arg-type]
    assert body["base_scores"] == _yaml_value("base_scores", ON)
    assert body["fuse"]["heavier_penalty_count"] == _yaml_value("heavier_penalty_fuse_count", ON)
    period = _yaml_value("evaluation_period", ON)
    assert body["evaluation_period"]["months"] == period["months"]  # type: ignore[index]
    assert body["evaluation_period"]["anchor"] == period["anchor"].isoformat()  # type: ignore[index]
    assert body["entry_deadline_workdays"] == _yaml_value("entry_deadline_workdays", ON)
    validity = _yaml_value("measures_validity", ON)
    assert body["validity"]["first_day"] == validity["from"].isoformat()  # type: ignore[index]
    assert body["validity"]["last_day"] == validity["last_day"].isoformat()  # type: ignore[index]
    assert body["validity"]["warning"] is None and body["validity"]["status"] == "in_force"


@pytest.mark.article("122号 Art.14")
def test_bands_follow_122_art14_inclusive_min_exclusive_upper(client: TestClient) -> None:
    """122号 第十四条 "800分及以上 … 650分及以上、800分以下": each band is [min, min of the band above)."""
    body = client.get(URL, params={"as_of": ON.isoformat()}).json()
    for bands in (body["grades"], body["levels"]):
        assert bands[0]["below"] is None
        assert [b["below"] for b in bands[1:]] == [b["min"] for b in bands[:-1]]
    assert bands[-1]["min"] == body["score_range"]["min"]
    assert all(g["name"] for g in body["grades"])
    assert {lv["grade"] for lv in body["levels"]} == {g["grade"] for g in body["grades"]}


@pytest.mark.article("122号 Art.16")
def test_fuse_articles_are_the_seven_items_of_122_art16_and_only_6_is_counted(client: TestClient) -> None:
    arts = client.get(URL, params={"as_of": ON.isoformat()}).json()["fuse"]["articles"]
    assert [a["article"] for a in arts] == [f"第十六条({n})" for n in "一二三四五六七"]
    assert [a["key"] for a in arts] == [f"122号 Art.16({n})" for n in range(1, 8)]
    assert [a["article"] for a in arts if a["counted"]] == ["第十六条(六)"]


def test_evaluation_period_of_as_of_is_given(client: TestClient) -> None:
    period = client.get(URL, params={"as_of": "2026-02-28"}).json()["evaluation_period"]
    months = _yaml_value("evaluation_period", date(2026, 2, 28))["months"]  # type: ignore[index]
    assert period["first_day"] <= "2026-02-28" <= period["last_day"]
    if months == 12:
        assert (period["first_day"], period["last_day"]) == ("2026-01-01", "2026-12-31")


@pytest.mark.article("122号 Art.28")
@pytest.mark.parametrize(("as_of", "status"), [("2024-05-10", 422), ("2024-05-11", 200)])
def test_as_of_before_the_measures_took_effect_is_refused_122_art28(client: TestClient, as_of: str,
                                                                      status: int) -> None:
    r = client.get(URL, params={"as_of": as_of})
    assert r.status_code == status, r.text
    if status == 422:
        (problem,) = r.json()["detail"]
        assert problem["field"] == "as_of"
        assert "2024-05-11" in problem["reason_zh"] and "2024-05-11" in problem["reason_en"]


@pytest.mark.parametrize("bad", ["2026-02-30", "2026/01/01", "20260101", "tomorrow", "1700000000", "2026-W01-1",
                                 "2026-01-01T00:00"])
def test_malformed_as_of_is_refused_naming_the_field(client: TestClient, bad: str) -> None:
    r = client.get(URL, params={"as_of": bad})
    assert r.status_code == 422, r.text
    assert [p["field"] for p in r.json()["detail"]] == ["as_of"]


def test_as_of_defaults_to_today_in_beijing(client: TestClient) -> None:
    with clock_at(FixedClock(date(2026, 11, 11))):
        body = client.get(URL).json()
    assert body["as_of"] == "2026-11-11"
    assert body["validity"]["warning"]["kind"] == "expiring"


# Last day in force 2027-05-10 (spec G1-14). The six months that end on it run 2026-11-11 … 2027-05-10: their
# start day 2026-11-10 is not counted (民法典 第二百零一条), and a period in months ends on the corresponding day
# (第二百零二条). So the warning first shows on 2026-11-11; from 2027-05-11 the measures are reported lapsed.
@pytest.mark.parametrize(("as_of", "status", "kind"), [
    ("2026-11-10", "in_force", None),
    ("2026-11-11", "expiring", "expiring"),
    ("2027-05-10", "expiring", "expiring"),
    ("2027-05-11", "lapsed", "lapsed"),
])
def test_validity_warning_six_months_before_the_last_day_civil_code_art201_203(
        client: TestClient, as_of: str, status: str, kind: str | None) -> None:
    validity = client.get(URL, params={"as_of": as_of}).json()["validity"]
    assert validity["status"] == status
    assert validity["warning_from"] == "2026-11-11"
    if kind is None:
        assert validity["warning"] is None
    else:
        assert validity["warning"]["kind"] == kind
        assert "2027-05-10" in validity["warning"]["message_zh"] and "2027-05-10" in validity["warning"]["message_en"]
        assert "有效期" in validity["warning"]["message_zh"]


def test_public_and_described_in_openapi(client: TestClient) -> None:
    """A read route: no token needed (like the other reference data), with a response schema in /openapi.json."""
    assert client.get(URL).status_code == 200  # no Authorization header
    doc = client.get("/openapi.json").json()
    op = doc["paths"][URL]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    assert set(params) == {"as_of"} and params["as_of"].get("required", False) is False
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"score_range", "grades", "levels", "base_scores", "fuse", "evaluation_period",
            "entry_deadline_workdays", "validity"} <= set(schema["properties"])
