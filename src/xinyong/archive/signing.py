"""The deployment's Ed25519 checkpoint key (122号 Art.19: tamper-evident archive). Pure: no database.

Private key: PEM (PKCS#8) at env XINYONG_SIGNING_KEY (default ./signing_key.pem), created only by
`xinyong archive keygen` (never overwritten). Its public half is written beside it (`<key>.pub`) to publish to
anyone who checks an exported archive. Keys of earlier deployments (after a rotation) are trusted when listed
in env XINYONG_TRUSTED_KEYS (PEM public key files separated by the OS path separator)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..core.settings import settings

ALGORITHM = "Ed25519"


class SigningKeyMissing(Exception):
    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"no signing key at {path}: run `xinyong archive keygen`")


def key_path() -> Path:
    return settings().signing_key


def public_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(raw_public: bytes) -> str:
    """A short, stable name of a public key: the first 16 hex digits of SHA-256 of its 32 raw bytes."""
    return hashlib.sha256(raw_public).hexdigest()[:16]


def public_pem(raw_public: bytes) -> str:
    return Ed25519PublicKey.from_public_bytes(raw_public).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def generate(path: Path | None = None) -> tuple[bool, str]:
    """Create the key file unless it exists (never overwrite). Returns (created, key id)."""
    path = path or key_path()
    if path.exists():
        return False, key_id(public_raw(load_private(path)))
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # O_EXCL: a racing keygen cannot clobber it
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    raw = public_raw(key)
    Path(f"{path}.pub").write_text(public_pem(raw))
    return True, key_id(raw)


def load_private(path: Path | None = None) -> Ed25519PrivateKey:
    path = path or key_path()
    if not path.exists():
        raise SigningKeyMissing(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def load_public_pem(text: str) -> bytes:
    key = serialization.load_pem_public_key(text.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return public_raw(key)


def trusted_keys() -> dict[str, bytes]:
    """key id → raw public key: the deployment key's public half plus XINYONG_TRUSTED_KEYS."""
    out: dict[str, bytes] = {}
    path = key_path()
    if path.exists():
        raw = public_raw(load_private(path))
        out[key_id(raw)] = raw
    for name in settings().trusted_keys:
        raw = load_public_pem(Path(name).read_text())
        out[key_id(raw)] = raw
    return out


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return key.sign(message).hex()


def signature_valid(raw_public: bytes, message: bytes, signature_hex: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(raw_public).verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True
