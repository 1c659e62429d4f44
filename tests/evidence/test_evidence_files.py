"""证明材料 (122号 第十九条): content-addressed evidence files, checked by size and by content type, archived by
hash so that a file swapped on disk is detected."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from tests.conftest import auth, new_uscc
from xinyong.archive.models import ArchiveEntry
from xinyong.archive.verify import verify_evidence_files
from xinyong.auth.models import AuditEvent
from xinyong.core.clock import beijing_today
from xinyong.core.uow import UnitOfWork
from xinyong.evidence.service import policy
from xinyong.evidence.storage import EvidenceStore

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"This program cannot be run in DOS mode"


def _ofd() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("OFD.xml", '<?xml version="1.0"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>')
        zf.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return buf.getvalue()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EvidenceStore:
    monkeypatch.setenv("XINYONG_EVIDENCE_DIR", str(tmp_path / "evidence"))
    return EvidenceStore(tmp_path / "evidence")


_n = iter(range(1, 10**6))


def _record(client: TestClient, token: str, department: str = "kanchasheji", item: str = "SD-D01") -> dict[str, Any]:
    code = new_uscc()
    assert client.post("/api/v1/subjects", json={"code": code, "name": "材料测试单位", "kind": "organization",
                                                 "national_grade": "B", "industries": []},
                       headers=auth(token)).status_code == 201
    r = client.post("/api/v1/records", json={"subject": code, "item": item, "act_date": beijing_today().isoformat(),
                                             "department": department, "source_ref": f"EV-{next(_n)}"},
                    headers=auth(token))
    assert r.status_code == 201, r.text
    return dict(r.json())


def _upload(client: TestClient, token: str, record_id: int, data: bytes, name: str, media_type: str) -> Any:
    return client.post(f"/api/v1/records/{record_id}/evidence", files={"file": (name, data, media_type)},
                       headers=auth(token))


@pytest.mark.parametrize(("data", "name", "media_type"), [
    (PDF, "处罚决定书.pdf", "application/pdf"),
    (PNG, "现场照片.png", "image/png"),
    (JPEG, "scan.JPG", "image/jpeg"),
    (_ofd(), "决定书.ofd", "application/ofd"),
    (PDF, "决定书", "application/octet-stream"),  # a generic declared type: the content decides
])
@pytest.mark.article("122号 Art.19")
def test_accepted_formats_are_stored_content_addressed_and_archived_122_art19(
        client: TestClient, tokens: dict[str, str], store: EvidenceStore, db: UnitOfWork,
        data: bytes, name: str, media_type: str) -> None:
    rec = _record(client, tokens["admin"])
    r = _upload(client, tokens["business"], rec["id"], data, name, media_type)
    assert r.status_code == 201, r.text
    body = r.json()
    sha = hashlib.sha256(data).hexdigest()
    assert body["sha256"] == sha and body["size"] == len(data) and body["name"] == name
    assert body["media_type"] == (media_type if media_type != "application/octet-stream" else "application/pdf")
    assert body["record_id"] == rec["id"] and body["uploaded_by"] == "test-business"
    assert (store.root / sha[:2] / sha).read_bytes() == data
    entry = db.session.scalars(select(ArchiveEntry).where(ArchiveEntry.kind == "evidence_attached")).one()
    assert entry.payload["sha256"] == sha and entry.payload["size"] == len(data)
    assert entry.payload["name"] == name and entry.payload["media_type"] == body["media_type"]
    assert entry.payload["record_id"] == rec["id"] and entry.payload["evidence_id"] == body["id"]
    assert verify_evidence_files(db.session, store) == []


@pytest.mark.parametrize(("data", "name", "media_type"), [
    (EXE, "决定书.pdf", "application/pdf"),  # an executable renamed .pdf
    (EXE, "setup.exe", "application/octet-stream"),
    (b"just some text, not a PDF\n", "notes.pdf", "application/pdf"),
    (PNG, "photo.png", "application/pdf"),  # declared type contradicts the content
    (PNG, "photo.pdf", "application/octet-stream"),  # extension contradicts the content
    (b"PK\x03\x04" + b"\x00" * 40, "fake.ofd", "application/ofd"),  # a broken ZIP is no OFD
    (b"", "empty.pdf", "application/pdf"),
])
@pytest.mark.article("122号 Art.19")
def test_content_not_matching_an_accepted_type_is_refused_422_122_art19(
        client: TestClient, tokens: dict[str, str], store: EvidenceStore, db: UnitOfWork,
        data: bytes, name: str, media_type: str) -> None:
    rec = _record(client, tokens["admin"])
    r = _upload(client, tokens["admin"], rec["id"], data, name, media_type)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == "file"
    assert db.session.scalars(select(ArchiveEntry).where(ArchiveEntry.kind == "evidence_attached")).first() is None
    assert not store.root.exists() or not any(p.is_file() for p in store.root.rglob("*"))


def test_file_over_the_configured_limit_is_refused_422(client: TestClient, tokens: dict[str, str],
                                                        store: EvidenceStore) -> None:
    limit = policy().max_bytes
    assert limit == 20 * 1024 * 1024  # documented default (standards/default/evidence.yaml)
    rec = _record(client, tokens["admin"])
    big = PDF + b"\x00" * (limit + 1 - len(PDF))
    r = _upload(client, tokens["admin"], rec["id"], big, "big.pdf", "application/pdf")
    assert r.status_code == 422 and "limit" in r.json()["detail"][0]["reason_en"]
    exact = PDF + b"\x00" * (limit - len(PDF))
    assert _upload(client, tokens["admin"], rec["id"], exact, "max.pdf", "application/pdf").status_code == 201


def test_same_content_same_record_is_the_same_attachment_200(client: TestClient, tokens: dict[str, str],
                                                             store: EvidenceStore, db: UnitOfWork) -> None:
    rec = _record(client, tokens["admin"])
    first = _upload(client, tokens["admin"], rec["id"], PDF, "a.pdf", "application/pdf")
    again = _upload(client, tokens["admin"], rec["id"], PDF, "a-copy.pdf", "application/pdf")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["name"] == "a.pdf"
    other = _record(client, tokens["admin"])
    elsewhere = _upload(client, tokens["admin"], other["id"], PDF, "b.pdf", "application/pdf")
    assert elsewhere.status_code == 201 and elsewhere.json()["id"] != first.json()["id"]
    assert elsewhere.json()["sha256"] == first.json()["sha256"]
    assert len([p for p in store.root.rglob("*") if p.is_file()]) == 1  # stored once
    assert len(db.session.scalars(select(ArchiveEntry).where(ArchiveEntry.kind == "evidence_attached")).all()) == 2
    listed = client.get(f"/api/v1/records/{rec['id']}/evidence", headers=auth(tokens["viewer"]))
    assert listed.status_code == 403
    listed = client.get(f"/api/v1/records/{rec['id']}/evidence", headers=auth(tokens["leader"]))
    assert [x["id"] for x in listed.json()] == [first.json()["id"]]


def test_download_needs_a_token_and_is_audited(client: TestClient, tokens: dict[str, str], store: EvidenceStore,
                                               db: UnitOfWork) -> None:
    rec = _record(client, tokens["admin"])
    sha = _upload(client, tokens["admin"], rec["id"], PNG, "照片.png", "image/png").json()["sha256"]
    assert client.get(f"/api/v1/evidence/{sha}").status_code == 401
    assert client.get(f"/api/v1/evidence/{sha}", headers=auth(tokens["viewer"])).status_code == 403
    r = client.get(f"/api/v1/evidence/{sha.upper()}", headers=auth(tokens["hall"]))
    assert r.status_code == 200
    assert r.content == PNG and r.headers["content-type"] == "image/png"
    assert "attachment" in r.headers["content-disposition"]
    reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "evidence.read")).all()
    assert [(a.actor, a.target) for a in reads] == [("test-hall", f"evidence:{sha}")]
    assert client.get("/api/v1/evidence/" + "0" * 64, headers=auth(tokens["admin"])).status_code == 404
    bad = client.get("/api/v1/evidence/not-a-hash", headers=auth(tokens["admin"]))
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "sha256"


@pytest.mark.article("122号 Art.19")
def test_swapped_or_missing_file_is_detected_by_verify_122_art19(client: TestClient, tokens: dict[str, str],
                                                                  store: EvidenceStore, db: UnitOfWork) -> None:
    rec = _record(client, tokens["admin"])
    sha = _upload(client, tokens["admin"], rec["id"], PDF, "决定书.pdf", "application/pdf").json()["sha256"]
    png_sha = _upload(client, tokens["admin"], rec["id"], PNG, "p.png", "image/png").json()["sha256"]
    assert verify_evidence_files(db.session, store) == []
    (store.root / sha[:2] / sha).write_bytes(PDF.replace(b"Catalog", b"Katalog"))  # swapped behind our back
    problems = verify_evidence_files(db.session, store)
    assert len(problems) == 1 and sha in problems[0] and "swapped" in problems[0] and "seq" in problems[0]
    # a swapped file is never served as the archived material
    assert client.get(f"/api/v1/evidence/{sha}", headers=auth(tokens["admin"])).status_code == 409
    (store.root / png_sha[:2] / png_sha).unlink()
    problems = verify_evidence_files(db.session, store)
    assert any(png_sha in p and "missing" in p for p in problems) and len(problems) == 2
    assert client.get(f"/api/v1/evidence/{png_sha}", headers=auth(tokens["admin"])).status_code == 404


@pytest.mark.article("122号 Art.19")
def test_evidence_row_edited_in_the_database_is_detected_by_verify_122_art19(
        client: TestClient, tokens: dict[str, str], store: EvidenceStore, db: UnitOfWork, clean: Engine) -> None:
    rec = _record(client, tokens["admin"])
    first = _upload(client, tokens["admin"], rec["id"], PDF, "决定书.pdf", "application/pdf").json()
    other = _record(client, tokens["admin"])
    second = _upload(client, tokens["admin"], other["id"], PNG, "p.png", "image/png").json()
    with clean.begin() as conn:  # point the PDF's row at the PNG content
        conn.execute(text("UPDATE evidence_files SET sha256 = :s WHERE id = :id"),
                     {"s": second["sha256"], "id": first["id"]})
    problems = verify_evidence_files(db.session, store)
    assert any(f"evidence {first['id']} sha256 differs" in p for p in problems), problems
    with clean.begin() as conn:
        conn.execute(text("DELETE FROM evidence_files WHERE id = :id"), {"id": second["id"]})
    db.session.rollback()
    problems = verify_evidence_files(db.session, store)
    assert any(f"evidence {second['id']}" in p and "missing from evidence_files" in p for p in problems), problems


def test_upload_refusals_403_404_422(client: TestClient, tokens: dict[str, str], store: EvidenceStore) -> None:
    foreign = _record(client, tokens["admin"], department="zhifa", item="GEN-D01")
    assert _upload(client, tokens["business"], foreign["id"], PDF, "a.pdf", "application/pdf").status_code == 403
    assert _upload(client, tokens["viewer"], foreign["id"], PDF, "a.pdf", "application/pdf").status_code == 403
    assert client.post(f"/api/v1/records/{foreign['id']}/evidence", files={"file": ("a.pdf", PDF)}).status_code == 401
    assert _upload(client, tokens["admin"], 999999, PDF, "a.pdf", "application/pdf").status_code == 404
    missing = client.post(f"/api/v1/records/{foreign['id']}/evidence", data={"other": "x"},
                          headers=auth(tokens["admin"]))
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "file"
    as_json = client.post(f"/api/v1/records/{foreign['id']}/evidence", json={"file": "x"},
                          headers=auth(tokens["admin"]))
    assert as_json.status_code == 422
    # a path in the file name is reduced to the base name
    r = _upload(client, tokens["hall"], foreign["id"], PDF, "../../etc/passwd.pdf", "application/pdf")
    assert r.status_code == 201 and r.json()["name"] == "passwd.pdf"
