"""The unit of work: owns the transaction, the per-subject locks, the audit row and the dispatch of messages.

Requests, CLI commands and jobs run through one (`xinyong.bootstrap.unit_of_work`, `xinyong.deps.get_uow`):

    with unit_of_work(engine, actor=actor) as uow:
        enter_record(uow, data)      # services publish events; they never commit
        uow.audit("record.create", f"record:{id}")

On leaving the block the remaining messages are handled and everything commits; any error rolls all of it back
(no partial writes). Handlers run inside the same transaction, in the order of the handler table, and may publish
further messages, handled in turn (breadth first) until none is left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ..db.session import session_factory, writer
from .clock import Clock, clock
from .events import Command, Message

M = TypeVar("M", bound=Message)


class Acting(Protocol):
    """Who acts (auth.actors.Actor); the unit of work needs only these to write the audit row."""

    name: str
    role: str
    origin: str


Handler = Callable[[Any, "UnitOfWork"], None]
HandlerTable = Mapping[type[Message], Sequence[Handler]]
Auditor = Callable[[Session, Acting, str, str, str], None]
BulkAuditor = Callable[[Session, Acting, str, Sequence[tuple[str, str]]], None]
SubjectLocker = Callable[[Session, int], object]


class UnitOfWork:
    def __init__(self, engine: Engine, *, handlers: HandlerTable, auditor: Auditor, subject_locker: SubjectLocker,
                 actor: Acting | None = None, clock_: Clock | None = None, writing: bool = True,
                 bulk_auditor: BulkAuditor | None = None) -> None:
        self.engine = engine
        self.actor = actor
        self.clock = clock_ or clock()
        self.writing = writing
        self._handlers = handlers
        self._auditor = auditor
        self._bulk_auditor = bulk_auditor
        self._locker = subject_locker
        self._queue: list[Message] = []
        self.handled: list[Message] = []  # the messages handled so far that are `kept`, in order (for outcome)
        self._session: Session | None = None

    # -- the transaction ---------------------------------------------------------------------------------------
    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open (use it in a `with` block)")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = session_factory(writer(self.engine) if self.writing else self.engine)()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        try:
            if exc_type is None:
                self._commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()
            self._session = None

    def _commit(self) -> None:
        try:
            self.handle()
            self.session.commit()
        except BaseException:
            self.session.rollback()
            raise

    def commit(self) -> None:
        """Handle what is queued and commit what is done so far; the unit stays open and its next statement begins
        a new transaction. For long runs that are correct part by part (a batch re-evaluation commits each chunk
        of subjects, as an import commits each chunk of rows): locks are released and what committed stays, so a
        crash loses at most the part in flight and a re-run completes it."""
        self._commit()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """A part that succeeds or fails on its own (each record of a bulk intake): a savepoint whose messages are
        handled before it is released, and forgotten with it on error."""
        queued, handled = list(self._queue), len(self.handled)
        savepoint = self.session.begin_nested()
        try:
            yield
            self.handle()
        except BaseException:
            savepoint.rollback()
            # the queue as it was: what the part added goes, and what was waiting before it and got handled
            # inside it (its effects just rolled back) waits again
            self._queue[:] = queued
            del self.handled[handled:]
            raise
        savepoint.commit()

    # -- messages ----------------------------------------------------------------------------------------------
    def publish(self, *messages: Message) -> None:
        self._queue.extend(messages)

    def handle(self) -> None:
        """Run the handlers of every queued message (and of what they publish) now, in this transaction."""
        while self._queue:
            message = self._queue.pop(0)
            # general before specific: a fact is archived before what its own handlers add
            handlers = [h for cls in reversed(type(message).__mro__) for h in self._handlers.get(cls, ())]
            if isinstance(message, Command) and len(handlers) != 1:
                raise LookupError(f"command {type(message).__name__} needs exactly one handler, has {len(handlers)}")
            for handler in handlers:
                handler(message, self)
            if message.kept:
                self.handled.append(message)

    def queued(self, kind: type[M], **match: Any) -> M | None:
        """A message of `kind` with fields `match` waiting in the queue (to publish a command only once)."""
        for message in self._queue:
            if isinstance(message, kind) and all(getattr(message, k) == v for k, v in match.items()):
                return message
        return None

    def outcome(self, kind: type[M], **match: Any) -> M | None:
        """The last handled message of `kind` whose fields equal `match` (e.g. the re-evaluation of a subject)."""
        for message in reversed(self.handled):
            if isinstance(message, kind) and all(getattr(message, k) == v for k, v in match.items()):
                return message
        return None

    # -- locks and audit ---------------------------------------------------------------------------------------
    def lock_subject(self, subject_id: int) -> None:
        """Queue behind every other writer of this subject until this transaction ends (122号 Art.13 实时更新
        reads what earlier writers committed; 122号 Art.19 the archive's next seq is ours)."""
        self._locker(self.session, subject_id)

    def audit(self, action: str, target: str, detail: str = "") -> None:
        """Append the audit row (who, when, what, from where; 122号 Art.19) for the acting principal; it commits or
        rolls back with everything else. Nothing to write when nobody is signed in (anonymous reads)."""
        if self.actor is not None:
            self._auditor(self.session, self.actor, action, target, detail)

    def audit_many(self, action: str, items: Sequence[tuple[str, str]]) -> None:
        """`audit(action, target, detail)` for each (target, detail), in order, at once (a chunk of an import)."""
        if self.actor is None or not items:
            return
        if self._bulk_auditor is None:
            for target, detail in items:
                self._auditor(self.session, self.actor, action, target, detail)
        else:
            self._bulk_auditor(self.session, self.actor, action, items)


# The composition root (xinyong.bootstrap) fills these in once; domains open units of work through `start`,
# so no domain imports the root (dependencies point one way: docs/architecture.md).
_wiring: dict[str, Any] = {}


def configure(*, handlers: HandlerTable, auditor: Auditor, subject_locker: SubjectLocker,
              bulk_auditor: BulkAuditor | None = None) -> None:
    _wiring.update(handlers=handlers, auditor=auditor, subject_locker=subject_locker, bulk_auditor=bulk_auditor)


def start(engine: Engine, actor: Acting | None = None, clock_: Clock | None = None, writing: bool = True
          ) -> UnitOfWork:
    """`with start(engine, actor) as uow:` — a unit of work wired by the composition root."""
    if not _wiring:
        raise RuntimeError("xinyong.bootstrap has not been imported: no handler table is configured")
    return UnitOfWork(engine, actor=actor, clock_=clock_, writing=writing, **_wiring)
