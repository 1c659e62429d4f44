"""信息纠错 — correcting a credit record (122号 Art.10) without ever editing it (122号 Art.8(2) 不得擅自修改).

A correction is a new version: a new row whose `supersedes_id` names the old one, plus a `record_corrections` row
with the reason, the authorising reference (spec D1-19), who and when. The old row stays byte-identical and stops
counting (`repository._counting`); the subject's evaluations are recomputed at once (122号 Art.13 实时更新) and the
correction is archived as `record_corrected` with the new version's facts (122号 Art.19 全流程可追溯).

Due date and lateness (122号 Art.8(1) 5个工作日内填报): the new version's due date is computed from its (possibly
corrected) act date, exactly as for a first report; lateness is judged by when the event was *first* reported
(the first version's entry time), so a correction neither restarts the clock nor makes a timely report late.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.uow import UnitOfWork
from ..errors import ConflictError, InputError
from ..messages.evaluation import GENERAL_SCOPE
from ..messages.records import RecordCorrected
from ..reference.models import CatalogueItem
from ..subjects.models import Subject
from . import repository
from .models import Correction, Record
from .schemas import CorrectIn, RecordIn
from .scope import check_business_item
from .service import (
    Actor,
    Submitted,
    due_date_for,
    first_reported_at,
    is_late,
    record_facts,
    record_for_write,
    validate_record,
)

_VERSION_SUFFIX = re.compile(r"#v\d+$")


@dataclass
class Corrected(Submitted):
    correction: Correction | None = None


def version_number(session: Session, record: Record) -> int:
    """1 for a first report, 2 for its first correction, …"""
    n, seen, current = 1, {record.id}, record
    while current.supersedes_id is not None and current.supersedes_id not in seen:
        older = session.get(Record, current.supersedes_id)
        if older is None:
            break
        n, current = n + 1, older
        seen.add(older.id)
    return n


def default_source_ref(session: Session, old: Record) -> str:
    """The old reference with a version suffix: 京规自罚〔2025〕1号 → 京规自罚〔2025〕1号#v2 → …#v3."""
    base = _VERSION_SUFFIX.sub("", old.source_ref)
    suffix = f"#v{version_number(session, old) + 1}"
    return base[: 200 - len(suffix)] + suffix


def correct_record(uow: UnitOfWork, record_id: int, data: CorrectIn, actor: Actor) -> Corrected:
    session = uow.session
    old = record_for_write(session, record_id, actor, "更正", "correct")
    # as withdraw does (issue 12 item 4): a business department corrects only a record of an item it may report,
    # not only into one — else it would supersede (and so stop counting) another regulator's item (122号 Art.4(2))
    old_item = session.get(CatalogueItem, old.item)
    if old_item is not None:
        check_business_item(session, actor, old_item, "id")
    reason = data.reason.strip()
    if not reason:
        raise InputError("reason", "更正原因不能为空", "reason must not be blank")
    if repository.withdrawal_of(session, record_id) is not None:
        raise ConflictError("id", f"记录 {record_id} 已撤销，不能更正", f"record {record_id} is withdrawn; it cannot be corrected")
    newer = repository.superseded_by(session, record_id)
    if newer is not None:
        raise ConflictError("id", f"记录 {record_id} 已被更正为记录 {newer}，请更正当前版本",
                            f"record {record_id} is already superseded by record {newer}; correct the current version")
    subject = session.get(Subject, old.subject_id)
    assert subject is not None
    given = data.model_fields_set
    note = (data.note or None) if "note" in given else old.note
    source_ref = data.source_ref.strip() if data.source_ref is not None else default_source_ref(session, old)
    same_item = (data.item or old.item) == old.item  # a new item takes its own 122号 Art.7 category by default
    merged = RecordIn(subject=subject.code, item=data.item or old.item, act_date=data.act_date or old.act_date,
                      department=data.department or old.department, source_ref=source_ref, note=note,
                      decision_no=old.decision_no, info_class=old.info_class,
                      admin_category=old.admin_category if same_item else None,
                      accident_grade=old.accident_grade if same_item else None, effect_ends_on=old.effect_ends_on)
    # the same checks as a first report, including the business binding to the (new) department
    _, item = validate_record(session, merged, actor, uow.clock.today())
    unchanged = (merged.item, merged.act_date, merged.department, merged.note) == (
        old.item, old.act_date, old.department, old.note)
    if unchanged and source_ref in (old.source_ref, default_source_ref(session, old)):
        raise InputError("body", "更正内容与原记录相同", "the correction changes nothing in the record")
    if repository.by_source_ref(session, old.subject_id, source_ref) is not None:
        raise ConflictError("source_ref", f"来源编号 {source_ref} 已被使用", f"source_ref {source_ref} is already in use")

    due, provisional = due_date_for(merged.act_date)
    now = uow.clock.now()
    new = Record(
        subject_id=old.subject_id, item=merged.item, act_date=merged.act_date, department=merged.department,
        source_ref=source_ref, source_system=old.source_system, channel=actor.channel, note=merged.note,
        entered_by=actor.name, entered_at=now, due_date=due, due_provisional=provisional,
        late=is_late(actor.channel, first_reported_at(session, old).date(), due), supersedes_id=old.id,
        decision_no=merged.decision_no, info_class=merged.info_class or item.source_category,
        admin_category=merged.admin_category or item.admin_category, accident_grade=merged.accident_grade,
        effect_ends_on=merged.effect_ends_on,
    )
    try:
        with session.begin_nested():  # a concurrent correction of the same version loses on the unique index
            session.add(new)
            session.flush()
            correction = Correction(record_id=new.id, supersedes_id=old.id, reason=reason,
                                    authority_ref=(data.authority_ref or "").strip() or None,
                                    corrected_by=actor.name, corrected_at=now)
            session.add(correction)
            session.flush()
    except IntegrityError:
        raise ConflictError("id", f"记录 {record_id} 正在或已被更正", f"record {record_id} was corrected concurrently") from None
    uow.publish(RecordCorrected(
        subject.id, subject.code, record_id=new.id, supersedes=old.id, item=item.code, item_name=item.name,
        industry=item.industry, facts=record_facts(new), reason=reason, authority_ref=correction.authority_ref,
        by=actor.name, at=now.isoformat(timespec="milliseconds")))
    uow.handle()
    return Corrected(new, True, item.industry or GENERAL_SCOPE, "active", subject.code, correction)
