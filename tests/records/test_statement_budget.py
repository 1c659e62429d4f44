"""The single-record write is lean (issue 10 item 2): one POST /api/v1/records of a new record for an existing subject
with a few records runs a bounded, small number of SQL statements — every statement the request sends to the
database, on the request's own connections (authentication, validation, the insert, archive append, enrolment,
the subject's re-evaluation, audit, outbox), counted with SQLAlchemy's `before_cursor_execute` event.

STATEMENT_BUDGET is the bound; a change that adds a statement to the path makes this test fail, on purpose: either
the statement is needed (raise the bound here, in the same commit, saying why) or it is a redundant re-read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from tests.api._api_helpers import days_ago, make_subject, post_record, record_body
from tests.conftest import auth

STATEMENT_BUDGET = {"GEN-B02": 19, "GEN-D02": 23}
"""Statements of one POST of a new record, SQLite (BEGIN IMMEDIATE counted) and PostgreSQL (the audit chain's
advisory lock counted) alike. GEN-B02 (good) leaves the grade as it is; GEN-D02 (bad) changes it, so the outbox
shares it (insert, then the sequencer at commit) and the whitelist is checked.
Before issue 10 item 2 these POSTs ran 33 (good) and 41 on SQLite, 42 on PostgreSQL (bad): the subject read twice (look-up, then the locking
reload, three statements each), the catalogue three times, the standards in force and the industries twice, the
subject's archive head three times, the record's key read before its insert and the new record's status read.
Then 21 / 27; now PostgreSQL 18 / 23 and SQLite 19 / 23: the record's insert is one INSERT … ON CONFLICT DO NOTHING
RETURNING instead of SAVEPOINT, INSERT, RELEASE; the archive entries a request appends after its record's are
flushed in one INSERT (PostgreSQL; SQLite still runs one per entry); the sequencer reads max(seq) in its UPDATE.
PostgreSQL locks the subject and then reads it with its industries and grades, two statements where one joined
locking read was: that one returned the industries as of its start, before it waited for the lock
(subjects.repository.lock_by_code)."""


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("item", ["GEN-B02", "GEN-D02"])  # good; bad (the whitelist is checked too)
def test_one_post_of_a_record_runs_a_bounded_number_of_statements(client: TestClient, clean: Engine,
                                                                  tokens: dict[str, str], item: str) -> None:
    token = tokens["admin"]
    subject = make_subject(client, token, grade="B", industries=["survey_design"])
    for earlier, days in (("GEN-B01", 30), ("SD-B01", 20), ("GEN-D01", 10)):
        post_record(client, token, subject["code"], earlier, act_date=days_ago(days))
    # a warm-up post: the process-wide caches (the rulebook of the standards in force) are filled once
    post_record(client, token, subject["code"], "SD-D01", act_date=days_ago(5))
    body = record_body(subject["code"], item, act_date=days_ago(1))
    with counting(clean) as seen:
        r = client.post("/api/v1/records", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    if os.environ.get("XINYONG_SHOW_STATEMENTS"):
        for n, s in enumerate(seen, 1):
            print(n, " ".join(s.split())[:300])
    assert len(seen) <= STATEMENT_BUDGET[item], f"{len(seen)} statements > {STATEMENT_BUDGET[item]}:\n" + "\n".join(
        " ".join(s.split())[:200] for s in seen)
