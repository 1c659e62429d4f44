"""Signed checkpoints of the global Merkle tree of the archive (122号 Art.19 全流程可追溯, issue 3 item 3).

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
from sqlalchemy import Engine

from ..auth import repository as auth_repo
from ..auth.actors import SYSTEM
from ..core.uow import UnitOfWork, start
from . import signing
from .chain import checkpoint_message
from .merkle import root_of
from .models import ArchiveCheckpoint
from .repository import entry_hashes as entry_hashes  # re-exported
from .repository import latest_checkpoint as latest_checkpoint  # re-exported
from .repository import lock_archive

log = structlog.get_logger("xinyong.archive")


def write_checkpoint(uow: UnitOfWork, key: Ed25519PrivateKey | None = None) -> ArchiveCheckpoint:
    """Sign the root over every entry committed so far. Raises signing.SigningKeyMissing without a key."""
    session = uow.session
    key = key or signing.load_private()
    lock_archive(session, "SHARE")  # the prefix is stable: no writer in flight, none can slip in before it
    hashes = entry_hashes(session)
    root = root_of(hashes)
    at = uow.clock.now()
    kid = signing.key_id(signing.public_raw(key))
    head = auth_repo.audit_head(session)
    audit_seq, audit_hash = head if head else (None, None)
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
    Never raises for a missing key: logs it (once a day) and returns None. A job: it acts as the system."""
    global _warned_on
    with start(engine, SYSTEM) as uow:
        today = today or uow.clock.today()
        try:
            key = signing.load_private()
        except signing.SigningKeyMissing as exc:
            if _warned_on != today:
                log.warning("archive_signing_key_missing", path=str(exc.path),
                            hint="run `xinyong archive keygen` to start signed daily checkpoints")
                _warned_on = today
            return None
        last = latest_checkpoint(uow.session)
        if last is not None and last.at.date() >= today:
            return None
        cp = write_checkpoint(uow, key)
    log.info("archive_checkpoint_written", id=cp.id, entry_count=cp.entry_count, root=cp.root,
             public_key_id=cp.public_key_id)
    return cp
