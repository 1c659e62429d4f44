"""122号 第八条(一): lateness of manual entry reported by department (spec D1-18); the public checkpoint (第十九条)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import auth, new_uscc
from xinyong.core.clock import DayClock, clock_at


def _subject(client, tokens):
    code = new_uscc()
    r = client.post("/api/v1/subjects", json={"code": code, "name": "统计测试", "kind": "organization",
                                             "national_grade": "B", "industries": ["survey_design"]},
                    headers=auth(tokens["admin"]))
    assert r.status_code == 201
    return code


@pytest.mark.article("122号 Art.8(1)")
def test_lateness_is_reported_by_department_122_art8_1(client, tokens, manual_token):
    """At a fixed day (2026-06-15, a Monday): an act of that day is on time, an act of 2026-05-15 (due five
    working days later, 2026-05-22) entered by hand on 2026-06-15 is late — expected counts known before the
    requests. The same late act delivered by a docked system is never late and not in the late rate."""
    today = date(2026, 6, 15)
    with clock_at(DayClock(today)):
        code = _subject(client, tokens)
        on_time = {"subject": code, "item": "SD-B02", "act_date": today.isoformat(), "department": "kanchasheji",
                   "source_ref": "LATE-1"}
        late = dict(on_time, act_date="2026-05-15", source_ref="LATE-2")
        other = dict(on_time, department="zhifa", item="GEN-B02", source_ref="LATE-3")
        docked = dict(late, source_ref="LATE-4")
        flags = []
        for body, token in ((on_time, manual_token), (late, manual_token), (other, manual_token),
                            (docked, tokens["admin"])):
            r = client.post("/api/v1/records", json=body, headers=auth(token))
            assert r.status_code == 201
            flags.append(r.json()["late"])
        assert flags == [False, True, False, False]
        report = client.get("/api/v1/reports/lateness", params={"year": 2026}).json()
    rows = {r["department"]: r for r in report["departments"]}
    kc = rows["kanchasheji"]
    assert kc["name"] == "勘察设计处" and kc["records"] == 3 and kc["assessed"] == 2
    assert kc["late"] == 1 and rows["zhifa"]["late"] == 0
    assert kc["late_rate"] == 0.5  # 1 late of the 2 manual records; the docked one is not assessed
    assert kc["by_channel"]["manual"] == {"records": 2, "late": 1}
    assert kc["by_channel"]["interface"] == {"records": 1, "late": 0}
    assert report["records"] == 4 and report["assessed"] == 3 and report["late"] == 1
    assert client.get("/api/v1/reports/lateness", params={"year": 1990}).status_code == 422


@pytest.mark.article("122号 Art.19")
def test_the_latest_checkpoint_and_public_key_are_published_122_art19(client, tokens, tmp_path, monkeypatch):
    monkeypatch.setenv("XINYONG_SIGNING_KEY", str(tmp_path / "key.pem"))
    from xinyong.archive import signing
    from xinyong.archive.checkpoints import write_checkpoint
    from xinyong.bootstrap import unit_of_work

    assert client.get("/api/v1/archive/checkpoint").status_code == 404
    _subject(client, tokens)
    signing.generate()
    with unit_of_work(client.app.state.engine) as s:
        cp = write_checkpoint(s)
    body = client.get("/api/v1/archive/checkpoint").json()
    assert body["root"] == cp.root and body["entry_count"] == cp.entry_count >= 1
    assert body["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    raw = signing.load_public_pem(body["public_key_pem"])
    assert signing.key_id(raw) == body["public_key_id"]
