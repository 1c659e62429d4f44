"""Shared helpers of the archive tests (not a test module)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.conftest import new_uscc
from xinyong.archive import signing
from xinyong.archive.checkpoints import write_checkpoint
from xinyong.archive.verify import VerifyReport, verify_archive
from xinyong.auth.actors import Actor
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import beijing_today
from xinyong.db.session import session_factory
from xinyong.records.schemas import RecordIn
from xinyong.records.service import submit_record, withdraw_record
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import create_subject

ADMIN = Actor(name="tester", role="admin")
_refs = itertools.count(1)


@dataclass
class World:
    a: str
    b: str
    a_id: int
    b_id: int
    r1: int  # a, general deduction
    r2: int  # a, survey_design bonus
    r3: int  # b, withdrawn


def record(session: Any, code: str, item: str, note: str | None = None) -> int:
    return submit_record(session, RecordIn(subject=code, item=item, act_date=beijing_today(), department="zhifa",
                                           source_ref=f"ARC-{next(_refs)}-{code}", note=note), ADMIN).record.id


def build_world(engine: Engine, checkpoint: bool = True) -> World:
    with unit_of_work(engine) as s:
        a = create_subject(s, SubjectIn(code=new_uscc(), name="档案测试甲", kind="organization", national_grade="B",
                                        industries=["survey_design"]), "tester")
        b = create_subject(s, SubjectIn(code=new_uscc(), name="档案测试乙", kind="organization"), "tester")
        r1 = record(s, a.code, "GEN-D01")
        r2 = record(s, a.code, "SD-B01")
        r3 = record(s, b.code, "GEN-D02")
        withdraw_record(s, r3, "录入错误", ADMIN)
        world = World(a.code, b.code, a.id, b.id, r1, r2, r3)
    if checkpoint:
        with unit_of_work(engine) as s:
            write_checkpoint(s)
    return world


def verify(engine: Engine) -> VerifyReport:
    with session_factory(engine)() as s:
        return verify_archive(s)


def sql(engine: Engine, statement: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def rows(engine: Engine, statement: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(statement), params))


def entry_id(engine: Engine, subject_id: int, seq: int) -> int:
    return int(rows(engine, "SELECT id FROM archive_entries WHERE subject_id = :s AND seq = :q", s=subject_id,
                    q=seq)[0][0])


def seq_of(engine: Engine, subject_id: int, kind: str) -> int:
    return int(rows(engine, "SELECT min(seq) FROM archive_entries WHERE subject_id = :s AND kind = :k",
                    s=subject_id, k=kind)[0][0])


def db_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def key_env(path: Path) -> dict[str, str]:
    return {"XINYONG_SIGNING_KEY": str(path)}


@pytest.fixture
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh Ed25519 checkpoint key for the test, named by XINYONG_SIGNING_KEY."""
    path = tmp_path / "signing_key.pem"
    monkeypatch.setenv("XINYONG_SIGNING_KEY", str(path))
    monkeypatch.delenv("XINYONG_TRUSTED_KEYS", raising=False)
    signing.generate(path)
    return path


def chain_rows(engine: Engine, subject_id: int) -> list[Any]:
    """The subject's entries as typed rows (datetime `at`, dict `payload`), by seq."""
    from sqlalchemy import select

    from xinyong.archive.models import ArchiveEntry

    t = ArchiveEntry.__table__
    with engine.connect() as conn:
        return list(conn.execute(select(t).where(t.c.subject_id == subject_id).order_by(t.c.seq)))
