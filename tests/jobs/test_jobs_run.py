"""`xinyong jobs run [--date D]` (issue 8 item 6): every due daily job once, one line each in Chinese and English;
running twice the same day changes nothing more and says so. Run in-process against the test database."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from tests.api._api_helpers import make_subject, new_ref
from tests.conftest import auth
from tests.jobs.conftest import run
from xinyong import jobs
from xinyong.archive import signing
from xinyong.cli import main
from xinyong.core.clock import DayClock, clock_at

MADE, DUE, NOTICE, BREACH_DAY = date(2026, 3, 10), date(2026, 4, 29), date(2026, 4, 30), date(2026, 5, 12)
COUNTED = ("records", "notifications", "archive_entries", "job_runs", "archive_checkpoints", "list_memberships",
           "commitments", "evaluations")


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in COUNTED}


def evaluation(client: TestClient, code: str, day: date) -> dict[str, Any]:
    with clock_at(DayClock(day)):
        r = client.get(f"/api/v1/subjects/{code}/evaluation")
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.mark.article("122号 Art.16(3)", "122号 Art.16(1)")
def test_a_broken_commitment_turns_the_grade_to_d_by_itself_after_jobs_run_and_a_second_run_changes_nothing(
        cli_db: Engine, client: TestClient, tokens: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    with clock_at(DayClock(MADE)):
        promiser = make_subject(client, tokens["admin"], grade="A")["code"]
        r = client.post("/api/v1/commitments", headers=auth(tokens["business"]), json={
            "subject": promiser, "content": "三个月内补交规划核实材料", "due_on": DUE.isoformat(),
            "licence_ref": "京规自许〔2026〕88号", "department": "kanchasheji"})
        assert r.status_code == 201, r.text
        commitment = r.json()["id"]
        listed = make_subject(client, tokens["admin"], grade="A")["code"]
        r = client.post("/api/v1/listings", headers=auth(tokens["support"]), json={
            "subject": listed, "list": "national_serious_dishonesty", "listed_on": "2026-01-05",
            "source_ref": new_ref("LIST"), "ends_on": "2026-05-11"})
        assert r.status_code == 201, r.text
    capsys.readouterr()

    status, out = run(capsys, NOTICE)  # the day after the due day: the notice
    assert status == 0, out
    assert "信用承诺到期提醒与违诺认定 / commitment notices and breaches: 到期提醒 1，违诺记录 0" in out
    assert "名单期满自动移出 / automatic removals from lists: 移出 0" in out
    assert "archive checkpoint: 已写入 1" in out and "done 10, already ran 0, failed 0" in out

    status, out = run(capsys, date(2026, 5, 11))  # the last day of grace and of the listing: nothing yet
    assert status == 0 and "到期提醒 0，违诺记录 0" in out and "移出 0" in out
    assert evaluation(client, promiser, date(2026, 5, 11))["grade"] == "A"
    assert evaluation(client, listed, date(2026, 5, 11))["grade"] == "D"

    status, out = run(capsys, BREACH_DAY)
    assert status == 0, out
    assert "到期提醒 0，违诺记录 1 / notices 0, breaches 1" in out and "移出 1 / removed 1" in out
    ev = evaluation(client, promiser, BREACH_DAY)
    assert ev["grade"] == "D" and ev["fused"] is True and ev["fuse_reasons"][0]["article"] == "122号 第十六条(三)"
    assert evaluation(client, listed, BREACH_DAY)["grade"] == "A"  # the fuse of 第十六条(一) lifted
    with clock_at(DayClock(BREACH_DAY)):
        stored = client.get("/api/v1/subjects", params={"q": promiser}).json()["items"][0]["evaluation"]
        assert stored["grade"] == "D"
        assert client.get(f"/api/v1/commitments/{commitment}").json()["state"] == "breached"
        entries = client.get(f"/api/v1/subjects/{listed}/archive", headers=auth(tokens["admin"])).json()["entries"]
    removal = next(e for e in entries if e["kind"] == "listing_removed")
    assert removal["payload"]["automatic"] is True and removal["payload"]["removed_on"] == "2026-05-12"
    # shared downstream (44号 Task 14 及时共享): the breach and the automatic removal
    shared = client.get("/api/v1/changes", headers=auth(tokens["admin"]),
                        params={"type": ["commitment_breached", "listing_removed"]}).json()["changes"]
    assert [(c["type"], c["data"]["automatic"]) for c in shared] == [("commitment_breached", True),
                                                                     ("listing_removed", True)]
    assert shared[0]["data"]["commitment_id"] == commitment and shared[1]["data"]["rule"] == "listing_period_ended"

    before = counts(cli_db)
    status, out = run(capsys, BREACH_DAY)  # the same day again: nothing more, and it says so
    assert status == 0
    assert out.count("已运行过，本次未再执行") == 10 and "done 0, already ran 10, failed 0" in out
    assert "当时：到期提醒 0，违诺记录 1" in out  # what it did then
    assert counts(cli_db) == before
    status, out = run(capsys, date(2026, 5, 13), "--date", "2026-05-12")  # a past day that already ran
    assert status == 0 and "already ran 10" in out and counts(cli_db) == before


def test_jobs_run_refuses_a_day_after_today(cli_db: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    with clock_at(DayClock(MADE)):
        assert main(["jobs", "run", "--date", "2026-03-11"]) == 2
    assert "2026-03-11" in capsys.readouterr().err
    assert counts(cli_db)["job_runs"] == 0


def test_a_failing_job_leaves_no_claim_and_the_others_still_run(
        cli_db: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(uow: Any) -> dict[str, int]:
        uow.session.flush()
        raise RuntimeError("disk on fire")

    failing = jobs.Job("broken", "故障任务", "broken job", {}, in_unit=broken)
    monkeypatch.setattr(jobs, "JOBS", (failing, *jobs.JOBS))
    status, out = run(capsys, MADE)
    assert status == 1 and "故障任务 / broken job: 失败 / FAILED: RuntimeError: disk on fire" in out
    assert "done 10, already ran 0, failed 1" in out
    with cli_db.connect() as conn:
        names = {r[0] for r in conn.execute(text("SELECT name FROM job_runs"))}
    assert names == {j.name for j in jobs.JOBS if j is not failing}
    status, out = run(capsys, MADE)  # tried again; the others do not run twice
    assert status == 1 and "done 0, already ran 10, failed 1" in out


def test_without_a_signing_key_the_checkpoint_waits_and_runs_later_the_same_day(
        cli_db: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XINYONG_SIGNING_KEY", str(tmp_path / "none" / "key.pem"))
    status, out = run(capsys, MADE)
    assert status == 0 and "暂不能执行" in out and "done 9" in out
    signing.generate(tmp_path / "none" / "key.pem")  # `xinyong archive keygen`
    status, out = run(capsys, MADE)
    assert status == 0 and "archive checkpoint: 已写入 1" in out and "done 1, already ran 9" in out


def test_serve_runs_the_same_registry_once_a_day(cli_db: Engine) -> None:
    """`xinyong serve` (DailyRefresher): the same jobs, each once a day however often it wakes."""
    assert [j.name for j in jobs.JOBS] == ["case_deadlines", "commitments", "listing_removals", "record_expiry",
                                           "evaluation_refresh", "measures_reminders", "ranking_drafts",
                                           "whitelist_review", "lateness_snapshot", "archive_checkpoint"]
    with clock_at(DayClock(MADE)):
        worker = jobs.DailyRefresher(cli_db, interval_seconds=0.05)
        worker.start()
        try:
            deadline = time.monotonic() + 20
            while counts(cli_db)["job_runs"] < len(jobs.JOBS) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)  # a few more wake-ups
        finally:
            worker.stop()
    after = counts(cli_db)
    assert after["job_runs"] == len(jobs.JOBS) and after["archive_checkpoints"] == 1
