"""Content-addressed file store of evidence (证明材料, 122号 Art.19): a file is kept once under its SHA-256,
at ``<root>/<sha[:2]>/<sha>``. Root: env XINYONG_EVIDENCE_DIR (default ./evidence). Writes are atomic (temp file
+ rename), so a crash never leaves a half-written file under a hash name."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..core.settings import settings

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


def evidence_dir() -> Path:
    return settings().evidence_dir


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class EvidenceStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else evidence_dir()

    def path(self, sha: str) -> Path:
        if not SHA256_RE.match(sha):
            raise ValueError(f"not a SHA-256 hex digest: {sha!r}")
        return self.root / sha[:2] / sha

    def put(self, data: bytes) -> str:
        """Store the bytes under their hash; storing the same content again writes nothing."""
        sha = sha256_of(data)
        target = self.path(sha)
        if target.exists():
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def exists(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def read(self, sha: str) -> bytes:
        return self.path(sha).read_bytes()

    def chunks(self, sha: str) -> Iterator[bytes]:
        with open(self.path(sha), "rb") as fh:
            while block := fh.read(_CHUNK):
                yield block

    def hash_on_disk(self, sha: str) -> str | None:
        """The SHA-256 of what is stored under `sha` now (None when the file is missing)."""
        if not self.exists(sha):
            return None
        digest = hashlib.sha256()
        for block in self.chunks(sha):
            digest.update(block)
        return digest.hexdigest()
