"""A small demo data set (示例数据) so a fresh `make run` shows every grade, a fuse and an explanation.
Codes are generated with valid check characters; names are fictitious."""

from __future__ import annotations

import random
import string
from datetime import date, timedelta

from .auth.actors import Actor
from .core.uow import UnitOfWork
from .records.schemas import RecordIn
from .records.service import submit_record
from .rules.identifiers import check_resident_id, check_uscc
from .subjects import repository as subjects_repo
from .subjects.schemas import SubjectIn
from .subjects.service import create_subject

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(rng: random.Random, region: str = "110105") -> str:
    body = "91" + region + "".join(rng.choice(string.digits + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    body = body[:8] + body[8:16] + rng.choice(string.digits)
    for c in USCC_CHARS:
        if check_uscc(body + c) is None:
            return body + c
    raise AssertionError("no check character")  # pragma: no cover


def make_resident_id(rng: random.Random, region: str = "110105") -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 40))
    body = region + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    for c in "0123456789X":
        if check_resident_id(body + c) is None:
            return body + c
    raise AssertionError("no check digit")  # pragma: no cover


DEMO = [
    # name, kind, national grade, industries, [(item, days ago)]
    ("北京示例勘察设计研究院有限公司", "organization", "A", ["survey_design"],
     [("GEN-B01", 40), ("SD-B01", 30), ("SD-B03", 20)]),
    ("北京示例测绘科技有限公司", "organization", "B", ["surveying_mapping"],
     [("GEN-B02", 50), ("SM-B02", 35), ("SM-D02", 10)]),
    ("北京示例建筑设计事务所", "organization", None, ["survey_design", "fire_design_review"],
     [("SD-D01", 60), ("FR-D02", 25), ("GEN-D01", 12)]),
    ("北京示例工程咨询有限公司", "organization", "A", ["fire_design_review"],
     [("FR-D03", 45), ("GEN-D03", 15)]),  # two heavier penalties: 122号 Art.16(6) fuse
    ("北京示例土地开发有限公司", "organization", "C", ["land_development"],
     [("LD-D08", 70), ("LD-D04", 33), ("LD-D01", 9)]),
    ("北京示例规划核验服务中心", "organization", "B", ["verification"], [("VF-B04", 14)]),
    ("张示例", "individual", None, ["surveying_mapping"], [("SM-D01", 21)]),
]


def load_demo(uow: UnitOfWork, today: date | None = None, seed: int = 20240511) -> int:
    """Insert the demo set once; returns how many subjects were added (0 when any subject exists)."""
    if subjects_repo.count(uow.session):
        return 0
    today = today or uow.clock.today()
    rng = random.Random(seed)
    actor = Actor(name="demo", role="admin", channel="manual")
    for n, (name, kind, grade, industries, events) in enumerate(DEMO):
        code = make_uscc(rng) if kind == "organization" else make_resident_id(rng)
        create_subject(uow, SubjectIn(code=code, name=name, kind=kind, national_grade=grade,
                                          industries=industries), actor.name, today)
        for m, (item, days_ago) in enumerate(events):
            act = max(today - timedelta(days=days_ago), today.replace(month=1, day=1))
            dept = _department_for(item)
            submit_record(uow, RecordIn(subject=code, item=item, act_date=act, department=dept,
                                            source_ref=f"DEMO-{n:02d}-{m:02d}"), actor, today)
    return len(DEMO)


def _department_for(item: str) -> str:
    return {"SD": "kanchasheji", "SM": "guotucehui", "FR": "xiaofangshencha", "VF": "heyan",
            "LD": "kaifaliyong"}.get(item[:2], "zhifa")
