"""Signed checkpoints of the global Merkle tree of the archive (122号 第十九条 全流程可追溯, issue 3 item 3).

A checkpoint signs (Ed25519, the deployment's key, archive/signing.py) the RFC 6962 root of the first
`entry_count` entries in append order (archive_entries.id). `xinyong serve` writes one at least daily (the
refresher calls :func:`checkpoint_if_due`); `xinyong archive checkpoint` writes one on demand; `xinyong archive
export` writes one first when the latest does not cover every entry, so an exported file is fully provable.

The server never creates the key itself: generating the deployment's signing key is a deliberate act
(`xinyong archive keygen`), since its public half must be published and the private half backed up. Without a
key the server keeps serving and logs `archive_signing_key_missing` once a day."""

from __future__ import annotations

from datetime import date

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ..auth.models import AuditEvent
from ..core.clock import beijing_now, beijing_today
from ..db.session import unit_of_work
from . import signing
from .chain import checkpoint_message
from .merkle import root_of
from .models import ArchiveCheckpoint, ArchiveEntry
from .service import lock_archive

log = structlog.get_logger("xinyong.archive")


def entry_hashes(session: Session) -> list[str]:
    """Every entry's hash in append order: the leaves of the Merkle tree."""
    return list(session.scalars(select(ArchiveEntry.hash).order_by(ArchiveEntry.id)))


def latest_checkpoint(session: Session) -> ArchiveCheckpoint | None:
    return session.scalars(select(ArchiveCheckpoint).order_by(ArchiveCheckpoint.id.desc()).limit(1)).first()


def write_checkpoint(session: Session, key: Ed25519PrivateKey | None = None) -> ArchiveCheckpoint:
    """Sign the root over every entry committed so far. Raises signing.SigningKeyMissing without a key."""
    key = key or signing.load_private()
    lock_archive(session, "SHARE")  # the prefix is stable: no writer in flight, none can slip in before it
    hashes = entry_hashes(session)
    root = root_of(hashes)
    at = beijing_now()
    kid = signing.key_id(signing.public_raw(key))
    head = session.execute(select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.is_not(None))
                           .order_by(AuditEvent.seq.desc()).limit(1)).first()
    audit_seq, audit_hash = (head[0], head[1]) if head else (None, None)
    sig = signing.sign(key, checkpoint_message(at.isoformat(timespec="milliseconds"), len(hashes), root, kid,
                                               audit_seq, audit_hash))
    cp = ArchiveCheckpoint(at=at, entry_count=len(hashes), root=root, signature=sig, public_key_id=kid,
                           audit_seq=audit_seq, audit_hash=audit_hash)
    session.add(cp)
    session.flush()
    return cp


_warned_on: date | None = None


def checkpoint_if_due(engine: Engine, today: date | None = None) -> ArchiveCheckpoint | None:
    """At least daily (issue 3 item 3): write a checkpoint when none was written today (Beijing time).
    Never raises for a missing key: logs it (once a day) and returns None."""
    global _warned_on
    today = today or beijing_today()
    try:
        key = signing.load_private()
    except signing.SigningKeyMissing as exc:
        if _warned_on != today:
            log.warning("archive_signing_key_missing", path=str(exc.path),
                        hint="run `xinyong archive keygen` to start signed daily checkpoints")
            _warned_on = today
        return None
    with unit_of_work(engine) as session:
        last = latest_checkpoint(session)
        if last is not None and last.at.date() >= today:
            return None
        cp = write_checkpoint(session, key)
    log.info("archive_checkpoint_written", id=cp.id, entry_count=cp.entry_count, root=cp.root,
             public_key_id=cp.public_key_id)
    return cp
