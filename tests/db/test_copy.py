"""COPY text lines (db/copy.py) carry any string and any JSON text through unchanged: a batch chunk's archive
entries, outbox rows and evaluations go in this way, and an archive entry's payload must be stored exactly as it
was hashed (122号 Art.19)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from xinyong.db.copy import NULL, copy_lines, json_field, text_field

AWKWARD = ["plain", "tab\there", "line\nbreak", "cr\rhere", "back\\slash", "\\N", "\\.", "建筑 E70: 720 B1 → 700 B1",
           "quote\"d", "", " ", "\x7f", "\u2028"]


@given(value=st.text(max_size=20) | st.sampled_from(AWKWARD))
@settings(max_examples=300)
def test_a_field_escapes_exactly_what_copy_text_reads_as_special(value: str) -> None:
    field = text_field(value)
    assert "\t" not in field and "\n" not in field and "\r" not in field
    assert _as_copy_reads(field) == value


def _as_copy_reads(field: str) -> str:
    """COPY's text format, left to right: a backslash and the next character are one escape."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\":
            out.append({"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}[field[i + 1]])
            i += 2
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def test_copy_lines_store_every_awkward_string_and_json_text_unchanged_122_art19(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite takes executemany")
    payloads = [json.dumps({"s": s, "n": i}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                for i, s in enumerate(AWKWARD)]
    with Session(engine) as session:
        session.execute(text("CREATE TEMP TABLE copy_probe (id integer, label text, payload json, missing text)"))
        copy_lines(session, "copy_probe (id, label, payload, missing)",
                   (f"{i}\t{text_field(s)}\t{json_field(p)}\t{NULL}\n"
                    for i, (s, p) in enumerate(zip(AWKWARD, payloads, strict=True))), block=4)
        rows = session.execute(text("SELECT id, label, payload::text, missing FROM copy_probe ORDER BY id")).all()
    assert [r[1] for r in rows] == AWKWARD
    assert [r[2] for r in rows] == payloads  # the JSON text byte for byte, as it was hashed
    assert all(r[3] is None for r in rows)


def test_a_row_the_server_refuses_fails_the_copy_and_nothing_of_it_stays(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite takes executemany")
    import psycopg

    with Session(engine) as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS copy_refused (id integer PRIMARY KEY)"))
        session.commit()
        with pytest.raises(psycopg.errors.UniqueViolation):  # raised from the sending thread, at the latest on finish
            copy_lines(session, "copy_refused (id)", (f"{i % 30_000}\n" for i in range(40_000)), block=1_000)
        session.rollback()
        assert session.execute(text("SELECT count(*) FROM copy_refused")).scalar() == 0
        session.execute(text("DROP TABLE copy_refused"))
        session.commit()


def test_a_repeated_column_is_escaped_once_per_value_and_none_is_null() -> None:
    from xinyong.db.copy import repeated_fields
    field = repeated_fields()
    assert field(None) == NULL
    assert field("a\tb") == "a\\tb" and field("a\tb") is field("a\tb")  # kept, not escaped again
    assert [field(v) for v in AWKWARD] == [text_field(v) for v in AWKWARD]
