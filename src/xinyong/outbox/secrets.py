"""The receivers' shared secrets, kept usable for signing but never in clear in the database.

A receiver's secret signs every POST (HMAC-SHA256), so it cannot be stored as a one-way hash. It is encrypted
with Fernet (AES-128-CBC + HMAC-SHA256, `cryptography`) under a deployment key held in a file outside the
database (XINYONG_RECEIVER_KEY, default ./receiver_key, mode 0600, created on first use): a copy of the database
alone (a backup, a read replica, a SQL injection) reveals no secret. The API never returns a secret after the
registration. Rotation: put a new key on the first line of the file and keep the old ones below it; new
secrets are encrypted with the first, every line decrypts. Losing the file makes the stored secrets unusable:
the receivers are then registered again with new secrets.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .config import receiver_key_path

_lock = threading.Lock()


class SecretUnavailable(RuntimeError):
    """The key file is missing or does not decrypt a stored secret."""


def _keys(path: Path, create: bool) -> MultiFernet:
    with _lock:
        if not path.exists():
            if not create:
                raise SecretUnavailable(f"no receiver key at {path} (XINYONG_RECEIVER_KEY)")
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(Fernet.generate_key() + b"\n")
        lines = [line.strip() for line in path.read_bytes().splitlines() if line.strip()]
    if not lines:
        raise SecretUnavailable(f"the receiver key file {path} is empty")
    return MultiFernet([Fernet(line) for line in lines])


def seal(secret: str, path: Path | None = None) -> str:
    return _keys(path or receiver_key_path(), create=True).encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(ciphertext: str, path: Path | None = None) -> bytes:
    try:
        return _keys(path or receiver_key_path(), create=False).decrypt(ciphertext.encode("ascii"))
    except InvalidToken:
        raise SecretUnavailable("the receiver key does not decrypt this secret (key file replaced?)") from None
