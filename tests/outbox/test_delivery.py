"""Signed, ordered delivery with back-off and dead letters (44号 Task 14 及时共享、及时更新; issue 8 item 5):
a real HTTP receiver on 127.0.0.1 checks every signature."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from tests.conftest import auth
from tests.outbox.conftest import SECRET, HookReceiver, publish
from xinyong.auth.actors import OPERATOR
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import FixedClock, clock_at
from xinyong.outbox.config import DeliveryPolicy, read_policy
from xinyong.outbox.delivery import Deliverer, deliver_due
from xinyong.outbox.models import Receiver
from xinyong.outbox.schemas import ReceiverIn
from xinyong.outbox.service import body_bytes, redeliver, register_receiver, signature, verify_signature

pytestmark = pytest.mark.article("44号 Task 14")

T0 = datetime(2026, 3, 10, 9, 0)
POLICY = DeliveryPolicy(backoff_base=timedelta(seconds=10), backoff_cap=timedelta(minutes=10),
                        horizon=timedelta(days=3), timeout=5)


def register(engine: Engine, receiver: HookReceiver, *, name: str = "信用中国（北京）", events: list[str] | None = None,
             secret: str = SECRET, after: int | None = 0) -> int:
    with unit_of_work(engine) as uow:
        return register_receiver(uow, ReceiverIn(name=name, url=receiver.url, secret=secret, events=events or [],
                                                 after=after), OPERATOR).id


def state(engine: Engine, receiver_id: int) -> Receiver:
    with unit_of_work(engine, writing=False) as uow:
        row = uow.session.get(Receiver, receiver_id)
        assert row is not None
        return row


def test_changes_arrive_signed_in_seq_order_and_are_acknowledged(clean: Engine, receiver: HookReceiver) -> None:
    rid = register(clean, receiver)
    publish(clean, 1, 2, 3, at=T0)
    publish(clean, 4, 5, at=T0 + timedelta(minutes=1))
    summary = deliver_due(clean, T0 + timedelta(minutes=2), policy=POLICY)
    assert (summary.delivered, summary.failed, summary.dead) == (5, 0, 0)
    assert receiver.seqs == [1, 2, 3, 4, 5]
    assert all(r.signed and not r.redelivery for r in receiver.got)
    first = receiver.got[0]
    assert first.body == {"seq": 1, "type": "grade_changed", "subject": "91110000TEST00001X",
                          "occurred_at": "2026-03-10T09:00:00.000+08:00", "data": {"n": 1}}
    assert first.raw == body_bytes(first.body)  # keys sorted, no spaces: what was signed is what was sent
    row = state(clean, rid)
    assert (row.position, row.delivered, row.attempts, row.last_status) == (5, 5, 0, 200)
    assert deliver_due(clean, T0 + timedelta(minutes=3), policy=POLICY).delivered == 0  # nothing twice
    assert receiver.hits == 5


def test_a_receiver_registered_without_after_starts_at_the_latest_change(clean: Engine, receiver: HookReceiver
                                                                          ) -> None:
    publish(clean, 1, 2)
    register(clean, receiver, after=None)
    publish(clean, 3)
    deliver_due(clean, policy=POLICY)
    assert receiver.seqs == [3]


def test_the_signature_is_hmac_sha256_of_the_exact_body_and_a_tampered_body_fails() -> None:
    body = body_bytes({"seq": 7, "type": "grade_changed", "subject": "X", "occurred_at": "t", "data": {"a": "信"}})
    header = signature(SECRET.encode(), body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify_signature(SECRET.encode(), body, header)
    assert not verify_signature(SECRET.encode(), body.replace(b'"seq":7', b'"seq":8'), header)  # tampered body
    assert not verify_signature(b"another secret", body, header)
    assert not verify_signature(SECRET.encode(), body, None)


def test_a_receiver_with_another_secret_refuses_and_nothing_is_acknowledged(clean: Engine, receiver: HookReceiver
                                                                             ) -> None:
    rid = register(clean, receiver, secret="not-the-receivers-secret")
    publish(clean, 1, at=T0)
    summary = deliver_due(clean, T0, policy=POLICY)
    assert (summary.delivered, summary.failed) == (0, 1)
    assert receiver.hits == 1 and receiver.got == []  # the receiver's check failed (401)
    row = state(clean, rid)
    assert (row.position, row.attempts, row.last_status) == (0, 1, 401)


def test_a_receiver_down_for_a_day_misses_nothing_and_gets_everything_in_order(clean: Engine, receiver: HookReceiver
                                                                               ) -> None:
    rid = register(clean, receiver)
    publish(clean, 1, at=T0)
    deliver_due(clean, T0, policy=POLICY)
    assert receiver.seqs == [1]
    receiver.stop()  # down: connections refused
    moment = T0
    for hour in range(1, 25):  # a day of changes and of delivery rounds every 20 minutes
        publish(clean, hour * 10, hour * 10 + 1, at=T0 + timedelta(hours=hour))
        for _ in range(3):
            moment += timedelta(minutes=20)
            deliver_due(clean, moment, policy=POLICY)
    row = state(clean, rid)
    assert row.position == 1 and row.attempts > 5 and row.last_status is None and "Connection" in row.last_error
    assert row.next_attempt_at is not None and row.next_attempt_at - moment <= POLICY.backoff_cap
    receiver.start()  # back on the same port
    summary = deliver_due(clean, row.next_attempt_at, policy=POLICY)
    assert summary.dead == 0 and summary.failed == 0
    assert receiver.seqs == list(range(1, 50))  # 1 + 24 hours × 2, in order, none missing, none twice
    assert [r.body["data"]["n"] for r in receiver.got[1:3]] == [10, 11]
    assert state(clean, rid).position == 49


def test_back_off_doubles_from_the_base_up_to_the_cap_and_no_attempt_is_made_before(clean: Engine,
                                                                                   receiver: HookReceiver) -> None:
    rid = register(clean, receiver)
    publish(clean, 1, at=T0)
    receiver.status = 503
    moment, waits = T0, []
    for _ in range(8):
        deliver_due(clean, moment, policy=POLICY)
        due = state(clean, rid).next_attempt_at
        assert due is not None
        hits = receiver.hits
        deliver_due(clean, due - timedelta(seconds=1), policy=POLICY)  # one second early: no attempt
        assert receiver.hits == hits
        waits.append(int((due - moment).total_seconds()))
        moment = due
    assert waits == [10, 20, 40, 80, 160, 320, 600, 600]  # base 10 s doubling, capped at 10 minutes
    assert state(clean, rid).attempts == 8
    receiver.status = 200
    deliver_due(clean, moment, policy=POLICY)
    row = state(clean, rid)
    assert receiver.seqs == [1] and (row.attempts, row.next_attempt_at, row.last_error) == (0, None, None)


def test_the_default_policy_is_three_days_and_the_environment_changes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    default = read_policy({})
    assert default.horizon == timedelta(days=3) and default.backoff_base == timedelta(seconds=10)
    assert default.backoff(1) == timedelta(seconds=10) and default.backoff(30) == timedelta(hours=1)
    custom = read_policy({"XINYONG_OUTBOX_HORIZON_HOURS": "24", "XINYONG_OUTBOX_BACKOFF_BASE": "2",
                          "XINYONG_OUTBOX_BACKOFF_CAP": "30"})
    assert (custom.horizon, custom.backoff(2), custom.backoff(10)) == (
        timedelta(days=1), timedelta(seconds=4), timedelta(seconds=30))
    with pytest.raises(SystemExit):
        read_policy({"XINYONG_OUTBOX_HORIZON_HOURS": "three"})


def test_a_change_unacknowledged_for_the_horizon_becomes_a_dead_letter_and_the_next_goes_on(
        clean: Engine, receiver: HookReceiver, client: TestClient, tokens: dict[str, str]) -> None:
    rid = register(clean, receiver)
    publish(clean, 1, at=T0)
    publish(clean, 2, at=T0 + timedelta(days=2))
    receiver.fail_seqs = {1}  # the receiver cannot take change 1
    deliver_due(clean, T0, policy=POLICY)  # attempt 1 fails: next in 10 s
    horizon = T0 + timedelta(days=3)
    summary = deliver_due(clean, horizon - timedelta(seconds=20), policy=POLICY)  # attempt 2: next in 20 s
    assert (summary.failed, summary.dead) == (1, 0)  # within 3 days: still retried
    assert state(clean, rid).next_attempt_at == horizon
    assert receiver.seqs == [] and state(clean, rid).position == 0  # change 2 waits behind change 1 (order)
    assert deliver_due(clean, horizon - timedelta(seconds=1), policy=POLICY).waiting == 1
    summary = deliver_due(clean, horizon, policy=POLICY)  # attempt 3, at 3 days exactly, fails: a dead letter
    assert (summary.failed, summary.dead) == (0, 1)
    assert state(clean, rid).position == 1
    deliver_due(clean, horizon, policy=POLICY)
    assert receiver.seqs == [2]  # delivery goes on with the next

    r = client.get(f"/api/v1/receivers/{rid}/dead-letters", headers=auth(tokens["support"]))
    assert r.status_code == 200, r.text
    [letter] = r.json()
    assert (letter["seq"], letter["state"], letter["last_status"], letter["attempts"]) == (1, "dead", 500, 3)
    assert letter["occurred_at"] == "2026-03-10T09:00:00.000+08:00" and letter["type"] == "grade_changed"
    receivers = client.get("/api/v1/receivers", headers=auth(tokens["admin"])).json()
    assert [(x["position"], x["dead_letters"], x["pending"]) for x in receivers] == [(2, 1, 0)]

    receiver.fail_seqs = set()  # fixed: send it again
    publish(clean, 3, at=horizon)
    r = client.post(f"/api/v1/receivers/{rid}/redeliver", headers=auth(tokens["admin"]))
    assert r.status_code == 200 and r.json() == {"receiver_id": rid, "moved": 1}
    deliver_due(clean, horizon + timedelta(minutes=1), policy=POLICY)
    assert receiver.seqs == [2, 1, 3]  # the redelivery first, then what came after
    assert [r.redelivery for r in receiver.got] == [False, True, False]
    assert client.get(f"/api/v1/receivers/{rid}/dead-letters", headers=auth(tokens["admin"])).json() == []


def test_a_redelivery_that_fails_again_for_another_horizon_is_dead_again(clean: Engine, receiver: HookReceiver
                                                                         ) -> None:
    rid = register(clean, receiver)
    publish(clean, 1, at=T0)
    receiver.fail_seqs = {1}
    deliver_due(clean, T0, policy=POLICY)
    assert deliver_due(clean, T0 + timedelta(days=3), policy=POLICY).dead == 1
    asked = T0 + timedelta(days=5)
    with clock_at(FixedClock(asked)), unit_of_work(clean) as uow:
        assert redeliver(uow, rid) == 1
    summary = deliver_due(clean, asked + timedelta(minutes=1), policy=POLICY)
    assert (summary.failed, summary.dead) == (1, 0)  # the horizon counts again from the redelivery
    summary = deliver_due(clean, asked + timedelta(days=3), policy=POLICY)
    assert (summary.failed, summary.dead) == (0, 1)
    assert receiver.got == [] and state(clean, rid).position == 1


def test_a_receiver_takes_only_its_event_types_in_order(clean: Engine, receiver: HookReceiver) -> None:
    rid = register(clean, receiver, events=["subject_listed"])
    publish(clean, 1, at=T0)
    publish(clean, 2, 3, at=T0, kind="subject_listed")
    publish(clean, 4, at=T0)
    publish(clean, 5, at=T0, kind="subject_listed")
    deliver_due(clean, T0, policy=POLICY)
    assert receiver.seqs == [2, 3, 5] and {r.event for r in receiver.got} == {"subject_listed"}
    assert state(clean, rid).position == 5


def test_a_disabled_receiver_gets_nothing(clean: Engine, receiver: HookReceiver, client: TestClient,
                                          tokens: dict[str, str]) -> None:
    rid = register(clean, receiver)
    r = client.post(f"/api/v1/receivers/{rid}/disable", headers=auth(tokens["support"]))
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["disabled_at"]
    publish(clean, 1)
    assert deliver_due(clean, policy=POLICY).receivers == 0 and receiver.hits == 0
    r = client.post(f"/api/v1/receivers/{rid}/redeliver", headers=auth(tokens["support"]))
    assert r.status_code == 409


def test_two_deliverers_at_once_send_each_change_once(clean: Engine, receiver: HookReceiver) -> None:
    register(clean, receiver)
    for i in range(0, 60, 6):
        publish(clean, *range(i, i + 6))
    threads = [threading.Thread(target=deliver_due, args=(clean,), kwargs={"policy": POLICY}) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deliver_due(clean, policy=POLICY)  # whatever a claimed round left
    assert receiver.seqs == list(range(1, 61))


def test_the_serving_deliverer_delivers_and_runs_the_other_senders(clean: Engine, receiver: HookReceiver) -> None:
    register(clean, receiver)
    calls: list[Engine] = []
    worker = Deliverer(clean, also=[calls.append], policy=DeliveryPolicy(poll_seconds=0.05))
    worker.start()
    try:
        publish(clean, 1, 2)
        deadline = time.monotonic() + 10
        while len(receiver.got) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        worker.stop()
    assert receiver.seqs == [1, 2] and calls and calls[0] is clean


def test_the_secret_is_stored_encrypted_under_a_key_file_only_its_owner_reads(clean: Engine, receiver: HookReceiver,
                                                                             receiver_key: Path) -> None:
    rid = register(clean, receiver)
    row = state(clean, rid)
    assert SECRET not in row.secret_ciphertext and SECRET not in json.dumps(row.events)
    assert stat.S_IMODE(os.stat(receiver_key).st_mode) == 0o600
    receiver_key.write_bytes(b"")  # the key is lost: nothing can be signed, nothing is sent unsigned
    publish(clean, 1)
    summary = deliver_due(clean, policy=POLICY)
    assert receiver.hits == 0 and summary.errors and "receiver key" in state(clean, rid).last_error


def test_the_stored_state_reads_back(clean: Engine, receiver: HookReceiver) -> None:
    rid = register(clean, receiver)
    with unit_of_work(clean, writing=False) as uow:
        assert uow.session.scalars(select(Receiver.name).where(Receiver.id == rid)).one() == "信用中国（北京）"
