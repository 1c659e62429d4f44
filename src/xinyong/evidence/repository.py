"""All queries on evidence files (证明材料, table evidence_files)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import EvidenceFile


def attached(session: Session, record_id: int, sha: str) -> EvidenceFile | None:
    """The attachment of this content to this record, if any."""
    return session.scalars(select(EvidenceFile).where(EvidenceFile.record_id == record_id,
                                                      EvidenceFile.sha256 == sha)).first()


def of_record(session: Session, record_id: int) -> list[EvidenceFile]:
    return list(session.scalars(select(EvidenceFile).where(EvidenceFile.record_id == record_id)
                                .order_by(EvidenceFile.id)))


def of_records(session: Session, record_ids: Sequence[int], chunk: int = 5000) -> list[EvidenceFile]:
    """The attachments of any of these records, in id order."""
    rows: list[EvidenceFile] = []
    for i in range(0, len(record_ids), chunk):
        rows += session.scalars(select(EvidenceFile).where(EvidenceFile.record_id.in_(record_ids[i : i + chunk])))
    return sorted(rows, key=lambda r: r.id)


def first_with_sha(session: Session, sha: str) -> EvidenceFile | None:
    """The first attachment row of this content."""
    return session.scalars(select(EvidenceFile).where(EvidenceFile.sha256 == sha).order_by(EvidenceFile.id)).first()


def all_files(session: Session) -> list[EvidenceFile]:
    """Every attachment row in id order (archive verify)."""
    return list(session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))
