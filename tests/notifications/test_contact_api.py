"""A subject's own account (and staff) keep where their notices go besides the in-app list (issue 8 item 7)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api._api_helpers import make_subject
from tests.cases._case_helpers import file_case, subject_account
from tests.conftest import auth
from xinyong.notifications.delivery import FileSender, send_due


def test_a_subject_sets_its_e_mail_and_the_notices_of_its_case_go_there(client: TestClient, clean: Engine,
                                                                         tokens, tmp_path: Path) -> None:
    code = make_subject(client, tokens["admin"], grade="B")["code"]
    mine = subject_account(clean, code)
    assert client.get("/api/v1/notifications/contact", headers=auth(mine)).json()["email"] is None
    bad = client.put("/api/v1/notifications/contact", json={"email": "not-an-address"}, headers=auth(mine))
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "email"
    r = client.put("/api/v1/notifications/contact", json={"email": "legal@example.cn"}, headers=auth(mine))
    assert r.status_code == 200 and r.json() == {"recipient_kind": "subject", "recipient": code,
                                                 "email": "legal@example.cn", "phone": None}
    # the business department keeps its own (a department's mailbox), not the subject's
    r = client.put("/api/v1/notifications/contact", json={"phone": "+8613800000000"}, headers=auth(tokens["business"]))
    assert r.json()["recipient_kind"] == "department" and r.json()["recipient"] == "kanchasheji"
    assert client.put("/api/v1/notifications/contact", json={"email": "x@y.cn"}).status_code == 401

    file_case(client, tokens["hall"], code, kind="objection", industry="general")
    summary = send_due(clean, sender=FileSender(tmp_path))
    assert summary.sent >= 1
    lines = [json.loads(x) for x in (tmp_path / "email.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(x["address"] == "legal@example.cn" and x["recipient"] == code for x in lines), lines
