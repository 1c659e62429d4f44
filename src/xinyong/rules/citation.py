"""The citation key, for the kernel side and the tests: ``122号 Art.16(6)`` (see :mod:`xinyong.standards.citation`).

The implementation lives beside the data it reads (``xinyong.standards``), the lowest layer of
docs/architecture.md, so the loader can render keys without importing upwards; this module is the public name
used by code, tests and the issue ("src/xinyong/rules/citation.py").
"""

from __future__ import annotations

from ..standards.citation import (
    DEFAULT_DOC,
    KEY_PATTERN,
    Citation,
    cn_number,
    coerce,
    from_cn_number,
    from_zh,
    is_key,
    key,
    keys_in,
    parse,
    render_zh,
    to_keys,
    zh,
    zh_citations_in,
)

__all__ = [
    "DEFAULT_DOC",
    "KEY_PATTERN",
    "Citation",
    "cn_number",
    "coerce",
    "from_cn_number",
    "from_zh",
    "is_key",
    "key",
    "keys_in",
    "parse",
    "render_zh",
    "to_keys",
    "zh",
    "zh_citations_in",
]
