"""证明材料 — evidence files of the electronic credit archive (122号 Art.19 "评价对象相关数据以及证明材料 …
应当一并记载或者存入电子信用档案，实现全流程可追溯").

A file is checked (size, and type detected from its content — magic bytes — against an allow-list; limits in
standards/default/evidence.yaml), stored content-addressed by SHA-256 (storage.EvidenceStore), linked to a record
(evidence_files) and archived as `evidence_attached` with its hash, name, size and type. `verify_evidence_files`
recomputes the hash of every stored file and compares rows with the archive, so a swapped file is named.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from sqlalchemy.orm import Session

from ..auth.actors import Actor
from ..core.clock import beijing_today
from ..core.uow import UnitOfWork
from ..db.session import insert_once
from ..errors import ConflictError, InputError, NotFoundError
from ..messages.evidence import EvidenceAttached
from ..records import repository as records_repo
from ..records.service import record_for_write
from ..standards.loader import DEFAULT_DIR, load_parameters
from ..subjects import repository as subjects_repo
from . import repository
from .models import EvidenceFile
from .storage import SHA256_RE, EvidenceStore, sha256_of

POLICY_FILE = DEFAULT_DIR / "evidence.yaml"
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})


@dataclass(frozen=True)
class Policy:
    max_bytes: int
    extensions: dict[str, tuple[str, ...]]  # media type → accepted file-name extensions


def policy(on: date | None = None, path: Path = POLICY_FILE) -> Policy:
    """The evidence limits in force on a date (YAML, decided defaults: 20 MiB; PDF, JPEG, PNG, OFD)."""
    history = load_parameters(path)
    on = on or beijing_today()
    types = history.value("evidence_media_types", on)
    return Policy(int(history.value("evidence_max_bytes", on)),
                  {str(k): tuple(str(e).lower() for e in v) for k, v in types.items()})


def sniff(data: bytes) -> str | None:
    """The media type told by the content itself (magic bytes), or None when it is none of the known formats."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        # OFD (GB/T 33190) is a ZIP package whose entry file is OFD.xml at the root
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if any(name.lower() == "ofd.xml" for name in zf.namelist()):
                    return "application/ofd"
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
    return None


def clean_name(raw: str | None) -> str:
    """The file's base name only (no directories), without control characters, at most 255 characters."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if not name or name in (".", ".."):
        raise InputError("file", "文件名不能为空", "the file needs a name")
    return name[-255:] if len(name) > 255 else name


def check_file(data: bytes, name: str, declared: str | None, pol: Policy) -> str:
    """Size, then type: the content must be an allowed format, agree with the declared type (unless generic) and
    with the name's extension. Returns the detected media type."""
    if len(data) == 0:
        raise InputError("file", "文件为空", "the file is empty")
    if len(data) > pol.max_bytes:
        raise InputError("file", f"文件过大：超过上限 {pol.max_bytes} 字节",
                         f"file too large: more than the limit of {pol.max_bytes} bytes")
    allowed = ", ".join(pol.extensions)
    detected = sniff(data)
    if detected is None or detected not in pol.extensions:
        raise InputError("file", f"文件内容不是允许的格式（{allowed}）",
                         f"the file content is not an accepted format ({allowed})")
    declared_type = (declared or "").split(";")[0].strip().lower()
    if declared_type not in GENERIC_TYPES and declared_type != detected:
        raise InputError("file", f"声明的类型 {declared_type} 与文件内容 {detected} 不符",
                         f"declared type {declared_type} does not match the content ({detected})")
    ext = name.rsplit(".", 1)[1].lower() if "." in name.strip(".") else ""
    if ext and ext not in pol.extensions[detected]:
        raise InputError("file", f"文件扩展名 .{ext} 与文件内容 {detected} 不符",
                         f"file extension .{ext} does not match the content ({detected})")
    return detected


def checked_and_stored(data: bytes, filename: str | None, declared: str | None, on: date,
                       store: EvidenceStore | None = None) -> tuple[str, str, str]:
    """The checks of every evidence file (name, size, type by content; the limits in force on `on`), then the
    content-addressed write. Returns (clean name, detected media type, sha256). Case evidence uses it too."""
    name = clean_name(filename)
    media_type = check_file(data, name, declared, policy(on))
    return name, media_type, (store or EvidenceStore()).put(data)


@dataclass
class Attached:
    evidence: EvidenceFile
    created: bool


def attach_evidence(uow: UnitOfWork, record_id: int, data: bytes, filename: str | None, declared: str | None,
                    actor: Actor, store: EvidenceStore | None = None) -> Attached:
    """Attach a file to a record (122号 Art.19). The same content attached to the same record again is the same
    attachment (created=False). The file is written before the row: a failed request leaves at most an
    unreferenced content-addressed file, never a row without its file."""
    session = uow.session
    record = record_for_write(session, record_id, actor, "上传证明材料至", "attach evidence to")
    name, media_type, sha = checked_and_stored(data, filename, declared, uow.clock.today(), store)
    existing = repository.attached(session, record_id, sha)
    if existing is not None:
        return Attached(existing, False)
    row = EvidenceFile(sha256=sha, name=name, size=len(data), media_type=media_type, record_id=record_id,
                       uploaded_by=actor.name, uploaded_at=uow.clock.now())
    # a concurrent upload of the same content to the same record wins the unique index
    row, created = insert_once(session, row, lambda: repository.attached(session, record_id, sha))
    if not created:
        return Attached(row, False)
    subject = subjects_repo.by_id(session, record.subject_id)
    assert subject is not None
    uow.publish(EvidenceAttached(subject.id, subject.code, record_id=record_id, name=name, size=len(data),
                                 facts=archived_facts(row)))
    uow.handle()
    return Attached(row, True)


