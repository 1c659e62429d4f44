"""Pure hash-chain rules of the archive: canonical JSON and the entry hash. Shared by the system and by the
offline checker of an exported file (`xinyong archive check`), so both compute exactly the same bytes."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ..core.hashing import GENESIS as GENESIS  # re-exported: the archive's chains start there
from ..core.hashing import canonical as canonical


def entry_hash(prev_hash: str, subject: str, seq: int, at: str, kind: str, summary: str,
               payload: dict[str, Any]) -> str:
    body = {"subject": subject, "seq": seq, "at": at, "kind": kind, "summary": summary, "payload": payload}
    return hashlib.sha256(prev_hash.encode() + canonical(body)).hexdigest()


def canonical_text(payload: dict[str, Any]) -> str:
    """canonical(payload) as text, equal to canonical of its stored (JSON-parsed) form — what the chain hashes. One
    serialisation when every key is a string (the parsed form then serialises to the same bytes); otherwise (int
    keys sort differently as numbers than as text) serialised again from the parsed form.

    Whether a key was not a string is read from the text, not by walking the payload (half the cost): json writes
    such a key — int, float, bool or None — right after "{" or "," as "-…", "0"…"9", "Infinity", "NaN", "true",
    "false" or "null" in quotes. A string that looks the same (a key "2", a list item "7") only costs the second
    serialisation; a non-string key is never missed."""
    text = canonical(payload).decode()
    return text if _MAYBE_NON_TEXT_KEY.search(text) is None else canonical(json.loads(text)).decode()


_MAYBE_NON_TEXT_KEY = re.compile(r'[{,]"(?:[-0-9]|Infinity"|NaN"|true"|false"|null")')


def _text(value: str) -> str:
    """json.dumps(value, ensure_ascii=False): quoted as it is when nothing in it needs an escape (json escapes only
    quotes, backslashes and control characters, none of which a printable string without quotes or backslashes
    holds) — a bulk append hashes 10^6 bodies of four texts each."""
    if value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return json.dumps(value, ensure_ascii=False)


def entry_hash_of_text(prev_hash: str, subject: str, seq: int, at: str, kind: str, summary: str,
                       payload_text: str) -> str:
    """entry_hash with the payload given as its canonical_text: the body's canonical bytes (keys in sorted order)
    composed around it instead of serialising the payload again (bulk appends; tests/archive prove the equality)."""
    body = (f'{{"at":{_text(at)},"kind":{_text(kind)},"payload":{payload_text},"seq":{int(seq)},'
            f'"subject":{_text(subject)},"summary":{_text(summary)}}}')
    return hashlib.sha256(prev_hash.encode() + body.encode()).hexdigest()


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
