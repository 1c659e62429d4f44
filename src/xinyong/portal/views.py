"""HTTP routes of the public portal (pages under /public, JSON under /api/v1/public/...)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["portal 公众门户"])
