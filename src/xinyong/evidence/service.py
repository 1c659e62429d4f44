"""证明材料 — evidence files of the electronic credit archive (122号 第十九条 "评价对象相关数据以及证明材料 …
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

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..archive.models import ArchiveEntry
from ..archive.service import EVIDENCE_ATTACHED, append
from ..core.clock import beijing_now, beijing_today
from ..errors import ConflictError, InputError, NotFoundError
from ..records.models import Record
from ..records.service import Actor, record_for_write
from ..standards.loader import DEFAULT_DIR, load_parameters
from ..subjects.models import Subject
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


@dataclass
class Attached:
    evidence: EvidenceFile
    created: bool


def attach_evidence(session: Session, record_id: int, data: bytes, filename: str | None, declared: str | None,
                    actor: Actor, store: EvidenceStore | None = None) -> Attached:
    """Attach a file to a record (第十九条). The same content attached to the same record again is the same
    attachment (created=False). The file is written before the row: a failed request leaves at most an
    unreferenced content-addressed file, never a row without its file."""
    record = record_for_write(session, record_id, actor, "上传证明材料至", "attach evidence to")
    name = clean_name(filename)
    media_type = check_file(data, name, declared, policy())
    store = store or EvidenceStore()
    sha = store.put(data)
    existing = _attached(session, record_id, sha)
    if existing is not None:
        return Attached(existing, False)
    row = EvidenceFile(sha256=sha, name=name, size=len(data), media_type=media_type, record_id=record_id,
                       uploaded_by=actor.name, uploaded_at=beijing_now())
    try:
        with session.begin_nested():  # a concurrent upload of the same content to the same record wins the index
            session.add(row)
            session.flush()
    except IntegrityError:
        again = _attached(session, record_id, sha)
        if again is None:
            raise
        return Attached(again, False)
    subject = session.get(Subject, record.subject_id)
    assert subject is not None
    append(session, subject, EVIDENCE_ATTACHED, f"记录 #{record_id} 附证明材料 {name}（{len(data)} 字节）",
           archived_facts(row))
    return Attached(row, True)


def archived_facts(row: EvidenceFile) -> dict[str, Any]:
    """What the archive holds of an attachment, and what verify compares with the live row and file."""
    return {"evidence_id": row.id, "record_id": row.record_id, "sha256": row.sha256, "name": row.name,
            "size": row.size, "media_type": row.media_type, "by": row.uploaded_by,
            "at": row.uploaded_at.isoformat(timespec="milliseconds")}


def _attached(session: Session, record_id: int, sha: str) -> EvidenceFile | None:
    return session.scalars(select(EvidenceFile).where(EvidenceFile.record_id == record_id,
                                                      EvidenceFile.sha256 == sha)).first()


def evidence_of_record(session: Session, record_id: int) -> list[EvidenceFile]:
    return list(session.scalars(select(EvidenceFile).where(EvidenceFile.record_id == record_id)
                                .order_by(EvidenceFile.id)))


def evidence_for_subject(session: Session, subject_id: int) -> list[EvidenceFile]:
    """Every attachment of every record of a subject (for the archive export: JSON + evidence)."""
    stmt = (select(EvidenceFile).join(Record, Record.id == EvidenceFile.record_id)
            .where(Record.subject_id == subject_id).order_by(EvidenceFile.id))
    return list(session.scalars(stmt))


def parse_sha(raw: str) -> str:
    sha = raw.strip().lower()
    if not SHA256_RE.match(sha):
        raise InputError("sha256", "应为 64 位十六进制 SHA-256 摘要", "must be a 64-character hexadecimal SHA-256 digest")
    return sha


def read_evidence(session: Session, sha: str, store: EvidenceStore | None = None) -> tuple[EvidenceFile, bytes]:
    """The first attachment row of this content and the bytes, checked against the hash: a swapped or lost file
    is refused (409 / 404), never served as if it were the archived material."""
    row = session.scalars(select(EvidenceFile).where(EvidenceFile.sha256 == sha).order_by(EvidenceFile.id)).first()
    if row is None:
        raise NotFoundError("sha256", f"没有摘要为 {sha} 的证明材料", f"no evidence with sha256 {sha}")
    store = store or EvidenceStore()
    if not store.exists(sha):
        raise NotFoundError("sha256", "证明材料文件在存储中缺失，请联系运维（大数据中心）",
                            "the evidence file is missing from the store; contact operations")
    data = store.read(sha)
    if sha256_of(data) != sha:
        raise ConflictError("sha256", "存储的文件与档案中的摘要不符（文件被替换或损坏）",
                            "the stored file does not match its archived hash (swapped or corrupted)")
    return row, data


def verify_evidence_files(session: Session, store: EvidenceStore | None = None) -> list[str]:
    """For `xinyong archive verify`: one line per problem, [] when intact. Checks that every stored file still
    hashes to its name (a file swapped or corrupted on disk), that none is missing, and that every evidence row
    agrees with its `evidence_attached` archive entry (a row pointed at other content, edited, inserted or
    deleted behind the system's back). The archive chain itself is checked by the archive verifier."""
    store = store or EvidenceStore()
    problems: list[str] = []
    rows = {row.id: row for row in session.scalars(select(EvidenceFile).order_by(EvidenceFile.id))}
    codes = dict(session.execute(select(Subject.id, Subject.code)).all())
    archived: dict[int, tuple[str, int, dict[str, Any]]] = {}
    stmt = (select(ArchiveEntry.subject_id, ArchiveEntry.seq, ArchiveEntry.payload)
            .where(ArchiveEntry.kind == EVIDENCE_ATTACHED).order_by(ArchiveEntry.id))
    for subject_id, seq, payload in session.execute(stmt):
        where = f"subject {codes.get(subject_id, subject_id)} seq {seq}"
        evidence_id = payload.get("evidence_id") if isinstance(payload, dict) else None
        if not isinstance(evidence_id, int):
            problems.append(f"{where}: evidence_attached entry names no evidence id")
            continue
        archived[evidence_id] = (where, seq, payload)
        if evidence_id not in rows:
            problems.append(f"{where}: evidence {evidence_id} ({payload.get('sha256')}) is missing from evidence_files")
    for evidence_id, row in rows.items():
        entry = archived.get(evidence_id)
        if entry is None:
            problems.append(f"evidence {evidence_id} ({row.sha256}): no evidence_attached archive entry")
            continue
        where, _seq, payload = entry
        live = archived_facts(row)
        for key in ("record_id", "sha256", "name", "size", "media_type", "by", "at"):
            if payload.get(key) != live[key]:
                problems.append(f"{where}: evidence {evidence_id} {key} differs from the archive "
                                f"(archived {payload.get(key)!r}, now {live[key]!r})")
    places: dict[str, list[str]] = {}
    for evidence_id, row in rows.items():
        if evidence_id in archived:
            places.setdefault(row.sha256, []).append(archived[evidence_id][0])
    for sha in sorted({row.sha256 for row in rows.values()}):
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
