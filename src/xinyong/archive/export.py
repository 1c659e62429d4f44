"""`xinyong archive export CODE FILE`: one subject's electronic credit archive as one self-verifying file
(122号 Art.19 一主体一档案). The file holds the subject, every entry with its payload, the signed checkpoint,
an RFC 9162 inclusion proof of each entry against the checkpoint's root, the public key, and the evidence files
(证明材料) attached to the subject's records with their content. `xinyong archive check FILE` (archive/check.py)
verifies it without the system or its database."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..core.uow import UnitOfWork
from ..errors import InputError
from ..evidence.service import evidence_for_subject
from ..evidence.storage import EvidenceStore
from ..subjects.service import get_subject
from . import repository, signing
from .chain import CHECKPOINT_SCHEME
from .checkpoints import write_checkpoint
from .merkle import Tree

FORMAT = "xinyong-archive-export/1"

HOW_TO_VERIFY = (
    "entry.hash = SHA-256(prev_hash ASCII hex || canonical JSON of {subject, seq, at, kind, summary, payload}), "
    "canonical JSON = sorted keys, separators ',' ':', UTF-8, no ASCII escaping; prev_hash of seq 1 is 64 zeros. "
    "Merkle tree: RFC 9162 over every entry of the system in append order, leaf = SHA-256(0x00 || entry hash "
    "bytes), node = SHA-256(0x01 || left || right); proof = inclusion path, bottom-up. Checkpoint signature: "
    "Ed25519 over canonical JSON of {scheme, at, entry_count, root, public_key_id}; public_key_id = first 16 hex "
    "digits of SHA-256 of the raw 32-byte public key. Evidence: SHA-256 of the decoded content.")


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds")


def _evidence(session: Session, subject_id: int) -> list[dict[str, Any]]:
    """Evidence files (证明材料) of the subject's records, with their content."""
    store = EvidenceStore()
    out = []
    for row in evidence_for_subject(session, subject_id):
        try:
            content: str | None = base64.b64encode(store.path(row.sha256).read_bytes()).decode()
        except (OSError, ValueError):
            content = None  # missing from the store: `check` reports it
        out.append({"sha256": row.sha256, "name": row.name, "size": row.size, "media_type": row.media_type,
                    "record_id": row.record_id, "evidence_id": row.id, "content_base64": content})
    return out


def export_subject(uow: UnitOfWork, code: str) -> dict[str, Any]:
    """Build the export. Writes a fresh checkpoint first when the latest one does not cover every entry
    (needs the signing key; raises signing.SigningKeyMissing otherwise)."""
    session = uow.session
    subject = get_subject(session, code)
    repository.lock_archive(session, "SHARE")
    ids_hashes = repository.ids_and_hashes(session)
    cp = repository.latest_checkpoint(session)
    if cp is None or cp.entry_count < len(ids_hashes):
        cp = write_checkpoint(uow)
    keys = signing.trusted_keys()
    raw = keys.get(cp.public_key_id)
    if raw is None:
        raise InputError("key", f"最新检查点的签名密钥 {cp.public_key_id} 不可用",
                         f"the key {cp.public_key_id} that signed the latest checkpoint is not available "
                         f"(set XINYONG_SIGNING_KEY or XINYONG_TRUSTED_KEYS)")
    n = cp.entry_count
    tree = Tree([h for _, h in ids_hashes[:n]])
    position = {eid: i for i, (eid, _) in enumerate(ids_hashes[:n])}
    entries = []
    for e in repository.entries_of(session, subject.id):
        index = position.get(e.id)
        entries.append({
            "seq": e.seq, "at": _iso(e.at), "kind": e.kind, "summary": e.summary, "payload": e.payload,
            "prev_hash": e.prev_hash, "hash": e.hash,
            "leaf_index": index, "proof": None if index is None else tree.proof(index, n),
        })
    return {
        "format": FORMAT,
        "exported_at": _iso(uow.clock.now()),
        "basis": "京规自发〔2024〕122号 第十九条 电子信用档案 (一主体一档案，一事件一记录，全流程可追溯)",
        "subject": {"code": subject.code, "kind": subject.kind, "name": subject.name},
        "entries": entries,
        "checkpoint": {"scheme": CHECKPOINT_SCHEME, "id": cp.id, "at": _iso(cp.at), "entry_count": cp.entry_count,
                       "root": cp.root, "signature": cp.signature, "public_key_id": cp.public_key_id,
                       "audit_seq": cp.audit_seq, "audit_hash": cp.audit_hash},
        "public_key": {"algorithm": signing.ALGORITHM, "id": signing.key_id(raw), "raw_hex": raw.hex(),
                       "pem": signing.public_pem(raw)},
        "evidence": _evidence(session, subject.id),
        "how_to_verify": HOW_TO_VERIFY,
    }
