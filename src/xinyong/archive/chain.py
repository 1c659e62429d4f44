"""Pure hash-chain rules of the archive: canonical JSON and the entry hash. Shared by the system and by the
offline checker of an exported file (`xinyong archive check`), so both compute exactly the same bytes."""

from __future__ import annotations

import hashlib
from typing import Any

from ..core.hashing import GENESIS as GENESIS  # re-exported: the archive's chains start there
from ..core.hashing import canonical as canonical


def entry_hash(prev_hash: str, subject: str, seq: int, at: str, kind: str, summary: str,
               payload: dict[str, Any]) -> str:
    body = {"subject": subject, "seq": seq, "at": at, "kind": kind, "summary": summary, "payload": payload}
    return hashlib.sha256(prev_hash.encode() + canonical(body)).hexdigest()


# A checkpoint signs the Merkle root (RFC 6962 tree, see merkle.py) of the first `entry_count` archive entries
# in append order (archive_entries.id). Checkpoints are written at least daily (122号 Art.19 全流程可追溯).
CHECKPOINT_SCHEME = "xinyong-archive-checkpoint/1"


def checkpoint_message(at: str, entry_count: int, root: str, public_key_id: str,
                       audit_seq: int | None = None, audit_hash: str | None = None) -> bytes:
    """The exact bytes an Ed25519 checkpoint signature covers. When the audit trail's head (seq, hash) is
    signed too, deleting the newest audit events is detected, which the audit hash chain alone cannot see."""
    body: dict[str, Any] = {"scheme": CHECKPOINT_SCHEME, "at": at, "entry_count": entry_count, "root": root,
                            "public_key_id": public_key_id}
    if audit_seq is not None:
        body["audit"] = {"seq": audit_seq, "hash": audit_hash}
    return canonical(body)
