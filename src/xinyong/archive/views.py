"""HTTP endpoints of the archive domain: a subject's electronic credit archive (122号 Art.19)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from ..auth.actors import Actor
from ..auth.policy import PERSONAL_DATA_ROLES
from ..core.uow import UnitOfWork
from ..deps import get_uow, require
from ..errors import ForbiddenError, NotFoundError
from ..errors_http import error_responses
from ..rules.identifiers import mask_text, mask_value
from ..subjects.service import get_subject, public_code
from . import repository, signing
from .schemas import ArchiveOut, CheckpointOut

router = APIRouter(prefix="/api/v1", tags=["archive 电子信用档案"])

@router.get("/subjects/{code}/archive", summary="电子信用档案 (122号 第十九条 一主体一档案，一事件一记录)",
            response_model=ArchiveOut, responses=error_responses(401, 403, 404, 422))
def read_archive(code: str, uow: UnitOfWork = Depends(get_uow), actor: Actor = Depends(require("archive.read"))
                 ) -> dict[str, Any]:
    """Every entry of the subject's archive, oldest first, with its hash chain. Reading a full archive is a read
    of personal data: it needs a token and is written to the audit trail. An individual's archive is open only
    to roles whose work needs personal data (and to that individual's own `subject` account); other roles get
    resident ID numbers masked."""
    subject = get_subject(uow.session, code)
    personal = actor.role in PERSONAL_DATA_ROLES
    own = actor.role == "subject" and getattr(actor, "subject", None) == subject.code
    if actor.role == "subject" and not own:
        raise ForbiddenError("code", "评价对象只能查看本对象的信用档案", "a subject account may only read its own archive")
    if subject.kind == "individual" and not (personal or own):
        raise ForbiddenError("code", f"角色 {actor.role} 无权查看个人的信用档案",
                             f"role {actor.role} may not read an individual's archive (personal data)")
    full = personal or own
    entries = []
    for e in repository.entries_of(uow.session, subject.id):
        entries.append({
            "seq": e.seq, "at": e.at.isoformat(timespec="milliseconds"), "kind": e.kind,
            "summary": e.summary if full else mask_text(e.summary), "hash": e.hash, "prev_hash": e.prev_hash,
            "payload": e.payload if full else mask_value(e.payload),
        })
    uow.audit("archive.read", subject.code, f"{len(entries)} entries")
    return {"subject": public_code(subject, full), "entries": entries}


@router.get("/archive/checkpoint", summary="最新签名检查点及公钥 / latest signed checkpoint and the public key",
            response_model=CheckpointOut, responses=error_responses(404))
def latest_signed_checkpoint(uow: UnitOfWork = Depends(get_uow)) -> dict[str, Any]:
    """Public: what a third party needs to check an exported archive file against the deployment's key
    (`xinyong archive check FILE --key-id ID`). Holds hashes and a signature only, no personal data."""
    cp = repository.latest_checkpoint(uow.session)
    if cp is None:
        raise NotFoundError("checkpoint", "尚未生成检查点 (xinyong archive checkpoint)", "no checkpoint written yet")
    trusted = signing.trusted_keys()
    raw = trusted.get(cp.public_key_id)
    return {
        "id": cp.id, "at": cp.at.isoformat(timespec="milliseconds"), "entry_count": cp.entry_count,
        "root": cp.root, "signature": cp.signature, "public_key_id": cp.public_key_id,
        "audit_seq": cp.audit_seq, "audit_hash": cp.audit_hash,
        "public_key_pem": signing.public_pem(raw) if raw is not None else None,
    }
