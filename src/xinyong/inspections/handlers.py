"""What this domain reacts to: message class → its handlers, composed into the one table by xinyong.handlers.

"无事不扰"白名单 (44号 Task 12; spec G3-02): a subject leaves every whitelist at once on a new counting bad record
dated within the rule's window (122号 Art.7 不良信用信息) or on a listing (spec X-02), with the reason archived."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ..core.events import Message
from ..core.uow import Handler, UnitOfWork
from ..messages.listings import SubjectListed
from ..messages.records import RecordCorrected, RecordEntered, RecordsEntered
from ..records import repository as records_repo
from ..reference import repository as reference_repo
from . import repository
from .config import whitelist_rule
from .whitelist import remove_subject, window


def remove_on_bad_record(event: RecordEntered | RecordCorrected, uow: UnitOfWork) -> None:
    session = uow.session
    item = reference_repo.catalogue(session).get(event.item)
    if item is None or item.polarity != "bad":
        return
    record = records_repo.by_id(session, event.record_id)
    if record is None:
        return
    # a record entered in this unit of work is active or a duplicate: nobody withdrew or corrected it yet
    if not isinstance(event, RecordEntered) and records_repo.status_of(session, record) not in ("active", "duplicate"):
        return
    today = uow.clock.today()
    first, last = window(today, whitelist_rule(today).clean_months)
    if not first <= record.act_date <= last:
        return  # older than the window: it would not have kept the subject off the list either
    remove_subject(uow, event.subject_id, event.subject_code, "bad_record",
                   f"新增不良记录 #{record.id} {event.item} {event.item_name}（{record.act_date}）")


def remove_on_bad_records(event: RecordsEntered, uow: UnitOfWork) -> None:
    """remove_on_bad_record for a bulk chunk: its new bad records dated within the window, one query for the
    subjects on a whitelist, then each such subject off every list with its first such record as the reason (the
    single path removes it on that record too; the later ones find it off the lists)."""
    session = uow.session
    catalogue = reference_repo.catalogue(session)
    today = uow.clock.today()
    first, last = window(today, whitelist_rule(today).clean_months)
    bad: dict[int, RecordEntered] = {}
    for fact in event.entered():  # new records: active, or a duplicate (as status_of allows)
        item = catalogue.get(fact.item)
        if item is None or item.polarity != "bad" or fact.subject_id in bad:
            continue
        if first <= date.fromisoformat(fact.facts["act_date"]) <= last:
            bad[fact.subject_id] = fact
    if not bad:
        return
    for sid in sorted(repository.subjects_with_open_entries(session, list(bad))):
        fact = bad[sid]
        remove_subject(uow, sid, fact.subject_code, "bad_record",
                       f"新增不良记录 #{fact.record_id} {fact.item} {fact.item_name}（{fact.facts['act_date']}）")


def remove_on_listing(event: SubjectListed, uow: UnitOfWork) -> None:
    remove_subject(uow, event.subject_id, event.subject_code, "listing",
                   f"列入{event.list_name}（{date.fromisoformat(event.listed_on)}起）")


REACTIONS: dict[type[Message], Sequence[Handler]] = {
    RecordEntered: [remove_on_bad_record],
    RecordsEntered: [remove_on_bad_records],
    RecordCorrected: [remove_on_bad_record],
    SubjectListed: [remove_on_listing],
}
