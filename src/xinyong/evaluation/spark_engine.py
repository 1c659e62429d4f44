"""The Spark engine (issue 10 item 4): `xinyong evaluate --engine spark [--master URL]`.

One semantics with the in-process engine: the rows are exported to Parquet by the in-process reader
(export.py), grouped by subject in Spark, and each group is scored by the same pure function
(`service.score_chunk`: the numpy kernel, national base level, period, caps, budgets, fuse, listings) inside
`applyInPandas`. The results come back to the driver as Parquet, range-partitioned by subject, and go through the
same storage path as the in-process batch (`service.batch_evaluate` with `results=`: only what changed is written,
EvaluationsChanged published per chunk). Subjects created, or written by the real-time path, after the export are
left as they are: the real-time result is fresher than the snapshot (`ParquetResults.skip`).

pyspark, pyarrow and pandas come with the `spark` extra; Java 17 from Debian (`make system-deps`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine

from ..auth.actors import OPERATOR
from ..core.uow import start
from ..errors import ConflictError
from .export import ExportSummary, export_parquet, fingerprints
from .service import (
    RESULT_COLUMNS,
    BatchContext,
    BatchSummary,
    ChunkResult,
    ChunkRows,
    batch_evaluate,
    score_chunk,
)

# Rows of every dataset in one frame (one shuffle): kind says which dataset, code/day/seq carry its values.
KIND_SUBJECT, KIND_GRADE, KIND_MEMBER, KIND_RECORD, KIND_HELD = range(5)
OUTPUT_SCHEMA = ", ".join(f"{c} {'boolean' if c == 'fused' else 'long'}" for c in RESULT_COLUMNS) + ", records long"
ROWS_PER_GROUP = 1_000_000  # rows of the export per applyInPandas group (one kernel call): memory per task


def spark_session(master: str, conf: dict[str, str] | None = None) -> Any:
    """A SparkSession for the engine. Local mode runs the workers on this interpreter (its venv has xinyong);
    on a cluster the executors' Python comes from the cluster's configuration (docs/scale.md)."""
    from pyspark.sql import SparkSession  # the `spark` extra: imported only when the Spark engine runs

    builder = SparkSession.builder.master(master).appName("xinyong-evaluate")
    settings = {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "8",
                "spark.sql.execution.arrow.pyspark.enabled": "true"}
    if master.startswith("local"):  # one machine: the driver listens on loopback only
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        settings.update({"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"})
        # the workers run this interpreter (its venv has xinyong); the variable, not spark.pyspark.python, which
        # Spark resolves to the interpreter behind the venv's symlink
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _ints(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def _text(values: Any) -> list[Any]:
    return [v if isinstance(v, str) else None for v in values]


def rows_from_frame(pdf: Any) -> ChunkRows:
    """The ChunkRows of one group of the unioned export (a pandas DataFrame)."""
    kind = pdf["kind"].to_numpy()

    def part(k: int) -> Any:
        return pdf[kind == k]

    s, g, m, r, h = (part(k) for k in (KIND_SUBJECT, KIND_GRADE, KIND_MEMBER, KIND_RECORD, KIND_HELD))
    return ChunkRows(
        ids=np.unique(_ints(s["subject_id"])),
        grade_subject=_ints(g["subject_id"]), grade_day=_ints(g["day"]), grade_seq=_ints(g["seq"]),
        grade=_text(g["code"]),
        member_subject=_ints(m["subject_id"]), member_industry=_text(m["code"]),
        rec_subject=_ints(r["subject_id"]), rec_item=_text(r["code"]),
        held_subject=_ints(h["subject_id"]), held_key=_text(h["code"]),
    )


def score_frame(ctx: BatchContext, pdf: Any) -> Any:
    """applyInPandas body: score one group of subjects with the shared kernel path; `records` (the number of
    counting records scored) rides on the group's first row."""
    import pandas as pd  # the `spark` extra: runs on the executors

    res = score_chunk(ctx, rows_from_frame(pdf))
    out = pd.DataFrame(res.columns())
    out["records"] = np.zeros(len(out), dtype=np.int64)
    if len(out):
        out.loc[0, "records"] = res.records
    return out


