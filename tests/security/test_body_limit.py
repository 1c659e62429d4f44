"""Issue 12 item 7: an oversized request body is refused (413 naming body) before the application parses it."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests._live import serving
from tests.conftest import auth
from xinyong.api import create_app
from xinyong.errors_http import MAX_JSON_BYTES, MAX_UPLOAD_BYTES


def test_a_declared_oversized_json_body_is_413_naming_body(client: TestClient, tokens: dict[str, str]) -> None:
    big = b'{"records": [' + b" " * (MAX_JSON_BYTES + 1) + b"]}"
    r = client.post("/api/v1/records/bulk", content=big, headers={**auth(tokens["admin"]),
                                                                   "Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["detail"][0]["field"] == "body", r.text[:200]
    ok = client.post("/api/v1/records/bulk", json={"records": []}, headers=auth(tokens["admin"]))
    assert ok.status_code != 413


def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(clean: Engine, tokens: dict[str, str]) -> None:
    def chunks():
        yield (b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
               b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n")
        piece = b"x" * (1024 * 1024)
        for _ in range(MAX_UPLOAD_BYTES // len(piece) + 2):
            yield piece

    with serving(create_app(clean)) as url, httpx.Client(base_url=url, timeout=60) as http:
        r = http.post("/api/v1/records/1/evidence", content=chunks(), headers={
            **auth(tokens["admin"]), "Content-Type": "multipart/form-data; boundary=zzz"})
    assert r.status_code == 413 and r.json()["detail"][0]["field"] == "body"
