"""Parquet export of what the batch scores, for the Spark engine (issue 10 item 4).

Written chunk by chunk with the in-process engine's own reader (`service.read_chunk`: keyset over subjects,
streaming cursors), so both engines score exactly the same rows. One folder per dataset, one Parquet file each,
one row group per chunk of subjects:

| dataset | columns | what |
|---|---|---|
| subjects | subject_id | every subject evaluated |
| grades | subject_id, valid_from_ordinal, seq, grade | national levels (122号 Art.13; G1-15), date as `date.toordinal()`, seq = row id (ties) |
| memberships | subject_id, industry | industry evaluations (G1-04) |
| records | subject_id, item | counting records (not withdrawn, superseded or duplicate) dated in the period, from 122号 Art.28's first day |
| held_fuses | subject_id, fuse_key | listings in force on the day and unperformed refusals (122号 Art.16(1)(2); G1-05) |
| stored | subject_id, fingerprint | the stored evaluations as they were (the write-back leaves a subject the real-time path wrote since) |

`manifest.json` names the day, the period and the row counts. pyarrow (the `spark` extra) writes the files.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from . import repository
from .service import BatchContext, ChunkRows, held_fuses, read_chunk

DATASETS = ("subjects", "grades", "memberships", "records", "held_fuses", "stored")


def fingerprints(stored: list[tuple[Any, ...]]) -> dict[int, str]:
    """subject id → one text of all its stored evaluations (repository.STORED_COLUMNS, by scope): equal texts,
    same stored state. JSON columns normalised (PostgreSQL hands them parsed, SQLite as text)."""
    out: dict[int, list[str]] = {}
    for row in stored:
        values = [json.loads(v) if isinstance(v, str) and i >= 8 else v for i, v in enumerate(row[1:], start=1)]
        values[6] = bool(values[6])
        out.setdefault(int(row[0]), []).append(json.dumps(values, ensure_ascii=False, sort_keys=True))
    return {sid: "\n".join(sorted(parts)) for sid, parts in out.items()}


@dataclass
class ExportSummary:
    path: str
    as_of: str
    subjects: int
    records: int
    seconds: float


def _schemas() -> dict[str, Any]:
    import pyarrow as pa  # the `spark` extra: only the Spark engine exports

    i64, text = pa.int64(), pa.string()
    return {
        "subjects": pa.schema([("subject_id", i64)]),
        "grades": pa.schema([("subject_id", i64), ("valid_from_ordinal", i64), ("seq", i64), ("grade", text)]),
        "memberships": pa.schema([("subject_id", i64), ("industry", text)]),
        "records": pa.schema([("subject_id", i64), ("item", text)]),
        "held_fuses": pa.schema([("subject_id", i64), ("fuse_key", text)]),
        "stored": pa.schema([("subject_id", i64), ("fingerprint", text)]),
    }


def _tables(rows: ChunkRows, stored: dict[int, str], codes: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    # the reader gives the records' items as positions in the table of the day; the export keeps codes (text)
    items = [codes[i] for i in rows.rec_item.tolist()] if isinstance(rows.rec_item, np.ndarray) else \
        list(rows.rec_item)
    return {
        "subjects": {"subject_id": rows.ids},
        "grades": {"subject_id": rows.grade_subject, "valid_from_ordinal": rows.grade_day, "seq": rows.grade_seq,
                   "grade": list(rows.grade)},
        "memberships": {"subject_id": rows.member_subject, "industry": list(rows.member_industry)},
        "records": {"subject_id": rows.rec_subject, "item": items},
        "held_fuses": {"subject_id": np.asarray(rows.held_subject, dtype=np.int64), "fuse_key": list(rows.held_key)},
        "stored": {"subject_id": np.asarray(list(stored), dtype=np.int64), "fingerprint": list(stored.values())},
    }


def export_parquet(session: Session, ctx: BatchContext, path: str | Path, chunk: int = 100_000,
                   progress: Callable[[str, int], None] | None = None) -> ExportSummary:
    """Write the datasets of `ctx`'s day under `path` (a local folder), chunk by chunk in bounded memory."""
    import pyarrow as pa  # the `spark` extra: only the Spark engine exports
    import pyarrow.parquet as pq  # the `spark` extra

    started = time.perf_counter()
    root = Path(path)
    schemas = _schemas()
    writers = {}
    for name in DATASETS:
        (root / name).mkdir(parents=True, exist_ok=True)
        writers[name] = pq.ParquetWriter(root / name / "part-0.parquet", schemas[name], compression="zstd")
    note = progress or (lambda _label, _n: None)
    held = held_fuses(session, ctx)
    subjects = records = 0
    try:
        for ids, _codes in repository.subject_chunks(session, chunk):
            rows = read_chunk(session, ctx, ids, held)
            stored = fingerprints(repository.stored_in_range(session, int(ids[0]), int(ids[-1])))
            for name, columns in _tables(rows, stored, ctx.table.item_codes).items():
                writers[name].write_table(pa.table(columns, schema=schemas[name]))
            subjects += len(ids)
            records += len(rows.rec_item)
            note("exported", subjects)
    finally:
        for w in writers.values():
            w.close()
    manifest = {"as_of": ctx.as_of.isoformat(), "period_start": ctx.period_start.isoformat(),
                "counts_from": ctx.counts_from.isoformat(), "subjects": subjects, "records": records,
                "datasets": list(DATASETS)}
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return ExportSummary(path=str(root), as_of=ctx.as_of.isoformat(), subjects=subjects, records=records,
                         seconds=round(time.perf_counter() - started, 2))
