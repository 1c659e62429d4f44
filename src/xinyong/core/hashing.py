"""Canonical JSON and the genesis link of every hash chain (the archive's and the audit trail's, 122号 Art.19).
Pure: the offline checker of an exported archive uses it with no database."""

from __future__ import annotations

import json
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()
