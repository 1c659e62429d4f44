"""Issue 12 item 9: the OpenAPI document is honest. Schemathesis (every check) fuzzes the API served on loopback,
anonymously and with an admin token, and finds no 5xx, no undocumented status and no body off its schema. Bounded:
a few examples per operation, one worker, a fixed seed (about half a minute per database)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests._live import serving
from tests.api._api_helpers import make_subject, post_record
from tests.conftest import auth
from xinyong.api import create_app

CONFIG = Path(__file__).with_name("schemathesis.toml")
# credentials are not fuzzed: a fuzzed logout or revocation would end the run's own token
NOT_FUZZED = r"/(tokens|users|login|logout|me)\b"


def _schemathesis(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run", f"{url}/openapi.json",
         "--checks", "all", "--phases", "examples,fuzzing", "--max-examples", "4", "--workers", "1",
         "--seed", "122", "--no-shrink", "--suppress-health-check", "all", "--request-timeout", "20",
         "--exclude-path-regex", NOT_FUZZED, "--output-truncate", "true", *extra],
        capture_output=True, text=True, timeout=300)


def _verdict(run: subprocess.CompletedProcess[str]) -> str:
    """The summary and the failures, for the assertion message."""
    out = run.stdout
    start = out.find("FAILURES")
    return (out[start:] if start >= 0 else out[-3000:])[:12000] + run.stderr[-2000:]


def test_the_document_declares_the_real_error_body_and_optional_tokens(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    text = str(spec)
    assert "HTTPValidationError" not in text and "'loc'" not in text
    ops = [(p, m, op) for p, item in spec["paths"].items() for m, op in item.items()]
    for path, method, op in ops:
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
    public = spec["paths"]["/api/v1/subjects/{code}/records"]["get"]
    assert public["security"] == [{}, {"HTTPBearer": []}]  # a token is optional (and more is shown with one)
    assert "401" in public["responses"]  # an invalid token is refused even here
    write = spec["paths"]["/api/v1/records"]["post"]
    assert write["security"] == [{"HTTPBearer": []}]
    assert {"401", "403", "422", "503"} <= set(write["responses"])


def _real_bodies_are_422(client: TestClient, token: str) -> None:
    """A body the framework cannot parse is the documented 422 naming the body, not an undocumented 400."""
    r = client.post("/api/v1/records", content=b"\xff\xfe{", headers=auth(token) | {"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body", r.text
    r = client.post("/api/v1/records/1/evidence", content=b"--b\r\nNone--b--\r\n",
                    headers=auth(token) | {"Content-Type": "multipart/form-data; boundary=b"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body", r.text


def test_unparsable_bodies_and_huge_ids_are_documented_refusals(client: TestClient, tokens: dict[str, str]) -> None:
    _real_bodies_are_422(client, tokens["admin"])
    huge = "122796695167531384832"  # past 64 bits: SQLite's driver overflowed (a 500)
    r = client.post(f"/api/v1/notifications/{huge}/read", headers=auth(tokens["admin"]))
    assert r.status_code in (404, 422), r.text
    assert r.json()["detail"][0]["field"] in ("notification_id", "id"), r.text
    r = client.get("/api/v1/changes", params={"after": huge}, headers=auth(tokens["admin"]))
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "after", r.text


def test_times_carry_their_offset(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.post("/api/v1/measures", headers=auth(tokens["admin"]), json={
        "industry": "survey_design", "kind": "incentive", "entries": [
            {"grade": "A", "process": "award", "item": "x", "basis": "y", "category": "z", "department": "d"}]})
    assert r.status_code == 201, r.text
    assert r.json()["created_at"].endswith("+08:00"), r.json()["created_at"]


@pytest.mark.fuzz
def test_schemathesis_finds_no_5xx_and_no_schema_violation(clean: Engine, tokens: dict[str, str]) -> None:
    app = create_app(clean)
    with TestClient(app) as client:  # a little data, so that reads reach past 404
        code = make_subject(client, tokens["admin"], industries=["survey_design"])["code"]
        post_record(client, tokens["admin"], code, "GEN-B01", note="schemathesis")
    with serving(app) as url:
        runs: list[tuple[str, Any]] = [
            ("anonymous", _schemathesis(url)),
            ("admin token", _schemathesis(url, "-H", f"Authorization: Bearer {tokens['admin']}")),
        ]
    for who, run in runs:
        assert run.returncode == 0, f"{who}:\n{_verdict(run)}"
        assert "API Operations" in run.stdout and "Tested:" in run.stdout, run.stdout[-2000:]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)  # loopback requests go straight to the server
