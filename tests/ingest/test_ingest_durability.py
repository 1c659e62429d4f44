"""Imports and bulk requests commit chunk by chunk (issue 10 item 1; issue 12 item 6): `kill -9` of an import (of
records or of subjects) loses nothing it reported and a re-run completes the file with no duplicate, the archive
verifying clean (122号 Art.19); a writer arriving during an import or a bulk request is never refused and waits well
under a second."""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

from tests._live import serving
from tests.api._api_helpers import make_subject, record_body
from tests.conftest import auth
from xinyong.api import create_app
from xinyong.core.clock import beijing_today
from xinyong.demo import make_uscc

ITEMS = ["GEN-B01", "GEN-D01", "SD-B01", "SD-D01", "LD-B01"]


def _cli(db: Path, *args: str, **kw: Any) -> subprocess.Popen[str]:
    env = dict(os.environ, XINYONG_DATABASE_URL=f"sqlite:///{db}", XINYONG_LOG_LEVEL="warning")
    return subprocess.Popen([sys.executable, "-c", "import sys; from xinyong.cli import main; sys.exit(main())", *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _files(folder: Path, n_subjects: int, n_records: int) -> tuple[Path, Path]:
    rng = random.Random(7)
    codes = sorted({make_uscc(rng) for _ in range(n_subjects)})
    subjects, records = folder / "subjects.csv", folder / "records.csv"
    with open(subjects, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "kind", "national_grade", "industries"])
        w.writerows([c, f"单位{i}", "organization", "B", ""] for i, c in enumerate(codes))
    today = beijing_today()
    with open(records, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["subject", "item", "act_date", "department", "source_ref"])
        for i in range(n_records):
            act = max(today - timedelta(days=rng.randint(0, 20)), date(today.year, 1, 1))  # this period
            w.writerow([rng.choice(codes), rng.choice(ITEMS), act.isoformat(), "kanchasheji", f"K-{i:06d}"])
    return subjects, records


WAIT_BOUND = 3.0  # seconds a writer may wait behind a bulk operation in these tests (see below)


@pytest.mark.article("122号 Art.19")
def test_kill_9_during_import_loses_nothing_and_a_rerun_completes_without_duplicates(tmp_path: Path) -> None:
    db = tmp_path / "kill.db"
    n = 1500
    subjects, records = _files(tmp_path, 150, n)
    for args in (("init",), ("import", "--subjects", str(subjects))):
        done = _cli(db, *args)
        out, err = done.communicate(timeout=600)
        assert done.returncode == 0, err
    engine = create_engine(f"sqlite:///{db}")

    def stored() -> int:
        with engine.connect() as c:
            return int(c.execute(text("SELECT count(*) FROM records")).scalar_one())

    proc = _cli(db, "import", str(records))
    deadline = time.monotonic() + 300
    while stored() < 100 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the import ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    partial = stored()
    assert 0 < partial < n  # killed mid-way; what was committed stays

    rerun = _cli(db, "import", str(records))
    out, err = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, err
    assert f"{n - partial} added" in out and f"{partial} already present" in out, out
    with engine.connect() as c:
        refs = [r for (r,) in c.execute(text("SELECT source_ref FROM records"))]
        entered = int(c.execute(text("SELECT count(*) FROM archive_entries WHERE kind = 'record_entered'")).scalar_one())
    assert sorted(refs) == [f"K-{i:06d}" for i in range(n)]  # every row exactly once
    assert entered == n  # one archive entry per record, none lost with the killed chunk
    verify = _cli(db, "archive", "verify")
    out, err = verify.communicate(timeout=600)
    assert verify.returncode == 0, out + err
    assert "OK" in out
    engine.dispose()


@pytest.mark.article("122号 Art.19")
def test_kill_9_during_a_subjects_import_loses_nothing_and_a_rerun_completes_it(tmp_path: Path) -> None:
    """The same for `import --subjects` (subjects/bulk.py): each committed chunk keeps its subjects with their
    archive entries, evaluations and audit events; the re-run registers the rest once."""
    db = tmp_path / "kill-subjects.db"
    n = 6000
    subjects, _records = _files(tmp_path, n, 0)
    codes = sorted(line.split(",")[0] for line in subjects.read_text(encoding="utf-8").splitlines()[1:])
    n = len(codes)
    done = _cli(db, "init")
    assert done.wait(timeout=600) == 0, done.communicate()[1]
    engine = create_engine(f"sqlite:///{db}")

    def count(sql: str) -> int:
        with engine.connect() as c:
            return int(c.execute(text(sql)).scalar_one())

    proc = _cli(db, "import", "--subjects", str(subjects))
    deadline = time.monotonic() + 300
    while count("SELECT count(*) FROM subjects") < 100 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "the import ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    partial = count("SELECT count(*) FROM subjects")
    assert 0 < partial < n  # killed mid-way; what was committed stays

    rerun = _cli(db, "import", "--subjects", str(subjects))
    out, err = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, err
    assert f"{n - partial} added" in out and f"{partial} already present" in out, out
    with engine.connect() as c:
        stored = sorted(code for (code,) in c.execute(text("SELECT code FROM subjects")))
    assert stored == codes  # every subject exactly once
    assert count("SELECT count(*) FROM archive_entries WHERE kind = 'subject_created'") == n
    assert count("SELECT count(*) FROM national_grades") == n
    assert count("SELECT count(DISTINCT subject_id) FROM evaluations") == n
    assert count("SELECT count(*) FROM audit_events WHERE action = 'subject.import'") == n
    for args in (("archive", "verify"), ("audit", "verify")):
        verify = _cli(db, *args)
        out, err = verify.communicate(timeout=600)
        assert verify.returncode == 0 and "OK" in out, out + err
    engine.dispose()


def _writer(base: str, token: str, code: str, stop: threading.Event, waits: list[tuple[int, float]]) -> None:
    with httpx.Client(base_url=base, timeout=60) as http:
        while not stop.is_set():
            began = time.monotonic()
            r = http.post("/api/v1/records", json=record_body(code, "GEN-B01"), headers=auth(token))
            waits.append((r.status_code, time.monotonic() - began))
            time.sleep(0.05)


@pytest.mark.article("122号 Art.13")
def test_a_write_during_a_bulk_request_is_never_refused_and_waits_under_a_second(
        clean: Engine, tokens: dict[str, str]) -> None:
    app = create_app(clean)
    with serving(app) as base:
        from fastapi.testclient import TestClient  # noqa: I001  # local: registration through the same app
        with TestClient(app) as client:
            bulk_subjects = [make_subject(client, tokens["admin"], grade="B")["code"] for _ in range(40)]
            other = make_subject(client, tokens["admin"], grade="B")["code"]
        rng = random.Random(3)
        # the most one request may carry (records/limits.yaml bulk_records): 3,000 took under 2 s once the batch
        # wrote its changes as columns, too short for the writer to meet the bulk several times
        body = {"records": [record_body(rng.choice(bulk_subjects), rng.choice(ITEMS)) for _ in range(10_000)]}
        # the same writes alone first: what a write costs on this machine without anyone in its way
        alone: list[tuple[int, float]] = []
        quiet = threading.Event()
        threading.Timer(2.0, quiet.set).start()
        _writer(base, tokens["admin"], other, quiet, alone)
        stop, waits = threading.Event(), []
        writer = threading.Thread(target=_writer, args=(base, tokens["admin"], other, stop, waits))
        with httpx.Client(base_url=base, timeout=900) as http:
            writer.start()
            began = time.monotonic()
            r = http.post("/api/v1/records/bulk", json=body, headers=auth(tokens["admin"]))
            took = time.monotonic() - began
            stop.set()
            writer.join(timeout=120)
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["created"] == 10_000
    assert took > 2  # long enough for the writer to have met it several times
    assert len(waits) >= 3
    assert {s for s, _ in waits} == {201}  # never refused (no 500, no 503)
    own = max(w for _, w in alone)  # the write's own time, measured alone just before
    behind = [w - own for _, w in waits]
    # about a chunk behind the bulk (a fraction of a second; `make bench` measures it on a quiet machine); the bound
    # leaves room for a loaded CI machine and still fails the old whole-request lock (49.6 s, issue 12 item 6) by far
    assert max(behind) < WAIT_BOUND, (own, sorted(w for _, w in waits)[-5:])


def test_a_write_during_a_cli_import_is_never_refused_and_waits_under_a_second(tmp_path: Path) -> None:
    from xinyong.bootstrap import unit_of_work  # noqa: I001  # local: wires the unit of work for this process
    from xinyong.db.session import make_engine
    from xinyong.records.schemas import RecordIn
    from xinyong.records.service import submit_record
    from xinyong.auth.actors import Actor

    db = tmp_path / "busy.db"
    subjects, records = _files(tmp_path, 100, 10000)  # the set-based import takes ~1.5k rows/s: several seconds
    for args in (("init",), ("import", "--subjects", str(subjects))):
        done = _cli(db, *args)
        assert done.wait(timeout=600) == 0, done.communicate()[1]
    code = subjects.read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    engine = make_engine(f"sqlite:///{db}")  # the deployment's engine: 30 s busy timeout, then 503
    actor = Actor(name="api", role="admin", channel="interface", origin="test")

    def write(ref: str) -> float:
        began = time.monotonic()
        with unit_of_work(engine, actor) as uow:
            sub = submit_record(uow, RecordIn(subject=code, item="GEN-B01", act_date=beijing_today(),
                                              department="kanchasheji", source_ref=ref), actor)
            assert sub.created
        return time.monotonic() - began

    own = max(write(f"ALONE-{i}") for i in range(3))
    proc = _cli(db, "import", str(records))
    with engine.connect() as c:
        deadline = time.monotonic() + 300
        while c.execute(text("SELECT count(*) FROM records WHERE source_ref LIKE 'K-%'")).scalar_one() == 0:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
            c.rollback()
    waits = []
    for i in range(8):
        waits.append(write(f"DURING-{i}"))
        time.sleep(0.1)
    still_running = proc.poll() is None
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err
    assert still_running  # the writes met the import, not an idle database
    assert max(waits) - own < WAIT_BOUND, (own, waits)
    engine.dispose()
