"""Append facts to a subject's archive (122号 Art.19 全流程可追溯)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from ..core.uow import UnitOfWork
from ..messages.evaluation import EVALUATION_CHANGED
from . import repository
from .chain import GENESIS, canonical, canonical_text, entry_hash, entry_hash_of_text
from .models import ArchiveEntry
from .repository import lock_archive as lock_archive  # re-exported: writers of many entries take it first


def trend_columns(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The columns the dashboard trend counts (ArchiveEntry.ev_*): an evaluation change's scope, its move by score
    (new when there was no evaluation before) and its new and old grade; None for any other kind."""
    if kind != EVALUATION_CHANGED:
        return {"ev_scope": None, "ev_move": None, "ev_new_grade": None, "ev_old_grade": None}
    new, old = payload.get("new") or {}, payload.get("old")
    scope, move, new_grade, old_grade = trend_of_change(
        payload.get("scope"), new.get("score"), new.get("grade"),
        None if old is None else old.get("score"), None if old is None else old.get("grade"), old is None)
    return {"ev_scope": scope, "ev_move": move, "ev_new_grade": new_grade, "ev_old_grade": old_grade}


Trend = tuple[Any, str | None, str | None, str | None]  # ev_scope, ev_move, ev_new_grade, ev_old_grade


def trend_of_change(scope: Any, new_score: int | None, new_grade: str | None, old_score: int | None,
                    old_grade: str | None, first: bool) -> Trend:
    """trend_columns of an evaluation change from its values (`first`: there was no evaluation before)."""
    if first:
        return scope, "new", new_grade, None
    before, after = old_score or 0, new_score or 0
    return scope, "up" if after > before else "down" if after < before else "same", new_grade, old_grade


def append(uow: UnitOfWork, subject_id: int, subject_code: str, kind: str, summary: str, payload: dict[str, Any]
           ) -> ArchiveEntry:
    """Append one entry, chained to the subject's previous one. Payload is stored as canonical JSON values
    (dates as ISO strings) so the hash recomputes identically from the database or an export. The entry is added,
    not flushed: the ORM writes the entries appended between two statements in one INSERT (a grade change's two
    evaluation_changed entries; issue 10 item 2); its id is set by that flush."""
    session = uow.session
    uow.lock_subject(subject_id)  # queue behind any other writer of this subject before reading the last seq
    heads = _heads(session)
    if subject_id in heads:  # appended in this transaction, under the subject's lock: still the head
        seq, prev = heads[subject_id]
        seq += 1
    else:
        last = repository.last_entry_for_update(session, subject_id)
        seq = 1 if last is None else last.seq + 1
        prev = GENESIS if last is None else last.hash
    at = uow.clock.now()
    clean = json.loads(canonical(payload))
    entry = ArchiveEntry(subject_id=subject_id, seq=seq, at=at, kind=kind, summary=summary, payload=clean,
                         prev_hash=prev,
                         hash=entry_hash(prev, subject_code, seq, at.isoformat(timespec="milliseconds"), kind,
                                         summary, clean), **trend_columns(kind, clean))
    session.add(entry)  # flushed with the transaction's next statement: a request's entries in one INSERT
    heads[subject_id] = (seq, entry.hash)
    return entry


_HEADS = "xinyong.archive.heads"


def _heads(session: Session) -> dict[int, tuple[int, str]]:
    """subject id → (seq, hash) of the entries `append` wrote in this (sub)transaction: a request that archives
    a record and the evaluation changes it causes reads its chain head once (issue 10 item 2). Per
    (sub)transaction object, like the subject locks: a rolled-back savepoint's heads are not trusted after it."""
    txn = session.get_nested_transaction() or session.get_transaction()
    held = session.info.get(_HEADS)
    if held is None or held[0] is not txn:
        held = session.info[_HEADS] = (txn, {})
    return held[1]  # type: ignore[no-any-return]


def append_many(uow: UnitOfWork, items: Sequence[tuple[int, str, str, str, dict[str, Any]]]) -> int:
    """Append many entries at once — (subject_id, subject_code, kind, summary, payload) each, chained exactly as
    :func:`append` does — with one query for the chain heads and one bulk insert (bulk intake, batch
    re-evaluation, 1 January re-seed of every subject). Each payload is serialised once: its canonical text is both
    hashed and stored. The caller holds :func:`lock_archive`. Returns the number appended."""
    trends = []
    for _sid, _code, kind, _summary, payload in items:
        t = trend_columns(kind, payload)
        trends.append((t["ev_scope"], t["ev_move"], t["ev_new_grade"], t["ev_old_grade"]))
    return append_texts(uow, [sid for sid, *_ in items], [code for _s, code, *_ in items],
                        [kind for _s, _c, kind, *_ in items], [summary for *_, summary, _p in items],
                        [canonical_text(payload) for *_, payload in items], trends)


def append_texts(uow: UnitOfWork, subject_ids: Sequence[int], codes: Sequence[str], kinds: Sequence[str],
                 summaries: Sequence[str], payload_texts: Sequence[str], trends: Sequence[Trend]) -> int:
    """append_many with the entries given column by column and each payload as its canonical text (what the chain
    hashes and the archive stores): a batch chunk's 10^5 evaluation changes render their texts themselves
    (messages.evaluation.ChangedColumns). The caller holds :func:`lock_archive`. Returns the number appended.

    The heads this (sub)transaction already knows — its own appends, under the archive lock or the subject's —
    are not read again: a chunk of an import appends its record facts and then its evaluation changes for the
    same subjects, and the second read of their heads cost a round trip over every entry of each (issue 10)."""
    if not subject_ids:
        return 0
    session = uow.session
    session.flush()
    known = _heads(session)  # moved on below, for `append` and the next bulk append of this (sub)transaction
    wanted = set(subject_ids)
    heads = {sid: known[sid] for sid in wanted & known.keys()}
    if len(heads) < len(wanted):
        heads.update(repository.chain_heads(session, sorted(wanted - heads.keys())))
    at = uow.clock.now()
    at_text = at.isoformat(timespec="milliseconds")
    rows = []
    for sid, code, kind, summary, text, trend in zip(subject_ids, codes, kinds, summaries, payload_texts, trends,
                                                     strict=True):
        seq, prev = heads.get(sid, (0, GENESIS))
        seq += 1
        h = entry_hash_of_text(prev, code, seq, at_text, kind, summary, text)
        rows.append((sid, seq, kind, summary, text, prev, h, *trend))
        heads[sid] = (seq, h)
    repository.insert_entry_texts(session, at, rows)
    if len(known) + len(heads) <= KEPT_HEADS:
        known.update(heads)  # every one of them now the head of an entry appended here
    else:
        known.clear()  # a batch chunk: read again if ever asked (memory stays bounded by the chunk)
    return len(rows)


# Chain heads a (sub)transaction keeps for its next appends: an import chunk's ~10^3 subjects, twice each. A batch
# chunk (BATCH_CHUNK subjects) appends once per subject, and a re-evaluation of everyone in one transaction would
# otherwise keep 10^6 heads (about 200 MB) to no use.
KEPT_HEADS = 50_000
