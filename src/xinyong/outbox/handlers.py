"""What this domain reacts to: message class → its handlers, composed into the one table by xinyong.handlers.

Every `Shared` event (grade changes, listings and removals, repairs, case outcomes, commitment breaches; 44号 Task
14) is written to the outbox in the publishing unit of work; xinyong.handlers appends these after the other
domains' reactions, so what they decided in the same unit of work is shared too.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.events import Message, Shared
from ..core.uow import Handler
from .service import record_changes

REACTIONS: dict[type[Message], Sequence[Handler]] = {Shared: [record_changes]}
