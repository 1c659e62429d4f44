"""E-mail/SMS delivery of the notices behind one interface, after their commit (issue 8 item 7)."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from xinyong.auth.actors import Actor
from xinyong.bootstrap import unit_of_work
from xinyong.core.clock import FixedClock, clock_at
from xinyong.errors import InputError
from xinyong.notifications.delivery import (
    ConsoleSender,
    FileSender,
    Outgoing,
    resolve,
    send_due,
    sender_from_settings,
)
from xinyong.notifications.models import Notification
from xinyong.notifications.service import Recipient, inbox, notify, set_contact

T0 = datetime(2026, 3, 10, 9, 0)
CODE = "91110000600037341L"


class Flaky:
    """An adapter that fails while `down` (a mail server away), else keeps what it was given."""

    name = "flaky"

    def __init__(self) -> None:
        self.down = True
        self.sent: list[Outgoing] = []

    def send(self, message: Outgoing) -> None:
        if self.down:
            raise ConnectionRefusedError("smtp.example.gov.cn:25 refused")
        self.sent.append(message)


def _notify(engine: Engine, *recipients: Recipient, at: datetime = T0, title: str = "案件已受理") -> list[int]:
    with clock_at(FixedClock(at)), unit_of_work(engine) as uow:
        return [n.id for n in notify(uow, list(recipients), kind="case_routed", title=title, body="请在 10 个工作日内…",
                                     link="/api/v1/cases/1")]


def _row(engine: Engine, notification_id: int) -> Notification:
    with unit_of_work(engine, writing=False) as uow:
        row = uow.session.get(Notification, notification_id)
        assert row is not None
        return row


def _contact(engine: Engine, recipient: Recipient, **kw: str) -> None:
    with unit_of_work(engine) as uow:
        set_contact(uow, recipient, **kw)


def test_a_notice_without_an_address_stays_in_app_only(clean: Engine) -> None:
    [nid] = _notify(clean, Recipient.subject(CODE))
    summary = send_due(clean, T0, sender=Flaky())
    assert (summary.in_app, summary.sent) == (1, 0)
    row = _row(clean, nid)
    assert (row.send_state, row.sent_at, row.address) == ("in_app", None, None)
    assert send_due(clean, T0 + timedelta(hours=1), sender=Flaky()).in_app == 0  # decided once


def test_e_mail_first_else_sms_else_none(clean: Engine) -> None:
    _contact(clean, Recipient.subject(CODE), email="fa@example.com", phone="+86 138 0000 0000")
    _contact(clean, Recipient.department("kanchasheji"), phone="13800000000")
    _contact(clean, Recipient.role("hall"))
    with unit_of_work(clean, writing=False) as uow:
        s = uow.session
        assert resolve(s, "subject", CODE) is not None and resolve(s, "subject", CODE).channel == "email"
        sms = resolve(s, "department", "kanchasheji")
        assert sms is not None and (sms.channel, sms.value) == ("sms", "13800000000")
        assert resolve(s, "role", "hall") is None and resolve(s, "role", "admin") is None


def test_the_file_adapter_writes_a_json_line_and_sent_at_is_set(clean: Engine, tmp_path: Path) -> None:
    _contact(clean, Recipient.subject(CODE), email="fa@example.com")
    _contact(clean, Recipient.department("kanchasheji"), phone="13800000000")
    ids = _notify(clean, Recipient.subject(CODE), Recipient.department("kanchasheji"), Recipient.role("hall"))
    summary = send_due(clean, T0 + timedelta(minutes=1), sender=FileSender(tmp_path))
    assert (summary.sent, summary.in_app, summary.retried) == (2, 1, 0)
    [mail] = [json.loads(line) for line in (tmp_path / "email.jsonl").read_text(encoding="utf-8").splitlines()]
    [sms] = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (mail["address"], mail["title"], mail["link"], mail["notification_id"]) == (
        "fa@example.com", "案件已受理", "/api/v1/cases/1", ids[0])
    assert (sms["address"], sms["recipient"]) == ("13800000000", "kanchasheji")
    first = _row(clean, ids[0])
    assert (first.send_state, first.sent_at, first.channel) == ("sent", T0 + timedelta(minutes=1), "email")
    assert send_due(clean, T0 + timedelta(hours=1), sender=FileSender(tmp_path)).sent == 0  # once only


def test_a_failing_adapter_retries_later_and_never_loses_the_in_app_notice(clean: Engine) -> None:
    _contact(clean, Recipient.subject(CODE), email="fa@example.com")
    [nid] = _notify(clean, Recipient.subject(CODE))
    adapter = Flaky()
    summary = send_due(clean, T0, sender=adapter)
    assert (summary.sent, summary.retried) == (0, 1)
    row = _row(clean, nid)
    assert row.send_state == "pending" and row.sent_at is None and "refused" in (row.send_error or "")
    assert row.next_send_at == T0 + timedelta(minutes=1) and row.send_attempts == 1
    assert send_due(clean, T0 + timedelta(seconds=59), sender=adapter).retried == 0  # not before the back-off
    send_due(clean, T0 + timedelta(minutes=1), sender=adapter)
    assert _row(clean, nid).next_send_at == T0 + timedelta(minutes=3)  # 1, 2, 4 … minutes
    with unit_of_work(clean, writing=False) as uow:  # the subject's in-app list has it all along
        assert [n.id for n in inbox(uow, Actor("fa", "subject", subject=CODE))] == [nid]
    adapter.down = False
    assert send_due(clean, T0 + timedelta(minutes=3), sender=adapter).sent == 1
    row = _row(clean, nid)
    assert (row.send_state, row.sent_at, row.send_error, row.send_attempts) == (
        "sent", T0 + timedelta(minutes=3), None, 3)
    assert [m.notification_id for m in adapter.sent] == [nid]


def test_after_three_days_of_failures_the_notice_is_failed_but_still_listed(clean: Engine) -> None:
    _contact(clean, Recipient.subject(CODE), phone="13800000000")
    [nid] = _notify(clean, Recipient.subject(CODE))
    adapter = Flaky()
    send_due(clean, T0 + timedelta(days=3) - timedelta(minutes=1), sender=adapter)
    assert _row(clean, nid).send_state == "pending"  # within 3 days: retried
    assert send_due(clean, T0 + timedelta(days=3), sender=adapter).failed == 1
    row = _row(clean, nid)
    assert (row.send_state, row.next_send_at, row.title) == ("failed", None, "案件已受理")


def test_a_notice_of_a_step_that_rolled_back_is_never_sent(clean: Engine, tmp_path: Path) -> None:
    _contact(clean, Recipient.subject(CODE), email="fa@example.com")
    with pytest.raises(RuntimeError), unit_of_work(clean) as uow:
        notify(uow, [Recipient.subject(CODE)], kind="case_routed", title="t", body="b")
        raise RuntimeError("the step failed")
    assert send_due(clean, sender=FileSender(tmp_path)).sent == 0
    assert not (tmp_path / "email.jsonl").exists()


def test_two_senders_at_once_send_each_notice_once(clean: Engine, tmp_path: Path) -> None:
    _contact(clean, Recipient.subject(CODE), email="fa@example.com")
    for i in range(30):
        _notify(clean, Recipient.subject(CODE), title=f"通知 {i}")
    adapter = FileSender(tmp_path)
    threads = [threading.Thread(target=send_due, args=(clean, T0), kwargs={"sender": adapter, "limit": 7})
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    while send_due(clean, T0, sender=adapter).sent:
        pass
    titles = [json.loads(line)["title"] for line in (tmp_path / "email.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(titles) == sorted(f"通知 {i}" for i in range(30))


def test_the_adapter_is_chosen_by_configuration(tmp_path: Path) -> None:
    assert isinstance(sender_from_settings({}), ConsoleSender)
    chosen = sender_from_settings({"XINYONG_NOTIFY_SENDER": "file", "XINYONG_NOTIFY_DIR": str(tmp_path)})
    assert isinstance(chosen, FileSender) and chosen.directory == tmp_path
    with pytest.raises(SystemExit):
        sender_from_settings({"XINYONG_NOTIFY_SENDER": "pigeon"})
    ConsoleSender().send(Outgoing(1, "email", "a@b.cn", "subject", CODE, "k", "t", "b", None, T0.isoformat()))


@pytest.mark.parametrize("kw, field", [({"email": "not-an-address"}, "email"), ({"phone": "call me"}, "phone")])
def test_a_bad_contact_is_refused(clean: Engine, kw: dict[str, str], field: str) -> None:
    with pytest.raises(InputError) as refused, unit_of_work(clean) as uow:
        set_contact(uow, Recipient.subject(CODE), **kw)
    assert refused.value.problems[0].field == field
