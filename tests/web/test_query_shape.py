"""The pages' API calls issue a bounded number of SQL statements, whatever the size of what they show (issue 11:
pages under 300 ms server time at 100,000 subjects; the figure itself is make bench's bench/bench_web.py). A
statement per row, per industry or per department would pass a small test database and fail the real one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from tests.conftest import auth, new_uscc
from xinyong.core.clock import beijing_today


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _get(client: TestClient, engine: Engine, path: str, token: str | None = None) -> int:
    with statements(engine) as seen:
        r = client.get(path, headers=auth(token) if token else {})
    assert r.status_code == 200, r.text
    return len(seen)


def _subjects(client: TestClient, token: str, n: int, industry: str = "survey_design") -> list[str]:
    codes = []
    for i in range(n):
        r = client.post("/api/v1/subjects", headers=auth(token), json={
            "code": new_uscc(), "name": f"形状测试{i}", "kind": "organization", "national_grade": "B",
            "industries": [industry]})
        assert r.status_code == 201, r.text
        codes.append(str(r.json()["code"]))
    return codes


def _record(client: TestClient, token: str, code: str, department: str = "kanchasheji") -> int:
    r = client.post("/api/v1/records", headers=auth(token), json={
        "subject": code, "item": "GEN-B01", "act_date": beijing_today().isoformat(), "department": department,
        "source_ref": f"S-{new_uscc()}"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_the_filtered_subject_list_issues_the_same_few_statements_for_any_page_size(
        client: TestClient, tokens: dict[str, str], clean: Engine) -> None:
    _subjects(client, tokens["admin"], 24)
    base = "/api/v1/subjects?industry=survey_design&grade={g}&q=形状&limit={n}"
    grade = client.get("/api/v1/subjects?industry=survey_design&limit=1").json()["items"][0]["evaluation"]["grade"]
    small = _get(client, clean, base.format(g=grade, n=2), tokens["admin"])
    large = _get(client, clean, base.format(g=grade, n=24), tokens["admin"])
    assert len(client.get(base.format(g=grade, n=24), headers=auth(tokens["admin"])).json()["items"]) == 24
    assert small == large <= 8


def test_the_portal_search_issues_the_same_few_statements_for_any_page_size(
        client: TestClient, tokens: dict[str, str], clean: Engine) -> None:
    _subjects(client, tokens["admin"], 12)
    small = _get(client, clean, "/api/v1/public/subjects?q=形状测试&limit=2")
    large = _get(client, clean, "/api/v1/public/subjects?q=形状测试&limit=12")
    assert small == large <= 6


def test_the_dashboard_does_not_grow_statements_with_departments_or_months(
        client: TestClient, tokens: dict[str, str], clean: Engine) -> None:
    codes = _subjects(client, tokens["admin"], 2)
    _record(client, tokens["admin"], codes[0])
    year = beijing_today().year
    calls = ["/api/v1/stats/distribution", "/api/v1/stats/scores", "/api/v1/stats/trend?months=2",
             f"/api/v1/reports/lateness?year={year}"]
    one = [_get(client, clean, path, tokens["admin"]) for path in calls]
    more = _subjects(client, tokens["admin"], 3, industry="land_development")
    for code, department in zip(more, ["kanchasheji", "zhifa", "heyan"], strict=True):
        _record(client, tokens["admin"], code, department)
    calls[2] = "/api/v1/stats/trend?months=24"
    many = [_get(client, clean, path, tokens["admin"]) for path in calls]
    assert one == many
    assert max(many) <= 6


def test_the_subject_page_does_not_grow_statements_with_its_records(
        client: TestClient, tokens: dict[str, str], clean: Engine) -> None:
    code = _subjects(client, tokens["admin"], 1)[0]
    calls = [f"/api/v1/subjects/{code}", f"/api/v1/subjects/{code}/records", f"/api/v1/subjects/{code}/archive",
             f"/api/v1/subjects/{code}/evidence", f"/api/v1/cases?subject={code}"]
    _record(client, tokens["admin"], code)
    few = [_get(client, clean, path, tokens["admin"]) for path in calls]
    for _ in range(6):
        _record(client, tokens["admin"], code)
    many = [_get(client, clean, path, tokens["admin"]) for path in calls]
    assert few == many


def test_the_case_queue_does_not_grow_statements_with_its_cases(
        client: TestClient, tokens: dict[str, str], clean: Engine) -> None:
    """The dashboard lists up to 1,000 open cases: their subjects, steps and evidence are read at once."""
    def objection(code: str) -> None:
        r = client.post("/api/v1/cases", headers=auth(tokens["admin"]), json={
            "kind": "objection", "subject": code, "record_id": _record(client, tokens["admin"], code),
            "statement": "形状测试异议", "channel": "commission"})
        assert r.status_code == 201, r.text

    codes = _subjects(client, tokens["admin"], 6)
    for code in codes[:2]:
        objection(code)
    few = _get(client, clean, "/api/v1/cases?limit=1000", tokens["admin"])
    for code in codes[2:]:
        objection(code)
    assert len(client.get("/api/v1/cases?limit=1000", headers=auth(tokens["admin"])).json()) == 6
    assert _get(client, clean, "/api/v1/cases?limit=1000", tokens["admin"]) == few
