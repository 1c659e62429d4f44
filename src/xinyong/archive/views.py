"""HTTP endpoints of the archive domain: a subject's electronic credit archive (122号 Art.19)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query

from ..auth.actors import Actor
from ..auth.policy import PERSONAL_DATA_ROLES
from ..core.uow import UnitOfWork
from ..deps import get_uow, require
from ..errors import ForbiddenError, InputError, NotFoundError
from ..errors_http import error_responses
from ..evaluation import repository as evaluation_repo
from ..evaluation.models import GENERAL_SCOPE
from ..reference.framework import grade_order
from ..reference.models import Industry
from ..rules.identifiers import mask_text, mask_value
from ..subjects.service import get_subject, public_code
from . import repository, signing
from .schemas import ArchiveOut, CheckpointOut, TrendOut

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


def _month_starts(today: date, months: int) -> list[date]:
    """First days of the last `months` months, oldest first, the current month last."""
    y, m = today.year, today.month
    out = []
    for _ in range(months):
        out.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


@router.get("/stats/trend", summary="等级分布走势 / grade distribution at each month's end (from the archive)",
            response_model=TrendOut, responses=error_responses(422))
def trend(industry: str | None = None, months: int = Query(12, ge=1, le=36),
          uow: UnitOfWork = Depends(get_uow)) -> dict[str, Any]:
    """Counts only, like /stats/distribution. The stored current distribution rolled back through the archived
    evaluation changes (122号 Art.19 一事件一记录): nothing beyond the archive is kept for it."""
    if industry and uow.session.get(Industry, industry) is None:
        raise InputError("industry", f"未知行业代码 {industry}", f"unknown industry {industry}")
    scope = industry or GENERAL_SCOPE
    today = uow.clock.today()
    grades = {g: 0 for g in grade_order(today)}
    for g, _lv, _f, n in evaluation_repo.distribution(uow.session, scope):
        grades[g] = grades.get(g, 0) + n
    starts = _month_starts(today, months)
    bounds = [datetime.combine(start, datetime.min.time()) for start in starts]
    by_month: dict[int, list[tuple[str | None, str | None, str, int]]] = {}
    for m, new, old, direction, n in repository.change_counts(uow.session, scope, bounds):
        by_month.setdefault(m, []).append((new, old, direction, n))
    out: list[dict[str, Any]] = []
    for m in reversed(range(len(starts))):  # newest month first: its end state is what the changes after it undo
        point = {"month": starts[m].strftime("%Y-%m"), "grades": dict(grades), "upgrades": 0, "downgrades": 0,
                 "new": 0}
        for new, old, direction, n in by_month.get(m, []):
            if direction == "new":
                point["new"] += n
            elif direction == "up":
                point["upgrades"] += n
            elif direction == "down":
                point["downgrades"] += n
            if new in grades:  # the month before: as it was before these changes
                grades[new] -= n
            if direction != "new" and old:
                grades[old] = grades.get(old, 0) + n
        grades = {g: max(0, n) for g, n in grades.items()}
        out.append(point)
    return {"scope": scope, "months": out[::-1]}