def archived_facts(row: EvidenceFile) -> dict[str, Any]:
    """What the archive holds of an attachment, and what verify compares with the live row and file."""
    return {"evidence_id": row.id, "record_id": row.record_id, "sha256": row.sha256, "name": row.name,
            "size": row.size, "media_type": row.media_type, "by": row.uploaded_by,
            "at": row.uploaded_at.isoformat(timespec="milliseconds")}


def evidence_of_record(session: Session, record_id: int) -> list[EvidenceFile]:
    """The attachments of an existing record (404 when there is no such record)."""
    if records_repo.by_id(session, record_id) is None:
        raise NotFoundError("id", f"没有编号为 {record_id} 的记录", f"no record {record_id}")
    return repository.of_record(session, record_id)


def evidence_for_subject(session: Session, subject_id: int) -> list[EvidenceFile]:
    """Every attachment of every record of a subject (for the archive export: JSON + evidence)."""
    return repository.of_records(session, records_repo.ids_for_subject(session, subject_id))


def parse_sha(raw: str) -> str:
    sha = raw.strip().lower()
    if not SHA256_RE.match(sha):
        raise InputError("sha256", "应为 64 位十六进制 SHA-256 摘要", "must be a 64-character hexadecimal SHA-256 digest")
    return sha


def read_evidence(session: Session, sha: str, store: EvidenceStore | None = None) -> tuple[EvidenceFile, bytes]:
    """The first attachment row of this content and the bytes, checked against the hash: a swapped or lost file
    is refused (409 / 404), never served as if it were the archived material."""
    row = repository.first_with_sha(session, sha)
    if row is None:
        raise NotFoundError("sha256", f"没有摘要为 {sha} 的证明材料", f"no evidence with sha256 {sha}")
    return row, verified_bytes(sha, store)


def verified_bytes(sha: str, store: EvidenceStore | None = None) -> bytes:
    """The stored file of this hash, checked against it: a lost file is 404, a swapped or corrupted one 409."""
    store = store or EvidenceStore()
    if not store.exists(sha):
        raise NotFoundError("sha256", "证明材料文件在存储中缺失，请联系运维（大数据中心）",
                            "the evidence file is missing from the store; contact operations")
    data = store.read(sha)
    if sha256_of(data) != sha:
        raise ConflictError("sha256", "存储的文件与档案中的摘要不符（文件被替换或损坏）",
                            "the stored file does not match its archived hash (swapped or corrupted)")
    return data


def evidence_problems(rows: list[EvidenceFile], archived: list[tuple[str, Any]], store: EvidenceStore | None = None
                      ) -> list[str]:
    """For `xinyong archive verify` (archive/verify.py verify_evidence_files gathers the inputs): one line per
    problem, [] when intact. `archived` holds each `evidence_attached` archive entry as (where, payload), where
    names the subject and seq. Checks that every stored file still hashes to its name (a file swapped or
    corrupted on disk), that none is missing, and that every evidence row agrees with its archive entry (a row
    pointed at other content, edited, inserted or deleted behind the system's back)."""
    store = store or EvidenceStore()
    problems: list[str] = []
    by_id = {row.id: row for row in rows}
    entries: dict[int, tuple[str, dict[str, Any]]] = {}
    for where, payload in archived:
        evidence_id = payload.get("evidence_id") if isinstance(payload, dict) else None
        if not isinstance(evidence_id, int):
            problems.append(f"{where}: evidence_attached entry names no evidence id")
            continue
        entries[evidence_id] = (where, payload)
        if evidence_id not in by_id:
            problems.append(f"{where}: evidence {evidence_id} ({payload.get('sha256')}) is missing from evidence_files")
    for evidence_id, row in by_id.items():
        entry = entries.get(evidence_id)
        if entry is None:
            problems.append(f"evidence {evidence_id} ({row.sha256}): no evidence_attached archive entry")
            continue
        where, payload = entry
        live = archived_facts(row)
        for key in ("record_id", "sha256", "name", "size", "media_type", "by", "at"):
            if payload.get(key) != live[key]:
                problems.append(f"{where}: evidence {evidence_id} {key} differs from the archive "
                                f"(archived {payload.get(key)!r}, now {live[key]!r})")
    places: dict[str, list[str]] = {}
    for evidence_id, row in by_id.items():
        if evidence_id in entries:
            places.setdefault(row.sha256, []).append(entries[evidence_id][0])
    for sha in sorted({row.sha256 for row in by_id.values()}):
        at = f" ({'; '.join(places[sha])})" if sha in places else ""
        try:
            on_disk = store.hash_on_disk(sha)
        except ValueError:
            problems.append(f"evidence sha256 {sha!r}: not a SHA-256 digest")
            continue
        except OSError as exc:
            problems.append(f"evidence {sha}: cannot be read ({exc.strerror or exc})")
            continue
        if on_disk is None:
            problems.append(f"evidence {sha}: file missing at {store.path(sha)}{at}")
        elif on_disk != sha:
            problems.append(f"evidence {sha}: file content hashes to {on_disk} (swapped or corrupted) "
                            f"at {store.path(sha)}{at}")
    return problems
