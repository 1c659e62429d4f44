"""Issue 8, done when: a subject files an objection itself and follows it to a corrected grade, every step in its
archive and pushed, signed and in order, to a downstream platform (122号 Art.18, 122号 Art.19; 44号 Task 14)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api._api_helpers import make_subject, post_record
from tests.cases._case_helpers import act, subject_account
from tests.conftest import auth
from tests.outbox.conftest import SECRET, HookReceiver
from xinyong.core.clock import DayClock, clock_at
from xinyong.outbox.delivery import deliver_due


@pytest.fixture
def platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HookReceiver]:
    """信用中国（北京） as a real HTTP receiver that checks the HMAC signature of every POST."""
    monkeypatch.setenv("XINYONG_RECEIVER_KEY", str(tmp_path / "receiver_key"))
    hook = HookReceiver(port=0)
    hook.start()
    yield hook
    hook.stop()


def _evaluation(client: TestClient, code: str) -> dict:
    r = client.get(f"/api/v1/subjects/{code}/evaluation")
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.mark.article("122号 Art.18", "122号 Art.16(5)", "44号 Task 14")
def test_a_subject_objects_in_the_portal_and_follows_it_to_a_corrected_grade_archived_and_pushed_downstream(
        client: TestClient, clean: Engine, tokens: dict[str, str], platform: HookReceiver) -> None:
    with clock_at(DayClock(date(2026, 3, 10))):
        r = client.post("/api/v1/receivers", headers=auth(tokens["support"]), json={
            "name": "信用中国（北京）", "url": platform.url, "secret": SECRET, "events": []})
        assert r.status_code == 201, r.text
        code = make_subject(client, tokens["admin"], grade="A")["code"]
        before = _evaluation(client, code)
        # a false-materials record (fuse of 第十六条(五)) that the subject says is not its own
        record = post_record(client, tokens["business"], code, "GEN-D06", act_date=date(2026, 3, 9))
        fused = _evaluation(client, code)
        assert fused["grade"] == "D" and fused["fused"] is True and before["grade"] != "D"

        mine = subject_account(clean, code)
        r = client.post("/api/v1/cases", headers=auth(mine), json={
            "kind": "objection", "subject": code, "record_id": record["id"], "channel": "portal",
            "statement": "该处罚决定的当事人并非本单位，附法院判决书"})
        assert r.status_code == 201, r.text
        case = r.json()
        assert case["state"] == "received" and case["channel"] == "portal"
        # while the objection is open the record still counts and is shown as under objection (G1-07)
        rows = client.get(f"/api/v1/subjects/{code}/records").json()
        assert [row.get("under_objection") for row in rows if row["id"] == record["id"]] == [True]
        assert _evaluation(client, code)["grade"] == "D"

        act(client, tokens["hall"], case["id"], "route", department="kanchasheji")
        act(client, tokens["business"], case["id"], "accept")
        act(client, tokens["business"], case["id"], "opinion", outcome="upheld", opinion="经核实，当事人有误",
            remedy="withdraw")
        act(client, tokens["hall"], case["id"], "report")
        resolved = act(client, tokens["hall"], case["id"], "resolve")
        assert resolved["state"] == "repaired"
        act(client, tokens["hall"], case["id"], "close")

        # the subject follows its own case to the end, and its grade is corrected at once (122号 Art.13; G1-05)
        followed = client.get(f"/api/v1/cases/{case['id']}", headers=auth(mine)).json()
        assert followed["state"] == "closed" and followed["outcome"] == "upheld"
        after = _evaluation(client, code)
        assert (after["grade"], after["level"], after["fused"]) == (before["grade"], before["level"], False)
        assert not [row for row in client.get(f"/api/v1/subjects/{code}/records").json()
                    if row["id"] == record["id"]]  # hidden from the public, withdrawn on objection

        # every step in the subject's archive (122号 Art.19)
        entries = client.get(f"/api/v1/subjects/{code}/archive", headers=auth(mine)).json()["entries"]
        kinds = [e["kind"] for e in entries]
        for kind in ("record_entered", "case_filed", "case_routed", "case_accepted", "case_opinion_issued",
                     "case_reported", "record_withdrawn", "case_resolved", "case_closed"):
            assert kind in kinds, kind
        assert kinds.index("case_filed") < kinds.index("record_withdrawn") < kinds.index("case_closed")
        assert kinds.count("evaluation_changed") >= 2  # fused by the record, lifted by the objection

        # pushed to the platform: signed, gap-free and in order
        summary = deliver_due(clean)
    assert summary is not None
    assert all(r.signed for r in platform.got)
    seqs = platform.seqs
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    pushed = [(r.event, r.body["subject"]) for r in platform.got]
    assert pushed.index(("grade_changed", code)) < pushed.index(("record_repaired", code)) \
        < pushed.index(("case_resolved", code))
    grade_changes = [r.body["data"] for r in platform.got if r.event == "grade_changed" and r.body["subject"] == code]
    # registered → fused by the record → lifted by the upheld objection
    assert [g["new"]["grade"] for g in grade_changes] == [before["grade"], "D", before["grade"]]
    assert grade_changes[1]["new"]["fused"] is True and grade_changes[2]["old"]["fused"] is True
