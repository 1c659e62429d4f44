"""122号 第八条(一): lateness of manual entry reported by department (spec D1-18); the public checkpoint (第十九条)."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import auth, new_uscc
from xinyong.core.clock import beijing_today


def _subject(client, tokens):
    code = new_uscc()
    r = client.post("/api/v1/subjects", json={"code": code, "name": "统计测试", "kind": "organization",
                                             "national_grade": "B", "industries": ["survey_design"]},
                    headers=auth(tokens["admin"]))
    assert r.status_code == 201
    return code


def test_lateness_is_reported_by_department_122_art8_1(client, tokens):
    code = _subject(client, tokens)
    today = beijing_today()
    on_time = {"subject": code, "item": "SD-B02", "act_date": today.isoformat(), "department": "kanchasheji",
               "source_ref": "LATE-1"}
    late = dict(on_time, act_date=max(today - timedelta(days=30), today.replace(month=1, day=1)).isoformat(),
                source_ref="LATE-2")
    other = dict(on_time, department="zhifa", item="GEN-B02", source_ref="LATE-3")
    flags = []
    for body in (on_time, late, other):
        r = client.post("/api/v1/records", json=body, headers=auth(tokens["admin"]))
        assert r.status_code == 201
        flags.append(r.json()["late"])
    assert flags[0] is False and flags[2] is False
    report = client.get("/api/v1/reports/lateness", params={"year": today.year}).json()
    rows = {r["department"]: r for r in report["departments"]}
    kc = rows["kanchasheji"]
    assert kc["name"] == "勘察设计处" and kc["records"] == 2
    expect_late = int(flags[1])  # 30 days back is late, except in early January where it is clamped to 1 Jan
    assert kc["late"] == expect_late and rows["zhifa"]["late"] == 0
    assert kc["by_channel"]["interface"]["records"] == 2
    assert report["records"] == 3 and report["late"] == expect_late
    assert client.get("/api/v1/reports/lateness", params={"year": 1990}).status_code == 422


def test_the_latest_checkpoint_and_public_key_are_published_122_art19(client, tokens, tmp_path, monkeypatch):
    monkeypatch.setenv("XINYONG_SIGNING_KEY", str(tmp_path / "key.pem"))
    from xinyong.archive import signing
    from xinyong.archive.checkpoints import write_checkpoint
    from xinyong.bootstrap import unit_of_work

    assert client.get("/api/v1/archive/checkpoint").status_code == 404
    _subject(client, tokens)
    signing.generate()
    with unit_of_work(client.app.state.engine) as s:
        cp = write_checkpoint(s.session)
    body = client.get("/api/v1/archive/checkpoint").json()
    assert body["root"] == cp.root and body["entry_count"] == cp.entry_count >= 1
    assert body["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    raw = signing.load_public_pem(body["public_key_pem"])
    assert signing.key_id(raw) == body["public_key_id"]
