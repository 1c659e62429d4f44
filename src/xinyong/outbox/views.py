"""HTTP API of downstream sync (44号 Task 14 及时共享、及时更新): receivers (operations, 122号 Art.5) and the pull
endpoint for the platforms that read rather than receive."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from ..auth.actors import Actor
from ..core.uow import UnitOfWork
from ..deps import get_uow, require
from ..errors_http import error_responses
from .schemas import ChangesOut, ChangeTypeOut, DeadLetterOut, ReceiverIn, ReceiverOut, RedeliverOut
from .service import (
    CHANGE_TYPES,
    changes_after,
    dead_letters,
    disable_receiver,
    event_body,
    receiver_out,
    receivers,
    redeliver,
    register_receiver,
)

router = APIRouter(prefix="/api/v1", tags=["downstream sync 信用信息共享"])


@router.get("/change-types", response_model=list[ChangeTypeOut], summary="可订阅的变更类型 (44号 Task 14)")
def change_types() -> list[ChangeTypeOut]:
    return [ChangeTypeOut(type=t, name=name, reference=ref) for t, (name, ref) in CHANGE_TYPES.items()]


@router.post("/receivers", status_code=201, response_model=ReceiverOut,
             summary="登记接收方：变更以签名 POST 推送 (HMAC-SHA256; 44号 Task 14)",
             responses=error_responses(401, 403, 409, 422))
def post_receiver(data: ReceiverIn, uow: UnitOfWork = Depends(get_uow),
                  actor: Actor = Depends(require("receivers.manage"))) -> ReceiverOut:
    """The secret is stored encrypted (never as clear text) and never returned; events: change types, empty = all.
    Each POST carries `X-Xinyong-Signature: sha256=<hex HMAC-SHA256 of the body>`, `X-Xinyong-Seq`,
    `X-Xinyong-Event`; answer 2xx to acknowledge."""
    row = register_receiver(uow, data, actor)
    uow.audit("receiver.create", f"receiver:{row.id}", f"{row.name} {row.url} {','.join(row.events) or '*'}")
    return receiver_out(uow.session, row)


@router.get("/receivers", response_model=list[ReceiverOut], summary="接收方及其投递进度",
            responses=error_responses(401, 403))
def get_receivers(uow: UnitOfWork = Depends(get_uow), _actor: Actor = Depends(require("receivers.manage"))
                  ) -> list[ReceiverOut]:
    return [receiver_out(uow.session, r) for r in receivers(uow.session)]


@router.post("/receivers/{receiver_id}/disable", response_model=ReceiverOut, summary="停用接收方（不再投递）",
             responses=error_responses(401, 403, 404))
def post_disable(receiver_id: int, uow: UnitOfWork = Depends(get_uow),
                 _actor: Actor = Depends(require("receivers.manage"))) -> ReceiverOut:
    row = disable_receiver(uow, receiver_id)
    uow.audit("receiver.disable", f"receiver:{row.id}")
    return receiver_out(uow.session, row)


@router.post("/receivers/{receiver_id}/redeliver", response_model=RedeliverOut,
             summary="死信重新投递（按序号，先于后续变更）", responses=error_responses(401, 403, 404, 409))
def post_redeliver(receiver_id: int, uow: UnitOfWork = Depends(get_uow),
                   _actor: Actor = Depends(require("receivers.manage"))) -> RedeliverOut:
    moved = redeliver(uow, receiver_id)
    uow.audit("receiver.redeliver", f"receiver:{receiver_id}", f"{moved} dead letters")
    return RedeliverOut(receiver_id=receiver_id, moved=moved)


@router.get("/receivers/{receiver_id}/dead-letters", response_model=list[DeadLetterOut],
            summary="接收方的死信（超过重试期限未确认的变更）", responses=error_responses(401, 403, 404))
def get_dead_letters(receiver_id: int, uow: UnitOfWork = Depends(get_uow),
                     _actor: Actor = Depends(require("receivers.manage"))) -> list[DeadLetterOut]:
    out = []
    for view in dead_letters(uow.session, receiver_id, ("dead", "pending")):
        d, body = view.letter, event_body(view.event)
        out.append(DeadLetterOut(id=d.id, seq=d.seq, type=body["type"], subject=body["subject"],
                                 occurred_at=body["occurred_at"], state=d.state, attempts=d.attempts,
                                 last_status=d.last_status, last_error=d.last_error, dead_at=d.dead_at,
                                 redelivered_at=d.redelivered_at, delivered_at=d.delivered_at))
    return out


@router.get("/changes", response_model=ChangesOut, summary="按序号拉取变更 (44号 Task 14)",
            responses=error_responses(401, 403, 422))
def get_changes(after: int = Query(0, ge=0, description="the last seq already read (0: from the first)"),
                limit: int = Query(100, ge=1, le=1000),
                type: list[str] | None = Query(None, description="only these change types"),  # noqa: A002
                uow: UnitOfWork = Depends(get_uow), _actor: Actor = Depends(require("changes.read"))) -> ChangesOut:
    """The same bodies as the pushed POSTs, in seq order; read on with `after=next_after` until `has_more` is false.
    A seq, once visible, has every smaller seq visible before it: reading on never skips a change."""
    return changes_after(uow.session, after, limit, type or ())
