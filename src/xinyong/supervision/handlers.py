"""What this domain reacts to: message class → its handlers, composed into the one table by xinyong.handlers."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.events import Message
from ..core.uow import Handler

REACTIONS: dict[type[Message], Sequence[Handler]] = {}
