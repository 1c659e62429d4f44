"""What this domain reacts to: message class → its handlers, composed into the one table by xinyong.handlers."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.events import Message
from ..core.uow import Handler, UnitOfWork
from ..evaluation.handlers import request_reevaluation
from ..messages.cases import CaseResolved


def reevaluate_after_evaluation_objection(event: CaseResolved, uow: UnitOfWork) -> None:
    """An upheld objection to an evaluation result (D1-36(a)) recomputes it at once (122号 Art.13); a record's or
    a listing's case re-evaluates through the withdrawal, correction or removal it applied."""
    if event.outcome == "upheld" and event.record_id is None and event.listing_id is None:
        request_reevaluation(event, uow)


REACTIONS: dict[type[Message], Sequence[Handler]] = {
    CaseResolved: [reevaluate_after_evaluation_objection],
}
