"""Issue 12 items 6 and 10: acknowledged writes are durable on SQLite, and a busy database answers 503, never 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from tests.api._api_helpers import make_subject, record_body
from tests.conftest import auth
from xinyong.api import create_app
from xinyong.db.session import make_engine, writer


def test_sqlite_commits_are_synced_to_disk_synchronous_full(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL (NORMAL is 1)
    engine.dispose()


def test_a_write_behind_a_held_write_lock_answers_503_with_retry_after_and_writes_nothing(
        clean: Engine, tokens: dict[str, str]) -> None:
    if clean.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock; PostgreSQL writers lock rows, not the database")
    with TestClient(create_app(clean)) as setup:
        code = make_subject(setup, tokens["admin"])["code"]
    impatient = make_engine(clean.url.render_as_string(hide_password=False), busy_timeout=0.2)
    holder = writer(clean).connect()
    holder.begin()  # BEGIN IMMEDIATE: another writer (a bulk import, say) holds the write lock
    try:
        with TestClient(create_app(impatient)) as client:
            body = record_body(code, "GEN-D01")
            r = client.post("/api/v1/records", json=body, headers=auth(tokens["admin"]))
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"] == "1"
            assert r.json()["detail"][0]["reason_en"].startswith("the database is busy")
    finally:
        holder.rollback()
        holder.close()
    with clean.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM records")).scalar() == 0  # nothing half-written
    impatient.dispose()
