"""122号 第八条(一): manual data within 5 working days of the act; provisional where the calendar lacks the year."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.conftest import new_uscc
from xinyong.auth.actors import Actor
from xinyong.calendar import service as calendar_service
from xinyong.records import repository
from xinyong.records.models import LatenessCount, Record
from xinyong.records.schemas import RecordIn
from xinyong.records.service import due_date_for, finalise_provisional_due_dates, submit_record
from xinyong.rules.calendar import load_calendar
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import create_subject


@pytest.mark.article("122号 Art.8(1)")
def test_due_date_across_national_day_2026_is_day_5_not_day_6_122_art8_1():
    # Act on Tue 2026-09-29: 09-30 (1), [10-01..10-07 holiday], 10-08 (2), 10-09 (3), Sat 10-10 调休 (4), Mon 10-12 (5)
    assert due_date_for(date(2026, 9, 29)) == (date(2026, 10, 12), False)


def test_due_date_in_an_uncovered_year_is_provisional_weekends_only(monkeypatch, tmp_path):
    monkeypatch.setattr(calendar_service, "default_calendar", lambda: load_calendar(tmp_path / "none.yaml"))
    monkeypatch.setattr("xinyong.records.service.default_calendar", lambda: load_calendar(tmp_path / "none.yaml"))
    # Thu 2026-12-31 → Fri 01-01 (1), Mon 01-04 … Thu 01-07 (5), weekends only
    assert due_date_for(date(2026, 12, 31)) == (date(2027, 1, 7), True)


def test_provisional_due_dates_are_finalised_when_a_holiday_file_covers_the_year(db, monkeypatch, tmp_path):
    empty = load_calendar(tmp_path / "none.yaml")
    monkeypatch.setattr("xinyong.records.service.default_calendar", lambda: empty)
    s = create_subject(db, SubjectIn(code=new_uscc(), name="单位", kind="organization", industries=[]), "t")
    sub = submit_record(db, RecordIn(subject=s.code, item="GEN-B01", act_date=date(2026, 11, 26),
                                     department="zhifa", source_ref="P-1"), Actor("t", "admin"), date(2026, 11, 26))
    rec = sub.record
    assert rec.due_date == date(2026, 12, 3) and rec.due_provisional is False
    # a record near the year end in an uncovered year
    rec2 = Record(subject_id=s.id, item="GEN-B01", act_date=date(2026, 12, 31), department="zhifa",
                  source_ref="P-2", channel="manual", entered_by="t", entered_at=datetime(2027, 1, 8, 9),
                  due_date=date(2027, 1, 7), due_provisional=True, late=True)
    db.session.add(rec2)
    db.session.flush()
    holiday_file = tmp_path / "holidays.yaml"
    # Fictitious 2027 arrangement for the test only: 01-01 and 01-04 off.
    holiday_file.write_text("2027:\n  reference: 测试用虚构安排\n  holidays: [2027-01-01, 2027-01-04]\n  workdays: []\n",
                            encoding="utf-8")
    covered = load_calendar(holiday_file)
    monkeypatch.setattr("xinyong.records.service.default_calendar", lambda: covered)
    # a lateness snapshot taken before counted rec2 as late: it goes in the same transaction (122号 Art.8(1))
    db.session.add(LatenessCount(year=2026, department="zhifa", channel="manual", records=2, late=1, provisional=1,
                                 upto_id=rec2.id, taken_at=datetime(2027, 1, 9, 1)))
    db.session.flush()
    assert repository.lateness_snapshot_upto(db.session) == rec2.id
    assert finalise_provisional_due_dates(db.session) == (1, 0)
    assert repository.lateness_snapshot_upto(db.session) == 0
    db.session.refresh(rec2)
    # 01-05 (1), 01-06 (2), 01-07 (3), 01-08 (4), 01-11 (5): entered 01-08 is on time
    assert (rec2.due_date, rec2.due_provisional, rec2.late) == (date(2027, 1, 11), False, False)
