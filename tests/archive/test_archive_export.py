"""One subject, one file (122号 第十九条): `xinyong archive export` writes a subject's archive with proofs and
evidence; `xinyong archive check` verifies it with no database, and names whatever was tampered with."""

from __future__ import annotations

import base64
import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _archive_helpers import ADMIN, build_world, db_url, key, record, sql, verify  # noqa: F401

from xinyong.archive import signing
from xinyong.archive.check import check_export
from xinyong.archive.checkpoints import checkpoint_if_due, latest_checkpoint
from xinyong.archive.export import export_subject
from xinyong.bootstrap import unit_of_work
from xinyong.db.session import session_factory

pytestmark = pytest.mark.usefixtures("key")


def _export(engine, code):
    with unit_of_work(engine) as s:
        return export_subject(s, code)


@pytest.mark.article("122号 Art.19")
def test_an_export_checks_OK_and_covers_entries_written_after_the_last_checkpoint_122_art19(clean):
    w = build_world(clean)
    with unit_of_work(clean) as s:  # an entry after the checkpoint: the export signs a fresh one
        record(s, w.a, "GEN-B01")
    doc = _export(clean, w.a)
    problems, summary = check_export(json.loads(json.dumps(doc)))
    assert problems == [] and summary.startswith(w.a)
    assert {"subject", "entries", "checkpoint", "public_key", "evidence"} <= set(doc)
    assert doc["checkpoint"]["entry_count"] > doc["entries"][-1]["leaf_index"]  # the newest entry is covered
    assert all(e["proof"] is not None for e in doc["entries"])
    assert verify(clean).ok


@pytest.mark.parametrize("tamper,expect", [
    ("summary", "seq 2: content differs"),
    ("payload", "seq 2: content differs"),
    ("delete", "seq 2: missing"),
    ("swap", "seq 2:"),
    ("signature", "signature invalid"),
    ("root", "signature invalid"),
    ("proof", "inclusion proof"),
])
@pytest.mark.article("122号 Art.19")
def test_a_tampered_export_fails_check_naming_the_problem_122_art19(clean, tamper, expect):
    w = build_world(clean)
    doc = json.loads(json.dumps(_export(clean, w.a)))
    bad = copy.deepcopy(doc)
    entries = bad["entries"]
    if tamper == "summary":
        entries[1]["summary"] = "改过"
    elif tamper == "payload":
        entries[1]["payload"]["forged"] = True
    elif tamper == "delete":
        del entries[1]
    elif tamper == "swap":
        entries[1], entries[2] = entries[2], entries[1]
        entries[1]["seq"], entries[2]["seq"] = 2, 3
    elif tamper == "signature":
        bad["checkpoint"]["signature"] = "00" * 64
    elif tamper == "root":
        bad["checkpoint"]["root"] = "ab" * 32
    elif tamper == "proof":
        entries[0]["proof"] = list(reversed(entries[0]["proof"])) + ["cd" * 32]
    problems, _ = check_export(bad)
    assert problems and any(expect in p for p in problems), problems


@pytest.mark.article("122号 Art.19")
def test_a_file_signed_by_another_key_fails_when_the_deployment_key_is_pinned_122_art19(clean, tmp_path):
    w = build_world(clean)
    doc = json.loads(json.dumps(_export(clean, w.a)))
    real = doc["public_key"]["id"]
    assert check_export(doc, real)[0] == []
    forger = tmp_path / "forger.pem"
    signing.generate(forger)
    fk = signing.load_private(forger)
    raw = signing.public_raw(fk)
    from xinyong.archive.chain import checkpoint_message

    cp = doc["checkpoint"]
    cp["public_key_id"] = signing.key_id(raw)
    cp["signature"] = signing.sign(fk, checkpoint_message(cp["at"], cp["entry_count"], cp["root"], cp["public_key_id"]))
    doc["public_key"] = {"algorithm": "Ed25519", "id": cp["public_key_id"], "raw_hex": raw.hex()}
    assert check_export(doc)[0] == []  # self-consistent …
    problems, _ = check_export(doc, real)  # … but not the deployment's key
    assert any("not the deployment key" in p for p in problems)


@pytest.mark.article("122号 Art.19")
def test_a_malformed_file_is_named_not_a_traceback_122_art19():
    problems, _ = check_export({"format": "xinyong-archive-export/1", "subject": {}})
    assert problems and problems[0].startswith("BAD file: malformed")


