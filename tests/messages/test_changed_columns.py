"""A batch chunk's evaluation changes as columns (ChangedColumns) render the same bytes the archive and the outbox
would write from one EvaluationChanged per row: the archive's chains verify whichever path appended them (122号
Art.19) and a receiver gets the same change (44号 Task 14)."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.archive.chain import canonical_text
from xinyong.archive.service import trend_columns, trend_of_change
from xinyong.messages.evaluation import ARCHIVED_FIELDS, GRADE_CHANGED, ChangedColumns, EvaluationsChanged
from xinyong.outbox.service import _plain

COMPONENTS = ("general_bonus", "general_deduction", "industry_bonus", "industry_deduction")
_name = st.text(min_size=1, max_size=6)  # grades, levels, versions, scopes, codes: any text, quotes and CJK too
_outcome = st.tuples(_name, st.integers(350, 950), st.sampled_from(["A", "B", "C", "D", "\"", "优"]),
                     st.sampled_from(["A1", "B2", "D", "\\"]), st.booleans())
_cause = st.one_of(
    st.just({"event": "batch_reevaluation", "as_of": "2026-11-30"}),
    st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=5), st.none(),
                                                   st.dates()), max_size=3),
    st.dictionaries(st.integers(0, 20), st.text(max_size=3), max_size=3),  # an int key is stored as text
    st.fixed_dictionaries({"kind": st.text(max_size=4), "record": st.integers(1, 99)}))


@st.composite
def _columns(draw: st.DrawFn) -> ChangedColumns:
    n = draw(st.integers(0, 8))
    shared_cause = draw(_cause)
    causes = [shared_cause if draw(st.booleans()) else draw(_cause) for _ in range(n)]
    fuse_lists = [[], ["122号 Art.16(1)"], ["122号 Art.16(2)", "122号 Art.16(5)"]]
    return ChangedColumns(
        subject_id=[draw(st.integers(1, 10**6)) for _ in range(n)], subject_code=[draw(_name) for _ in range(n)],
        scope=[draw(st.sampled_from(["general", "E70", "建筑"])) for _ in range(n)], as_of=draw(
            st.dates(date(2024, 1, 1), date(2030, 12, 31))).isoformat(),
        new=[draw(_outcome) for _ in range(n)], old=[draw(st.none() | _outcome) for _ in range(n)],
        fuse_articles=[draw(st.sampled_from(fuse_lists)) for _ in range(n)], component_names=COMPONENTS,
        components=[draw(st.tuples(*[st.integers(-200, 200)] * 4)) for _ in range(n)], cause=causes)


@settings(max_examples=300)
@given(cols=_columns())
def test_changed_columns_render_what_each_change_would_122_art19(cols: ChangedColumns) -> None:
    rows = list(cols)
    assert len(rows) == len(cols)
    # the archive: the payload's stored canonical text, the summary and the dashboard's trend columns
    assert cols.payload_texts() == [canonical_text(e.payload()) for e in rows]
    assert cols.summaries() == [e.summary for e in rows]
    for e, scope, new, old in zip(rows, cols.scope, cols.new, cols.old, strict=True):
        t = trend_columns(e.archive_kind, json.loads(canonical_text(e.payload())))
        assert trend_of_change(scope, new[1], new[2], None if old is None else old[1],
                               None if old is None else old[2], old is None) == \
            (t["ev_scope"], t["ev_move"], t["ev_new_grade"], t["ev_old_grade"])
    # the outbox: only a new grade, level or fuse, with the same data as changes() serialised
    texts = EvaluationsChanged(cols).change_texts()
    expected = [c for e in rows for c in e.changes()]
    assert texts is not None and [(k, code) for k, code, _ in texts] == [(c.type, c.subject_code) for c in expected]
    assert [json.loads(data) for _, _, data in texts] == [_plain(c.data) for c in expected]
    assert all(k == GRADE_CHANGED for k, _, _ in texts)
    # rendered ahead (the batch does it in a thread beside its evaluations' write): the same texts, kept
    before = (cols.summaries(), cols.payload_texts(), cols.grade_change_texts())
    cols.prepare()
    assert (cols.summaries(), cols.payload_texts(), cols.grade_change_texts()) == before
    assert cols.payload_texts() is cols.payload_texts()


def test_a_row_is_an_evaluation_changed_with_its_own_lists_122_art19() -> None:
    shared = ["122号 Art.16(1)"]
    cols = ChangedColumns([7, 8], ["S7", "S8"], ["general", "general"], "2026-11-30",
                          [("v1", 350, "D", "D", True), ("v1", 700, "B", "B1", False)],
                          [None, ("v1", 720, "B", "B1", False)], [shared, []], COMPONENTS,
                          [(0, 0, 0, 0), (5, -25, 0, 0)], [{"kind": "batch"}] * 2)
    first, second = cols[0], cols[1]
    assert first.old is None and first.new == dict(zip(ARCHIVED_FIELDS, ("v1", 350, "D", "D", True), strict=True))
    assert second.components == {"general_bonus": 5, "general_deduction": -25, "industry_bonus": 0,
                                 "industry_deduction": 0}
    first.fuse_articles.append("x")  # a consumer's list is its own: the shared column is untouched
    assert shared == ["122号 Art.16(1)"]
    assert second.summary == "general: 720 B1 → 700 B1"
    assert [c.subject_code for c in EvaluationsChanged(cols).changes()] == ["S7"]  # the same level: not shared
    assert [t[1] for t in EvaluationsChanged(cols).change_texts() or []] == ["S7"]
    assert EvaluationsChanged([first]).change_texts() is None  # a list of objects: the outbox serialises them