def score_export(spark: Any, ctx: BatchContext, export: str | Path, out: str | Path, groups: int | None = None
                 ) -> int:
    """Score the export under `export` into Parquet under `out`, range-partitioned and sorted by subject and
    scope; returns the number of groups used."""
    from pyspark import StorageLevel  # the `spark` extra, imported only when Spark runs
    from pyspark.sql import functions as F  # noqa: N812 — the `spark` extra, imported only when Spark runs

    root = str(export)
    manifest = json.loads((Path(root) / "manifest.json").read_text(encoding="utf-8"))
    if groups is None:
        groups = max(2 * spark.sparkContext.defaultParallelism,
                     (manifest["records"] + manifest["subjects"]) // ROWS_PER_GROUP + 1)
    none_text, zero = F.lit(None).cast("string"), F.lit(0).cast("long")

    def frame(name: str, kind: int, code: Any = none_text, day: Any = zero, seq: Any = zero) -> Any:
        df = spark.read.parquet(f"{root}/{name}")
        return df.select(F.col("subject_id").cast("long").alias("subject_id"), F.lit(kind).alias("kind"),
                         code.alias("code"), day.alias("day"), seq.alias("seq"))

    rows = (frame("subjects", KIND_SUBJECT)
            .unionByName(frame("grades", KIND_GRADE, F.col("grade"), F.col("valid_from_ordinal"), F.col("seq")))
            .unionByName(frame("memberships", KIND_MEMBER, F.col("industry")))
            .unionByName(frame("records", KIND_RECORD, F.col("item")))
            .unionByName(frame("held_fuses", KIND_HELD, F.col("fuse_key"))))
    scored = (rows.withColumn("bucket", F.pmod(F.col("subject_id"), F.lit(groups)))
              .groupBy("bucket").applyInPandas(lambda pdf: score_frame(ctx, pdf), OUTPUT_SCHEMA))
    # kept on the executors' disks: the range partitioning samples its input, which would otherwise score twice
    scored = scored.persist(StorageLevel.DISK_ONLY)
    try:
        (scored.repartitionByRange(max(1, groups), "subject_id").sortWithinPartitions("subject_id", "scope")
         .write.mode("overwrite").parquet(str(out)))
    finally:
        scored.unpersist()
    return groups


@dataclass
class ParquetResults:
    """The Spark output read back chunk by chunk (`batch_evaluate(results=…)`), with the write-back guard."""

    out: Path
    export: Path
    _present: set[int] = field(default_factory=set)
    _dataset: Any = None
    _stored: Any = None

    def __post_init__(self) -> None:
        import pyarrow.dataset as ds  # the `spark` extra

        self._dataset = ds.dataset(str(self.out), format="parquet")
        self._stored = ds.dataset(str(self.export / "stored"), format="parquet")

    def _range(self, dataset: Any, lo: int, hi: int) -> Any:
        import pyarrow.dataset as ds  # the `spark` extra

        return dataset.to_table(filter=(ds.field("subject_id") >= lo) & (ds.field("subject_id") <= hi))

    def __call__(self, lo: int, hi: int) -> ChunkResult:
        table = self._range(self._dataset, lo, hi).sort_by([("subject_id", "ascending"), ("scope", "ascending")])
        cols = {c: table.column(c).to_numpy() for c in (*RESULT_COLUMNS, "records")}
        self._present = set(cols["subject_id"].tolist())
        return ChunkResult.from_columns(cols, records=int(cols["records"].sum()))

    def skip(self, ids: np.ndarray, stored: list[tuple[Any, ...]]) -> set[int]:
        """Subjects the batch leaves as they are: created after the export (no result), or whose stored
        evaluations changed since the export (the real-time path wrote them: fresher than the snapshot)."""
        lo, hi = int(ids[0]), int(ids[-1])
        then = self._range(self._stored, lo, hi)
        before = dict(zip(then.column("subject_id").to_pylist(), then.column("fingerprint").to_pylist(),
                          strict=True))
        now = fingerprints(stored)
        moved = {sid for sid in set(before) | set(now) if before.get(sid) != now.get(sid)}
        return (set(ids.tolist()) - self._present) | (moved & set(ids.tolist()))


@dataclass
class SparkRun:
    summary: BatchSummary
    export: ExportSummary
    spark_seconds: float
    store_seconds: float
    groups: int


def evaluate_with_spark(engine: Engine, as_of: date | None = None, master: str = "local[*]",
                        workdir: str | Path | None = None, keep: bool = False, chunk: int = 100_000,
                        conf: dict[str, str] | None = None, spark: Any = None, groups: int | None = None,
                        actor: Any = OPERATOR) -> SparkRun:
    """Export, score on Spark, write back. `workdir`: where the export and the results go (a folder every
    executor reads: local disk in local mode, a shared file system on a cluster); a temporary folder by default,
    removed afterwards unless `keep`. `spark`: an existing SparkSession (tests share one)."""
    root = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="xinyong-spark-"))
    own = spark is None
    try:
        with start(engine, actor, writing=False) as uow:
            day = as_of or uow.clock.today()
            ctx = BatchContext.for_day(uow.session, day)
            exported = export_parquet(uow.session, ctx, root / "export", chunk)
        session = spark or spark_session(master, conf)
        began = time.perf_counter()
        try:
            used = score_export(session, ctx, root / "export", root / "results", groups)
        finally:
            if own:
                session.stop()
        spark_seconds = time.perf_counter() - began
        began = time.perf_counter()
        reader = ParquetResults(root / "results", root / "export")
        with start(engine, actor) as uow:
            now = BatchContext.for_day(uow.session, day)
            if (now.versions, now.period_start, now.counts_from) != (ctx.versions, ctx.period_start, ctx.counts_from):
                raise ConflictError("standards", "导出后适用的评价标准或周期已变更，请重新运行",
                                    "the standards or the period in force changed since the export: run again")
            summary = batch_evaluate(uow, day, chunk=chunk, results=reader, skip_rule=reader.skip, commit_chunks=True)
        return SparkRun(summary=summary, export=exported, spark_seconds=round(spark_seconds, 2),
                        store_seconds=round(time.perf_counter() - began, 2), groups=used)
    finally:
        if not keep and workdir is None:
            shutil.rmtree(root, ignore_errors=True)
