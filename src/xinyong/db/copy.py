"""PostgreSQL COPY … FROM STDIN with rows given as lines of COPY's text format (a batch chunk writes 10^5–10^6 rows
to three tables: psycopg's per-row formatting cost more than building the lines; issue 10, bench/profiles.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from psycopg.copy import QueuedLibpqWriter
from sqlalchemy.orm import Session

NULL = "\\N"  # COPY's text for NULL
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text_field(value: str) -> str:
    """A string as one field of a COPY text line: backslash, tab, newline and carriage return escaped."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def repeated_fields() -> Callable[[str | None], str]:
    """text_field for a column of few distinct values (kinds, scopes, grades, versions), each escaped once; None is
    NULL. One per COPY: the memo lives as long as the rows."""
    texts: dict[str | None, str] = {None: NULL}

    def field(value: str | None) -> str:
        got = texts.get(value)
        if got is None:
            got = texts[value] = text_field(value)  # type: ignore[arg-type]  # None is in the memo already
        return got
    return field


def json_field(text: str) -> str:
    """A JSON text as one field: json never writes a raw tab, newline or carriage return, so only its backslashes
    (escapes inside strings) are doubled."""
    return text.replace("\\", "\\\\") if "\\" in text else text


def copy_lines(session: Session, target: str, lines: Iterable[str], block: int = 20_000) -> None:
    """COPY `target` (table and columns) FROM STDIN, the rows being `lines` (each ends with a newline, fields as
    text_field / json_field / NULL make them), sent `block` lines at a time by psycopg's queued writer."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        # a thread sends while this one builds the next lines: the server ingests as they are made
        with cursor.copy(f"COPY {target} FROM STDIN", writer=QueuedLibpqWriter(cursor)) as copy:
            buffer: list[str] = []
            for line in lines:
                buffer.append(line)
                if len(buffer) >= block:
                    copy.write("".join(buffer))
                    buffer.clear()
            if buffer:
                copy.write("".join(buffer))
    finally:
        cursor.close()
