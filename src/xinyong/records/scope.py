"""What a business department may report (122号 Art.4(2), 122号 Art.8 谁生成、谁录入、谁负责). See auth/policy.py."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from ..auth.settings import security_settings
from ..errors import ForbiddenError
from ..reference.models import CatalogueItem, Industry


class _Actor(Protocol):
    role: str
    department: str | None


def may_report_item(session: Session, department: str | None, item: CatalogueItem) -> bool:
    """General items (通用指标): any business department reports the general information it generates.
    Industry items: only the industry's regulator (industries.regulator, 122号 Art.4(2) 行业监管部门) and the
    departments it has organised to report for it (auth/security.yaml industry_reporters)."""
    if item.industry is None:
        return True
    industry = session.get(Industry, item.industry)
    if industry is None or department is None:
        return False
    return department == industry.regulator or department in security_settings().industry_reporters.get(
        item.industry, ())


def check_business_item(session: Session, actor: _Actor, item: CatalogueItem, field: str = "item") -> None:
    """403 when a business token enters, corrects or withdraws a record of an item it may not report."""
    if actor.role != "business" or may_report_item(session, actor.department, item):
        return
    raise ForbiddenError(
        field, f"业务部门({actor.department})不是行业 {item.industry} 的监管部门，不能报送或撤销指标 {item.code}"
               f"（122号 第四条(二)）",
        f"department {actor.department} does not regulate industry {item.industry}; it may not report or "
        f"withdraw item {item.code} (122号 Art.4(2))")
