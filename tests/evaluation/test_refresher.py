"""Stored evaluations older than today are recomputed (midnight, and 1 January's re-seed, 122号 第十三条)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tests.conftest import new_uscc
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import beijing_today
from xinyong.evaluation.models import Evaluation
from xinyong.evaluation.refresher import refresh_if_stale
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import create_subject


def test_stale_stored_evaluations_are_refreshed_and_fresh_ones_left_alone(clean):
    with unit_of_work(clean) as s:
        create_subject(s, SubjectIn(code=new_uscc(), name="单位", kind="organization", national_grade="B",
                                    industries=["survey_design"]), "t")
    assert refresh_if_stale(clean) is False
    yesterday = beijing_today() - timedelta(days=1)
    with unit_of_work(clean) as s:
        s.session.execute(update(Evaluation).values(as_of=yesterday, score=1))
    assert refresh_if_stale(clean) is True
    with unit_of_work(clean) as s:
        rows = s.session.query(Evaluation).all()
        assert len(rows) == 2
        assert all(e.as_of == beijing_today() and e.score == 650 for e in rows)
