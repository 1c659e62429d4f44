"""GET of an evaluation is lean (issue 10 item 5: GET evaluation under load): one GET
/api/v1/subjects/{code}/evaluation of a subject with a few records, once the process-wide caches are warm, runs a
bounded, small number of SQL statements — every statement the request sends to the database (the unit of work's
BEGIN on SQLite, the subject, the standards' version check, the records, the persisting fuses), counted with
SQLAlchemy's `before_cursor_execute` event, as tests/records/test_statement_budget.py does for POST.

STATEMENT_BUDGET is the bound; a change that adds a statement to the path makes this test fail, on purpose: either
the statement is needed (raise the bound here, in the same commit, saying why) or it is a redundant re-read.
"""

from __future__ import annotations

import os

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api._api_helpers import days_ago, make_subject, post_record
from tests.conftest import auth
from tests.records.test_statement_budget import counting

STATEMENT_BUDGET = {"anonymous": 6, "token": 7}
"""Statements of one GET, SQLite (its BEGIN counted) and PostgreSQL alike: the subject with its grades and industries
(one joined statement), the standards' signature carrying the version of the industries and the catalogue (so
the rulebook, the industry codes and the refusal items come from the process's caches), the subject's counting
records, its listings and its open refusals; with a token, the token's row. Before issue 10 item 5 this GET ran
10 (anonymous) and 11: the subject's grades and industries by selectin (two more), the industry codes and the
whole catalogue read in every transaction."""


def test_one_get_of_an_evaluation_runs_a_bounded_number_of_statements(client: TestClient, clean: Engine,
                                                                      tokens: dict[str, str]) -> None:
    token = tokens["admin"]
    subject = make_subject(client, token, grade="B", industries=["survey_design"])
    for item, days in (("GEN-B01", 30), ("SD-B01", 20), ("GEN-D01", 10)):
        post_record(client, token, subject["code"], item, act_date=days_ago(days))
    path = f"/api/v1/subjects/{subject['code']}/evaluation"
    assert client.get(path).status_code == 200  # warm-up: the process-wide caches are filled once
    for who, headers in (("anonymous", {}), ("token", auth(tokens["viewer"]))):  # bench/bench_get.py: anonymous
        with counting(clean) as seen:
            r = client.get(path, headers=headers)
        assert r.status_code == 200, r.text
        if os.environ.get("XINYONG_SHOW_STATEMENTS"):
            for n, s in enumerate(seen, 1):
                print(n, " ".join(s.split())[:400])
        assert len(seen) <= STATEMENT_BUDGET[who], f"{len(seen)} statements > {STATEMENT_BUDGET[who]}:\n" + \
            "\n".join(" ".join(s.split())[:200] for s in seen)
