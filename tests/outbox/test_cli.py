"""`xinyong outbox status` and `xinyong outbox deliver` (44号 Task 14)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.outbox.conftest import HookReceiver, publish
from tests.outbox.test_delivery import register
from xinyong.cli import main

pytestmark = pytest.mark.article("44号 Task 14")


def test_status_and_a_delivery_round_from_the_command_line(clean: Engine, receiver: HookReceiver,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    url = clean.url.render_as_string(hide_password=False).replace("postgresql+psycopg://", "postgresql://")
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)
    assert main(["outbox", "status"]) == 0
    assert "no receivers" in capsys.readouterr().out
    register(clean, receiver, name="hook")
    publish(clean, 1, 2, 3)
    assert main(["outbox", "status"]) == 0
    out = capsys.readouterr().out
    assert "latest seq: 3" in out and "hook [active]" in out and "position=0 pending=3" in out
    assert main(["outbox", "deliver"]) == 0
    assert "delivered 3" in capsys.readouterr().out
    assert receiver.seqs == [1, 2, 3]
    receiver.stop()
    publish(clean, 4)
    assert main(["outbox", "deliver"]) == 0
    assert main(["outbox", "status"]) == 0
    out = capsys.readouterr().out
    assert "position=3 pending=1 delivered=3 dead_letters=0 attempts=1" in out and "last_error=" in out
