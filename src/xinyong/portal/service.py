"""What the public portal shows (122号 Art.5 公开透明, Art.17, Art.18, Art.19), read through the other domains'
services and repositories, never their tables.

- A subject's grade and level per industry are computed at read time (122号 Art.13 实时更新), as staff see them.
- Its public records are the ones in effect: a record withdrawn (for an error, after an objection, or repaired),
  superseded by a correction or counted under another record of the same decision is not shown; one under an
  open objection is shown and flagged (122号 Art.18; spec G1-07: it still counts). A bad record is shown until its
  display period (公示期限, records/disclosure.yaml: the national rules per record type, spec G1-17) has ended;
  staff views and the archive keep it, and it counts as before.
- An individual's resident ID number never appears in full (spec G1-17). An individual is found only by its whole
  ID or its name (the evaluation repository's search); its page is reached through an opaque, keyed `ref`, so no
  URL, log line or browser history holds the ID, and refs cannot be enumerated.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from ..archive.signing import key_path
from ..auth.actors import Actor
from ..errors import ForbiddenError, InputError, NotFoundError, UnauthorizedError
from ..evaluation import repository as evaluation_repo
from ..evaluation.models import GENERAL_SCOPE
from ..evaluation.service import evaluate_subject
from ..governance.service import list_standards
from ..records import repository as records_repo
from ..records.disclosure import shown_until
from ..reference import repository as reference_repo
from ..reference.service import department_names
from ..rules.identifiers import mask_text
from ..subjects import repository as subjects_repo
from ..subjects.models import Subject
from ..subjects.service import get_subject, public_code

RECORDS_SHOWN = 200  # a subject page lists at most this many records (newest first); the total is given
PUBLIC_STANDARD_STATES = ("in_force", "approved", "consultation")


# --- refs: how the public names a subject -------------------------------------------------------------------

@lru_cache(maxsize=1)
def _ref_key() -> bytes:
    """A key derived from the deployment's archive signing key (secret, stable across restarts and workers);
    without one (a development checkout before `xinyong init`), a key of this process."""
    path = key_path()
    material = path.read_bytes() if path.is_file() else secrets.token_bytes(32)
    return hashlib.sha256(b"xinyong portal subject ref v1\0" + material).digest()


def _mac(subject_id: int) -> str:
    return hmac.new(_ref_key(), str(subject_id).encode(), hashlib.sha256).hexdigest()[:20]


def ref_of(subject: Subject) -> str:
    """An organisation is named by its code (public by law); an individual by `p<id>-<mac>`."""
    return subject.code if subject.kind != "individual" else f"p{subject.id}-{_mac(subject.id)}"


def subject_by_ref(session: Session, ref: str) -> Subject:
    """The subject a ref names. A resident ID number is not a ref (404): an individual is looked up by search."""
    not_found = NotFoundError("ref", "未找到该评价对象", "no such subject")
    if ref.startswith("p") and "-" in ref:
        raw_id, _, mac = ref[1:].partition("-")
        if not raw_id.isdigit() or len(raw_id) > 10 or not hmac.compare_digest(mac, _mac(int(raw_id))):
            raise not_found
        found = subjects_repo.by_id(session, int(raw_id)) if int(raw_id) < 2**31 else None
        if found is None or found.kind != "individual":
            raise not_found
        return found
    if ref[:17].isdigit():
        raise not_found  # never a resident-ID oracle (issue 12 item 1)
    try:
        subject = get_subject(session, ref)
    except NotFoundError:
        raise not_found from None
    if subject.kind == "individual":
        raise not_found
    return subject


# --- search and subject page --------------------------------------------------------------------------------

def search(session: Session, q: str, limit: int, offset: int) -> dict[str, Any]:
    """Subjects by name or code; an individual only by its whole ID or its name (evaluation.repository.search
    without personal-data need)."""
    q = q.strip()
    if not q:
        raise InputError("q", "请输入名称或统一社会信用代码", "enter a name or a code")
    total, rows = evaluation_repo.search(session, q, None, None, limit, offset, partial_personal_ids=False)
    items = [{"ref": ref_of(s), "code": public_code(s, False), "name": s.name, "kind": s.kind,
              "grade": e.grade if e else None, "level": e.level if e else None} for s, e in rows]
    return {"total": total, "items": items}


def grades_of(session: Session, subject: Subject, today: date) -> list[dict[str, Any]]:
    industry_names = {i.code: i.name for i in reference_repo.industries(session)}
    out = []
    for scope, res in evaluate_subject(session, subject, today).items():
        out.append({"scope": scope, "scope_name": "通用评价" if scope == GENERAL_SCOPE else industry_names.get(scope, scope),
                    "score": res.score, "grade": res.grade, "level": res.level, "fused": res.fused,
                    "standard_version": res.standard_version, "as_of": res.as_of})
    out.sort(key=lambda g: (g["scope"] != GENERAL_SCOPE, g["scope"]))
    return out


def public_records_of(session: Session, subject: Subject, today: date) -> list[dict[str, Any]]:
    """The records in effect, newest first; hidden: withdrawn (any kind), superseded, duplicates, and bad records
    whose display period ended before `today` (see module)."""
    catalogue = reference_repo.catalogue(session)
    rows = []
    for row in records_repo.public_records(session, subject.id):
        last = shown_until(row.record, catalogue.get(row.record.item))
        if row.status == "active" and (last is None or today <= last):
            rows.append((row, last))
    disputed = records_repo.disputed(session, [r.record.id for r, _ in rows])
    departments = department_names(session)
    out = []
    for row, last in rows:
        rec, item = row.record, catalogue.get(row.record.item)
        out.append({"id": rec.id, "item": rec.item, "item_name": item.name if item else rec.item,
                    "polarity": item.polarity if item else None, "act_date": rec.act_date,
                    "department": rec.department, "department_name": departments.get(rec.department, rec.department),
                    # a decision number is free text: an ID number typed into it is masked (issue 12 item 5)
                    "decision_no": mask_text(rec.decision_no) if rec.decision_no else None,
                    "under_objection": rec.id in disputed, "shown_until": last})
    return out


def subject_page(session: Session, subject: Subject, today: date) -> dict[str, Any]:
    records = public_records_of(session, subject, today)
    return {"ref": ref_of(subject), "code": public_code(subject, False), "name": subject.name, "kind": subject.kind,
            "grades": grades_of(session, subject, today), "records": records[:RECORDS_SHOWN],
            "records_total": len(records)}


# --- standards, the signed-in subject ------------------------------------------------------------------------

def public_standards(session: Session, today: date) -> list[dict[str, Any]]:
    """Standards in force or approved, and drafts published for consultation (122号 Art.12); never a draft
    not yet published."""
    out = []
    for s in list_standards(session, today, include_drafts=False):
        if s["status"] not in PUBLIC_STANDARD_STATES:
            continue
        start, end = s["consultation_start"], s["consultation_end"]
        open_now = s["status"] == "consultation" and bool(start and end and start <= today.isoformat() <= end)
        out.append({k: s[k] for k in ("version", "family", "industry", "name", "status", "consultation_start",
                                      "consultation_end", "effective_date")} | {"open_for_comments": open_now})
    order = {state: n for n, state in enumerate(("consultation", "approved", "in_force"))}
    out.sort(key=lambda s: (order[s["status"]], s["family"] != "general", s["industry"] or "", s["version"]))
    return out


def account(session: Session, actor: Actor | None) -> dict[str, Any]:
    """The subject account signed in (122号 Art.18: the subject identifies itself before it files)."""
    if actor is None:
        raise UnauthorizedError("Authorization", "请先登录评价对象账号", "sign in with the subject's account first")
    if actor.role != "subject" or not actor.subject:
        raise ForbiddenError("Authorization", "仅评价对象账号可使用此功能", "only a subject account may use this")
    subject = get_subject(session, actor.subject)
    return {"username": actor.name, "ref": ref_of(subject), "code": subject.code, "name": subject.name,
            "kind": subject.kind}
