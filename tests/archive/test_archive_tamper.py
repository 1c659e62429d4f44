"""Tamper evidence of the electronic credit archive (122号 第十九条 一主体一档案，一事件一记录，全流程可追溯):
whatever is edited, deleted, inserted or reordered straight in the database, `archive verify` names it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from _archive_helpers import build_world, chain_rows, db_url, entry_id, key, rows, seq_of, sql, verify  # noqa: F401
from sqlalchemy import update

from xinyong.archive.chain import entry_hash
from xinyong.archive.models import ArchiveEntry
from xinyong.bootstrap import unit_of_work
from xinyong.evaluation.service import batch_evaluate

pytestmark = pytest.mark.usefixtures("key")  # a fresh checkpoint key per test


def _named(report, code, seq):
    return [p for p in report.problems if p.startswith(f"BAD {code} seq {seq}:")]


@pytest.mark.article("122号 Art.19")
def test_an_untouched_archive_verifies_OK_122_art19(clean):
    build_world(clean)
    report = verify(clean)
    assert report.ok, report.problems
    assert report.final_line().startswith("OK")
    assert report.checkpoints == 1 and report.records == 3 and report.withdrawals == 1


@pytest.mark.article("122号 Art.19")
def test_an_edited_summary_is_named_by_subject_and_seq_122_art19(clean):
    w = build_world(clean)
    sql(clean, "UPDATE archive_entries SET summary = 'nothing happened' WHERE id = :i", i=entry_id(clean, w.a_id, 2))
    report = verify(clean)
    assert not report.ok
    assert _named(report, w.a, 2) and "content differs" in _named(report, w.a, 2)[0]
    assert [p for p in report.problems if p.startswith("BAD ")] == _named(report, w.a, 2)


@pytest.mark.article("122号 Art.19")
def test_an_edited_payload_is_named_by_subject_and_seq_122_art19(clean):
    w = build_world(clean)
    seq = seq_of(clean, w.a_id, "record_entered")
    eid = entry_id(clean, w.a_id, seq)
    payload = dict(next(e for e in chain_rows(clean, w.a_id) if e.id == eid).payload)
    payload["item"] = "GEN-B01"
    with clean.begin() as conn:
        conn.execute(update(ArchiveEntry.__table__).where(ArchiveEntry.__table__.c.id == eid).values(payload=payload))
    report = verify(clean)
    assert _named(report, w.a, seq)
    # and the live record no longer matches what the archive now claims
    assert any(p.startswith(f"BAD {w.a} record #{w.r1}:") and "item" in p for p in report.problems)


@pytest.mark.article("122号 Art.19")
def test_a_deleted_entry_is_named_as_missing_122_art19(clean):
    w = build_world(clean)
    seq = seq_of(clean, w.a_id, "industry_enrolled") if rows(
        clean, "SELECT 1 FROM archive_entries WHERE subject_id = :s AND kind = 'industry_enrolled'", s=w.a_id) else 2
    sql(clean, "DELETE FROM archive_entries WHERE id = :i", i=entry_id(clean, w.a_id, seq))
    report = verify(clean)
    assert any(p.startswith(f"BAD {w.a} seq {seq}: missing") for p in report.problems), report.problems
    # the checkpoint's root no longer covers the same entries either
    assert any("checkpoint #" in p and "no longer matches" in p or "entries deleted" in p for p in report.problems)


@pytest.mark.article("122号 Art.19")
def test_a_forged_entry_with_a_wrong_hash_is_named_122_art19(clean):
    w = build_world(clean)
    last = chain_rows(clean, w.b_id)[-1]
    with clean.begin() as conn:
        conn.execute(ArchiveEntry.__table__.insert().values(
            subject_id=w.b_id, seq=last.seq + 1, at=last.at, kind="record_withdrawn", summary="伪造",
            payload={"record_id": w.r3}, prev_hash=last.hash, hash="f" * 64))
    report = verify(clean)
    assert _named(report, w.b, last.seq + 1), report.problems


@pytest.mark.article("122号 Art.19")
def test_a_forged_entry_with_a_recomputed_hash_slipped_before_the_checkpoint_is_caught_122_art19(clean):
    """Someone who knows the hashing inserts a well-chained entry with a low id: the chain holds, but the signed
    Merkle root over the first entries no longer matches."""
    w = build_world(clean)
    last = chain_rows(clean, w.b_id)[-1]
    seq, prev, at_value = last.seq, last.hash, last.at
    payload = {"note": "forged"}
    h = entry_hash(prev, w.b, seq + 1, at_value.isoformat(timespec="milliseconds"), "note", "伪造备注", payload)
    with clean.begin() as conn:
        conn.execute(ArchiveEntry.__table__.insert().values(
            id=0, subject_id=w.b_id, seq=seq + 1, at=at_value, kind="note", summary="伪造备注", payload=payload,
            prev_hash=prev, hash=h))
    report = verify(clean)
    assert not _named(report, w.b, seq + 1)  # the chain itself is consistent …
    cp = [p for p in report.problems if "Merkle root no longer matches" in p]
    assert cp and f"{w.b} seq {seq + 1}" in cp[0]  # … the signed root is not, and names the window


@pytest.mark.article("122号 Art.19")
def test_swapped_seq_numbers_name_both_entries_122_art19(clean):
    w = build_world(clean)
    i2, i3 = entry_id(clean, w.a_id, 2), entry_id(clean, w.a_id, 3)
    sql(clean, "UPDATE archive_entries SET seq = -1 WHERE id = :i", i=i2)
    sql(clean, "UPDATE archive_entries SET seq = 2 WHERE id = :i", i=i3)
    sql(clean, "UPDATE archive_entries SET seq = 3 WHERE id = :i", i=i2)
    report = verify(clean)
    assert _named(report, w.a, 2) and _named(report, w.a, 3), report.problems


@pytest.mark.article("122号 Art.19")
def test_an_old_entry_edited_with_its_chain_recomputed_is_caught_by_the_signed_root_122_art19(clean):
    w = build_world(clean)
    prev = "0" * 64
    with clean.begin() as conn:
        for e in chain_rows(clean, w.a_id):
            eid, seq, at, kind, summary, payload = e.id, e.seq, e.at, e.kind, e.summary, e.payload
            if seq == 2:
                summary = "改写的历史"
            h = entry_hash(prev, w.a, seq, at.isoformat(timespec="milliseconds"), kind, summary, payload)
            conn.execute(update(ArchiveEntry.__table__).where(ArchiveEntry.__table__.c.id == eid).values(
                summary=summary, prev_hash=prev, hash=h))
            prev = h
    report = verify(clean)
    assert not any(p.startswith(f"BAD {w.a} seq") for p in report.problems)
    assert any("Merkle root no longer matches" in p and f"{w.a} seq 2" in p for p in report.problems), report.problems


@pytest.mark.article("122号 Art.19", "122号 Art.8")
def test_a_record_edited_behind_the_systems_back_is_named_122_art19_122_art8(clean):
    w = build_world(clean)
    sql(clean, "UPDATE records SET item = 'GEN-D02' WHERE id = :i", i=w.r1)
    report = verify(clean)
    assert any(p.startswith(f"BAD {w.a} record #{w.r1}:") and "item" in p for p in report.problems), report.problems


@pytest.mark.article("122号 Art.19")
def test_a_deleted_withdrawal_is_named_122_art19(clean):
    w = build_world(clean)
    sql(clean, "DELETE FROM record_withdrawals WHERE record_id = :i", i=w.r3)
    report = verify(clean)
    assert any(p.startswith(f"BAD {w.b} record #{w.r3}:") and "withdraw" in p for p in report.problems)


@pytest.mark.article("122号 Art.13", "122号 Art.19")
def test_a_stored_evaluation_edited_by_sql_is_named_122_art13_122_art19(clean):
    w = build_world(clean)
    sql(clean, "UPDATE evaluations SET score = 999, grade = 'A' WHERE subject_id = :s AND scope = 'general'",
        s=w.a_id)
    report = verify(clean)
    lines = [p for p in report.problems if p.startswith(f"BAD {w.a} evaluation general:")]
    assert lines and "score" in lines[0] and "grade" in lines[0], report.problems


@pytest.mark.article("122号 Art.19")
def test_an_edited_checkpoint_fails_its_signature_122_art19(clean):
    build_world(clean)
    sql(clean, "UPDATE archive_checkpoints SET entry_count = entry_count - 1")
    report = verify(clean)
    assert any("signature invalid" in p for p in report.problems), report.problems


@pytest.mark.article("122号 Art.19")
def test_deleting_the_newest_audit_events_is_caught_by_the_signed_checkpoint_122_art19(clean):
    """The audit chain alone cannot see its tail cut off; the daily checkpoint signs the audit head too."""
    from xinyong.archive.checkpoints import write_checkpoint
    from xinyong.auth.service import audit

    build_world(clean, checkpoint=False)
    with unit_of_work(clean) as s:
        for n in range(3):
            audit(s.session, "tester", "admin", "record.create", f"record:{n}", "127.0.0.1")
    with unit_of_work(clean) as s:
        cp = write_checkpoint(s)
        assert cp.audit_seq is not None and cp.audit_hash
    assert verify(clean).ok
    top = rows(clean, "SELECT max(seq) FROM audit_events")[0][0]
    sql(clean, "DELETE FROM audit_events WHERE seq = :s", s=top)
    report = verify(clean)
    assert any(p.startswith(f"BAD audit trail: event seq {top}") and "deleted" in p for p in report.problems), \
        report.problems


@pytest.mark.article("122号 Art.13", "122号 Art.19")
def test_batch_reevaluation_archives_what_it_changes_so_verify_stays_OK_122_art13_122_art19(clean):
    """A change the real-time path never saw (here the national level, re-seeding the base of the period) is
    written by the batch (xinyong evaluate, the 1 January re-seed) together with its evaluation_changed entry."""
    w = build_world(clean)
    sql(clean, "UPDATE national_grades SET grade = 'D' WHERE subject_id = :s", s=w.a_id)
    before = rows(clean, "SELECT count(*) FROM archive_entries")[0][0]
    with unit_of_work(clean) as s:
        summary = batch_evaluate(s, store=True)
    assert summary.changed >= 2  # general and survey_design of subject a
    added = [e for e in chain_rows(clean, w.a_id) + chain_rows(clean, w.b_id)
             if e.kind == "evaluation_changed" and e.payload["cause"].get("event") == "batch_reevaluation"]
    assert len(added) == 2 and {e.subject_id for e in added} == {w.a_id}
    assert {e.payload["scope"] for e in added} == {"general", "survey_design"}
    report = verify(clean)
    assert report.ok, report.problems
    with unit_of_work(clean) as s:  # nothing changed since: nothing archived
        batch_evaluate(s, store=True)
    assert rows(clean, "SELECT count(*) FROM archive_entries")[0][0] == before + 2


@pytest.mark.article("122号 Art.19")
def test_archive_verify_cli_exits_0_with_OK_then_1_naming_the_entry_122_art19(clean):
    w = build_world(clean)
    env = {**os.environ, "XINYONG_DATABASE_URL": db_url(clean), "XINYONG_LOG_JSON": "0"}
    cmd = [sys.executable, "-m", "xinyong.cli", "archive", "verify"]
    ok = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.strip().splitlines()[-1].startswith("OK")
    sql(clean, "UPDATE archive_entries SET summary = 'x' WHERE id = :i", i=entry_id(clean, w.b_id, 1))
    bad = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert f"BAD {w.b} seq 1:" in bad.stdout
