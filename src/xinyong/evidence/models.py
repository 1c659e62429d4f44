"""证明材料 — supporting materials stored in the electronic credit archive (122号 Art.19 "评价对象相关数据以及证明材料
… 应当一并记载或者存入电子信用档案"). The file itself lives content-addressed (SHA-256) in the evidence store; this
row links the content to a record. The archive entry `evidence_attached` holds the same hash, so a file swapped on
disk, or a row pointed at other content, is detected (`verify_evidence_files`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import beijing_now
from ..db.base import Base


class EvidenceFile(Base):
    __tablename__ = "evidence_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=beijing_now)

    # the same content attached twice to the same record is the same attachment (200, same id)
    __table_args__ = (UniqueConstraint("record_id", "sha256", name="uq_evidence_files_record_sha256"),)
