"""Delivery settings of downstream sync, read from the environment at each call (the core/settings.py pattern):

    XINYONG_OUTBOX_BACKOFF_BASE   seconds before the first retry of a failed event (default 10), doubled each time
    XINYONG_OUTBOX_BACKOFF_CAP    longest wait between two attempts, seconds (default 3600: a receiver back from an
                                  outage is served within the hour)
    XINYONG_OUTBOX_HORIZON_HOURS  how long an event is retried before it goes to the dead letters (default 72:
                                  3 days, issue 8 item 5), counted from the event (or from its redelivery)
    XINYONG_OUTBOX_TIMEOUT        seconds a receiver has to answer one POST (default 10)
    XINYONG_OUTBOX_POLL_SECONDS   pause of the serving deliverer when nothing is due (default 2)
    XINYONG_RECEIVER_KEY          file holding the key that encrypts the receivers' secrets (default ./receiver_key,
                                  created with mode 0600 on first use; outbox.secrets)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path


@dataclass(frozen=True)
class DeliveryPolicy:
    backoff_base: timedelta = timedelta(seconds=10)
    backoff_cap: timedelta = timedelta(hours=1)
    horizon: timedelta = timedelta(days=3)
    timeout: float = 10.0
    poll_seconds: float = 2.0
    batch: int = 200  # events read per query; the round goes on while events are due
    lease: timedelta = timedelta(minutes=10)  # a crashed deliverer's claim on a receiver expires after this

    def backoff(self, attempts: int) -> timedelta:
        """Wait after the `attempts`-th failure of one event: base · 2^(attempts-1), at most the cap."""
        if attempts <= 0:
            return timedelta(0)
        return min(self.backoff_cap, self.backoff_base * (2 ** min(attempts - 1, 40)))


def _number(env: dict[str, str] | os._Environ[str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r}: 应为数字 / must be a number") from None
    if value <= 0:
        raise SystemExit(f"{name}={raw!r}: 应大于 0 / must be positive")
    return value


def read_policy(env: dict[str, str] | os._Environ[str] | None = None) -> DeliveryPolicy:
    env = os.environ if env is None else env
    return DeliveryPolicy(
        backoff_base=timedelta(seconds=_number(env, "XINYONG_OUTBOX_BACKOFF_BASE", 10)),
        backoff_cap=timedelta(seconds=_number(env, "XINYONG_OUTBOX_BACKOFF_CAP", 3600)),
        horizon=timedelta(hours=_number(env, "XINYONG_OUTBOX_HORIZON_HOURS", 72)),
        timeout=_number(env, "XINYONG_OUTBOX_TIMEOUT", 10),
        poll_seconds=_number(env, "XINYONG_OUTBOX_POLL_SECONDS", 2),
    )


def receiver_key_path(env: dict[str, str] | os._Environ[str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("XINYONG_RECEIVER_KEY", "./receiver_key"))
