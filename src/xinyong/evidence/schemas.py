"""Response bodies of the evidence API (证明材料, 122号 Art.19)."""

from __future__ import annotations

from pydantic import BaseModel


class EvidenceOut(BaseModel):
    id: int
    sha256: str
    name: str
    size: int
    media_type: str
    record_id: int
    uploaded_by: str
    uploaded_at: str
    download: str