@pytest.mark.article("122号 Art.19")
def test_evidence_travels_in_the_export_and_a_swapped_file_fails_check_122_art19(clean, tmp_path, monkeypatch):
    evidence = pytest.importorskip("xinyong.evidence.service")
    monkeypatch.setenv("XINYONG_EVIDENCE_DIR", str(tmp_path / "evidence"))
    w = build_world(clean)
    pdf = "%PDF-1.4\n% 处罚决定书\n%%EOF\n".encode()
    with unit_of_work(clean) as s:
        evidence.attach_evidence(s, w.r1, pdf, "decision.pdf", "application/pdf", ADMIN)
    doc = json.loads(json.dumps(_export(clean, w.a)))
    assert [e["name"] for e in doc["evidence"]] == ["decision.pdf"]
    assert base64.b64decode(doc["evidence"][0]["content_base64"]) == pdf
    assert check_export(doc)[0] == []
    doc["evidence"][0]["content_base64"] = base64.b64encode(pdf.replace(b"1.4", b"1.7")).decode()
    problems, _ = check_export(doc)
    assert any("does not hash" in p for p in problems)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env["XINYONG_LOG_JSON"] = "0"
    env.update(extra)
    return env


@pytest.mark.article("122号 Art.19")
def test_export_then_check_through_the_cli_and_check_needs_no_database_122_art19(clean, tmp_path):
    w = build_world(clean)
    out = tmp_path / "archive.json"
    env = _clean_env(XINYONG_DATABASE_URL=db_url(clean), XINYONG_SIGNING_KEY=os.environ["XINYONG_SIGNING_KEY"])
    r = subprocess.run([sys.executable, "-m", "xinyong.cli", "archive", "export", w.a, str(out)], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    elsewhere = tmp_path / "third_party"
    elsewhere.mkdir()
    for db_env in ({}, {"XINYONG_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}):
        c = subprocess.run([sys.executable, "-m", "xinyong.cli", "archive", "check", str(out)], env=_clean_env(**db_env),
                           cwd=elsewhere, capture_output=True, text=True, timeout=120)
        assert c.returncode == 0, c.stdout + c.stderr
        assert c.stdout.strip().splitlines()[-1].startswith("OK ")
    assert list(elsewhere.iterdir()) == []  # no database file appeared
    doc = json.loads(out.read_text())
    doc["entries"][0]["summary"] = "改过"
    out.write_text(json.dumps(doc, ensure_ascii=False))
    c = subprocess.run([sys.executable, "-m", "xinyong.cli", "archive", "check", str(out)], env=_clean_env(),
                       cwd=elsewhere, capture_output=True, text=True, timeout=120)
    assert c.returncode == 1 and f"BAD {w.a} seq 1:" in c.stdout


@pytest.mark.article("122号 Art.19")
def test_the_offline_checker_imports_no_database_code_122_art19():
    code = ("import sys, xinyong.archive.check; "
            "bad = [m for m in sys.modules if m.startswith(('xinyong.db', 'sqlalchemy'))]; "
            "assert not bad, bad")
    r = subprocess.run([sys.executable, "-c", code], env=_clean_env(), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


@pytest.mark.article("122号 Art.19")
def test_keygen_never_overwrites_and_checkpoint_needs_a_key_122_art19(clean, tmp_path):
    path = tmp_path / "k" / "deploy.pem"
    env = _clean_env(XINYONG_DATABASE_URL=db_url(clean), XINYONG_SIGNING_KEY=str(path))
    run = [sys.executable, "-m", "xinyong.cli", "archive"]
    cp = subprocess.run([*run, "checkpoint"], env=env, capture_output=True, text=True, timeout=60)
    assert cp.returncode == 2 and "keygen" in cp.stderr
    assert subprocess.run([*run, "keygen"], env=env, capture_output=True, text=True, timeout=60).returncode == 0
    first = path.read_bytes()
    again = subprocess.run([*run, "keygen"], env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "not overwritten" in again.stdout and path.read_bytes() == first
    assert Path(f"{path}.pub").exists()
    cp = subprocess.run([*run, "checkpoint"], env=env, capture_output=True, text=True, timeout=60)
    assert cp.returncode == 0, cp.stderr


@pytest.mark.article("122号 Art.19")
def test_the_server_writes_a_checkpoint_once_a_day_and_only_logs_without_a_key_122_art19(clean, monkeypatch,
                                                                                           tmp_path):
    build_world(clean, checkpoint=False)
    assert checkpoint_if_due(clean) is not None
    assert checkpoint_if_due(clean) is None  # one today already
    monkeypatch.setenv("XINYONG_SIGNING_KEY", str(tmp_path / "absent.pem"))
    sql(clean, "DELETE FROM archive_checkpoints")
    assert checkpoint_if_due(clean) is None  # logged, not raised
    with session_factory(clean)() as s:
        assert latest_checkpoint(s) is None
