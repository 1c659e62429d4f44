"""`xinyong import --chunk N` commits at most N rows at a time, and the error summary gives the count of every error
even where the written report is capped (records/limits.yaml error_rows; issue 12 item 7)."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.ingest.test_ingest_durability import _cli, _files
from xinyong.core.clock import beijing_today


def _run(db: Path, *args: str) -> tuple[int, str]:
    proc = _cli(db, *args)
    _out, err = proc.communicate(timeout=600)
    return proc.returncode, err


def test_import_chunk_option_and_the_full_error_count(tmp_path: Path) -> None:
    db = tmp_path / "chunks.db"
    subjects, records = _files(tmp_path, 5, 30)
    assert _run(db, "init")[0] == 0
    assert _run(db, "import", "--subjects", str(subjects))[0] == 0
    code, err = _run(db, "import", "--chunk", "0", str(records))
    assert code == 2 and "--chunk" in err
    code, err = _run(db, "import", "--chunk", "7", str(records))
    assert code == 0, err
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM records")).scalar_one() == 30
        chunks = c.execute(text("SELECT detail FROM audit_events WHERE action = 'record.import'")).scalars().all()
    assert len(chunks) >= 5  # 30 rows, at most 7 a chunk, each chunk committed with its own audit event
    assert all(int(d.split()[0]) <= 7 for d in chunks)
    # 340 rows with three errors each: 1,020 errors, the report lists 1,000 of them (error_rows)
    bad = tmp_path / "bad.csv"
    future = (beijing_today() + timedelta(days=3)).isoformat()
    known = subjects.read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    with open(bad, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["subject", "item", "act_date", "department", "source_ref"])
        w.writerows([known, "NO-SUCH", future, "nowhere", f"X-{i}"] for i in range(340))
    code, err = _run(db, "import", str(bad))
    assert code == 1
    assert "… 1000 more" in err  # 1,020 errors, 20 of them printed
    assert "1020 errors, the report lists the first 1000" in err
    written = (tmp_path / "bad.csv.errors.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(written) == 1 + 1000 + 1 and "1020 in all" in written[-1]  # header, the capped rows, the count
    engine.dispose()
