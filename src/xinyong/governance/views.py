"""HTTP endpoints of the governance domain."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
