"""`xinyong archive verify`: recompute everything the archive promises (122号 Art.19 全流程可追溯).

1. Each subject's chain: seq contiguous from 1, every prev_hash links to the previous entry, every hash
   recomputes from the stored fields (chain.entry_hash, `at` to the millisecond, the subject's code). An entry
   edited, deleted, inserted or moved (seq swapped) straight in the database is named by subject code and seq.
2. Every signed checkpoint: its Ed25519 signature under a trusted key, and that its Merkle root still matches
   the first `entry_count` entries in append order — so an old entry edited, deleted or inserted is caught even
   when the attacker recomputed that subject's chain.
3. The live rows still match the facts archived for them: each subject (code, kind, name), each record
   (record_facts, `record_entered` or `record_corrected` entry), each withdrawal (`record_withdrawn`), each
   stored current evaluation (the `new` of the latest `evaluation_changed` entry of its scope), and each
   evidence file (:func:`verify_evidence_files`; the comparison is evidence/service.py evidence_problems).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ..auth import repository as auth_repo
from ..evaluation import repository as evaluation_repo
from ..evaluation.service import ARCHIVED_FIELDS
from ..evidence import repository as evidence_repo
from ..evidence.service import evidence_problems
from ..evidence.storage import EvidenceStore
from ..messages.evaluation import EVALUATION_CHANGED
from ..messages.evidence import EVIDENCE_ATTACHED
from ..messages.records import RECORD_CORRECTED, RECORD_ENTERED, RECORD_WITHDRAWN
from ..messages.subjects import SUBJECT_CREATED
from ..records import repository as records_repo
from ..records.service import record_facts
from ..subjects import repository as subjects_repo
from . import repository, signing
from .chain import GENESIS, canonical, checkpoint_message, entry_hash
from .merkle import Frontier, leaf_hash


@dataclass
class VerifyReport:
    problems: list[str] = field(default_factory=list)
    subjects: int = 0
    entries: int = 0
    records: int = 0
    withdrawals: int = 0
    evaluations: int = 0
    checkpoints: int = 0
    latest_checkpoint: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def final_line(self) -> str:
        if self.ok:
            cp = self.latest_checkpoint or "no checkpoint yet (run `xinyong archive checkpoint`)"
            return (f"OK archive intact: {self.subjects} subjects, {self.entries} entries, {self.records} records, "
                    f"{self.withdrawals} withdrawals, {self.evaluations} evaluations; {cp}")
        return f"FAILED: {len(self.problems)} problem(s) / 档案校验未通过"


def _plain(value: Any) -> Any:
    return json.loads(canonical(value))


@dataclass
class _Entry:
    id: int
    subject_id: int
    seq: int
    at: Any
    kind: str
    summary: str
    payload: Any
    prev_hash: str
    hash: str


def _check_chain(code: str, entries: list[_Entry], out: list[str]) -> None:
    expected, prev = 1, GENESIS
    for e in entries:
        reasons = []
        if e.seq < expected:  # seq 0 or negative: no such place in a chain
            reasons.append(f"seq {e.seq} is out of order")
        elif e.seq > expected:
            missing = f"{expected}" if e.seq == expected + 1 else f"{expected}..{e.seq - 1}"
            out.append(f"BAD {code} seq {missing}: missing — entry deleted (seq jumps from {expected - 1} "
                       f"to {e.seq})")
        elif e.prev_hash != prev:
            reasons.append(f"prev_hash does not link to seq {e.seq - 1} (entry inserted, deleted or reordered)")
        at = e.at.isoformat(timespec="milliseconds") if hasattr(e.at, "isoformat") else str(e.at)
        payload = e.payload if isinstance(e.payload, dict) else {"_": e.payload}
        if entry_hash(e.prev_hash, code, e.seq, at, e.kind, e.summary, payload) != e.hash:
            reasons.append("content differs from its hash (summary, payload, kind, time or seq edited)")
        if reasons:
            out.append(f"BAD {code} seq {e.seq}: " + "; ".join(reasons))
        expected, prev = max(expected, e.seq + 1), e.hash
    if not entries:
        out.append(f"BAD {code} seq 1: missing — the subject has no archive entries (deleted)")


def _check_checkpoints(session: Session, order: list[_Entry], codes: dict[int, str], report: VerifyReport) -> None:
    cps = repository.checkpoints_by_size(session)
    report.checkpoints = len(cps)
    if not cps:
        return
    keys = signing.trusted_keys()
    if not keys:
        report.problems.append(f"BAD checkpoints: no trusted public key to check their signatures (no key at "
                               f"{signing.key_path()}; set XINYONG_SIGNING_KEY or XINYONG_TRUSTED_KEYS)")
    roots: dict[int, str] = {}
    wanted = sorted({cp.entry_count for cp in cps if cp.entry_count <= len(order)})
    frontier = Frontier()
    if 0 in wanted:
        roots[0] = frontier.root()
    it = iter(wanted)
    target = next((w for w in it if w > 0), None)
    for e in order:
        if target is None:
            break
        frontier.add(_leaf(e.hash))
        if frontier.size == target:
            roots[target] = frontier.root()
            target = next(it, None)
    last_good = 0
    for cp in cps:
        name = f"checkpoint #{cp.id} ({cp.at.isoformat(timespec='seconds')}, {cp.entry_count} entries)"
        raw = keys.get(cp.public_key_id)
        msg = checkpoint_message(cp.at.isoformat(timespec="milliseconds"), cp.entry_count, cp.root, cp.public_key_id,
                                 cp.audit_seq, cp.audit_hash)
        if cp.audit_seq is not None:
            signed_head = auth_repo.audit_hash_at(session, cp.audit_seq)
            if signed_head != cp.audit_hash:
                report.problems.append(
                    f"BAD audit trail: event seq {cp.audit_seq} signed by {name} is "
                    f"{'missing (events deleted)' if signed_head is None else 'altered'}")
        if keys and raw is None:
            report.problems.append(f"BAD {name}: signed by unknown key {cp.public_key_id}")
        elif raw is not None and not signing.signature_valid(raw, msg, cp.signature):
            report.problems.append(f"BAD {name}: signature invalid (checkpoint row edited)")
        if cp.entry_count > len(order):
            report.problems.append(f"BAD {name}: only {len(order)} entries exist now — entries deleted")
            continue
        if roots.get(cp.entry_count) != cp.root:
            window = order[last_good:cp.entry_count]
            named = ", ".join(f"{codes.get(e.subject_id, e.subject_id)} seq {e.seq}" for e in window[:20])
            more = f" … and {len(window) - 20} more" if len(window) > 20 else ""
            report.problems.append(
                f"BAD {name}: Merkle root no longer matches the first {cp.entry_count} entries — an entry among "
                f"positions {last_good + 1}..{cp.entry_count} was edited, inserted or deleted (chain recomputed?): "
                f"{named}{more}")
        else:
            last_good = cp.entry_count
    latest = max(cps, key=lambda c: c.id)
    report.latest_checkpoint = (f"checkpoint #{latest.id} at {latest.at.isoformat(timespec='seconds')} covers "
                                f"{latest.entry_count} entries, root {latest.root[:16]}…, key {latest.public_key_id}")


def _leaf(entry_hash_hex: str) -> bytes:
    try:
        return leaf_hash(entry_hash_hex)
    except ValueError:  # a hash column overwritten with something that is not hex: a leaf no root contains
        return leaf_hash("00" * 32)


def _facts_diff(archived: dict[str, Any], live: dict[str, Any]) -> list[str]:
    return [k for k in live if archived.get(k) != live[k]]


def _gone(archived: dict[int, _Entry], live: set[int], codes: dict[int, str], what: str) -> list[str]:
    """Facts the archive holds whose live row no longer exists (deleted behind the system's back)."""
    return [f"BAD {codes.get(e.subject_id)} record #{rid}: " + what.format(seq=e.seq)
            for rid, e in sorted(archived.items()) if rid not in live]


def verify_archive(session: Session) -> VerifyReport:
    report = VerifyReport()
    out = report.problems
    subjects = {s.id: s for s in subjects_repo.all_in_id_order(session)}
    codes = {sid: s.code for sid, s in subjects.items()}
    report.subjects = len(subjects)
    entries = [_Entry(*row) for row in repository.all_entry_rows(session)]
    report.entries = len(entries)
    by_subject: dict[int, list[_Entry]] = defaultdict(list)
    for e in entries:
        by_subject[e.subject_id].append(e)

    # 1. chains
    for sid, subject in subjects.items():
        chain = sorted(by_subject.get(sid, []), key=lambda e: e.seq)
        _check_chain(subject.code, chain, out)
        first = chain[0] if chain else None
        if first is not None and first.seq == 1 and first.kind == SUBJECT_CREATED and isinstance(first.payload, dict):
            row_facts = {"code": subject.code, "kind": subject.kind, "name": subject.name}
            diff = _facts_diff(first.payload, row_facts)
            if diff:
                out.append(f"BAD {subject.code} subject: live row differs from the facts archived at seq 1 "
                           f"({', '.join(diff)})")

    # 2. signed checkpoints over the global Merkle tree
    _check_checkpoints(session, entries, codes, report)

    # 3. live rows against archived facts
    def payload(e: _Entry) -> dict[str, Any]:
        return e.payload if isinstance(e.payload, dict) else {}

    entered: dict[int, _Entry] = {}
    withdrawn: dict[int, _Entry] = {}
    latest_eval: dict[tuple[int, str], _Entry] = {}
    for e in sorted(entries, key=lambda e: (e.subject_id, e.seq)):
        p = payload(e)
        rid = p.get("record_id")
        if e.kind in (RECORD_ENTERED, RECORD_CORRECTED) and isinstance(rid, int):
            entered[rid] = e
        elif e.kind == RECORD_WITHDRAWN and isinstance(rid, int):
            withdrawn[rid] = e
        elif e.kind == EVALUATION_CHANGED and isinstance(p.get("scope"), str):
            latest_eval[(e.subject_id, p["scope"])] = e

    records = records_repo.all_records(session)
    report.records = len(records)
    live_ids = set()
    for r in records:
        live_ids.add(r.id)
        code = codes.get(r.subject_id, str(r.subject_id))
        found = entered.get(r.id)
        if found is None:
            out.append(f"BAD {code} record #{r.id}: no record_entered entry in the archive (inserted behind the "
                       f"system's back)")
            continue
        e = found
        if e.subject_id != r.subject_id:
            out.append(f"BAD {code} record #{r.id}: archived for subject {codes.get(e.subject_id)} at seq "
                       f"{e.seq} (moved to another subject)")
        diff = _facts_diff(payload(e), _plain(record_facts(r)))
        if diff:
            out.append(f"BAD {code} record #{r.id}: live record differs from the facts archived at seq {e.seq} "
                       f"({', '.join(diff)})")
    out += _gone(entered, live_ids, codes, "archived at seq {seq} but the record row is gone (deleted)")

    withdrawals = records_repo.all_withdrawals(session)
    report.withdrawals = len(withdrawals)
    live_w = set()
    owner = {r.id: r.subject_id for r in records}
    for w in withdrawals:
        live_w.add(w.record_id)
        code = codes.get(owner.get(w.record_id, -1), "?")
        wentry = withdrawn.get(w.record_id)
        if wentry is None:
            out.append(f"BAD {code} record #{w.record_id}: withdrawal has no record_withdrawn entry in the archive")
            continue
        e = wentry
        live: dict[str, Any] = {"reason": w.reason, "by": w.withdrawn_by, "at": w.withdrawn_at.isoformat(timespec="milliseconds")}
        if "kind" in payload(e):
            live["kind"] = getattr(w, "kind", None)
        diff = _facts_diff(payload(e), live)
        if diff:
            out.append(f"BAD {code} record #{w.record_id}: live withdrawal differs from the facts archived at seq "
                       f"{e.seq} ({', '.join(diff)})")
    out += _gone(withdrawn, live_w, codes,
                 "withdrawn at seq {seq} but the withdrawal row is gone (the record counts again)")

    evaluations = sorted(evaluation_repo.all_stored(session), key=lambda ev: (ev.subject_id, ev.scope))
    report.evaluations = len(evaluations)
    stored_keys = set()
    for ev in evaluations:
        stored_keys.add((ev.subject_id, ev.scope))
        code = codes.get(ev.subject_id, str(ev.subject_id))
        eentry = latest_eval.get((ev.subject_id, ev.scope))
        if eentry is None:
            out.append(f"BAD {code} evaluation {ev.scope}: stored evaluation has no evaluation_changed entry")
            continue
        e = eentry
        live = _plain({f: getattr(ev, f) for f in ARCHIVED_FIELDS})
        new = payload(e).get("new")
        archived = new if isinstance(new, dict) else {}
        diff = _facts_diff(archived, live)
        if diff:
            detail = ", ".join(f"{k}: archived {archived.get(k)!r}, stored {live[k]!r}" for k in diff)
            out.append(f"BAD {code} evaluation {ev.scope}: stored evaluation differs from the one archived at seq "
                       f"{e.seq} ({detail})")
    for (sid, scope), e in sorted(latest_eval.items()):
        if (sid, scope) not in stored_keys and sid in subjects:
            out.append(f"BAD {codes[sid]} evaluation {scope}: archived at seq {e.seq} but no stored evaluation "
                       f"(deleted)")

    out.extend(f"BAD {p}" for p in verify_evidence_files(session, codes=codes))  # 证明材料
    return report


def verify_evidence_files(session: Session, store: EvidenceStore | None = None, codes: dict[int, str] | None = None
                          ) -> list[str]:
    """Every evidence file against its `evidence_attached` entry and its stored content (evidence/service.py
    evidence_problems): one line per problem, [] when intact. `codes`: subject id → code, when already read."""
    if codes is None:
        codes = {s.id: s.code for s in subjects_repo.all_in_id_order(session)}
    archived = [(f"subject {codes.get(subject_id, subject_id)} seq {seq}", payload)
                for subject_id, seq, payload in repository.entries_of_kind(session, EVIDENCE_ATTACHED)]
    return evidence_problems(evidence_repo.all_files(session), archived, store)
