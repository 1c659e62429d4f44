"""Merkle tree over every archive entry (122号 Art.19 全流程可追溯), pure (no database).

The tree is the one of RFC 6962 / RFC 9162 (Certificate Transparency): leaves are the entries' chain hashes in
append order (archive_entries.id ascending, i.e. the global order in which entries were written), leaf hash =
SHA-256(0x00 || entry hash bytes), inner node = SHA-256(0x01 || left || right), and a tree of n leaves splits at
the largest power of two below n. Because the order is append-only, the tree of the first n leaves never changes
once written: a signed root over n leaves pins every one of them, so an old entry edited, deleted or inserted —
even with the subject's chain recomputed — changes the root."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def leaf_hash(entry_hash_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(entry_hash_hex)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class Frontier:
    """The tree grown leaf by leaf, keeping only the roots of its perfect subtrees (at most log2 n of them), so
    the root of every prefix comes out of one pass over the leaves."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []

    def add(self, leaf: bytes) -> None:
        width, h = 1, leaf
        while self._stack and self._stack[-1][0] == width:
            _, left = self._stack.pop()
            h, width = node_hash(left, h), width * 2
        self._stack.append((width, h))
        self.size += 1

    def root(self) -> str:
        if not self._stack:
            return EMPTY_ROOT
        h = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            h = node_hash(left, h)
        return h.hex()


def root_of(entry_hashes: Iterable[str]) -> str:
    f = Frontier()
    for h in entry_hashes:
        f.add(leaf_hash(h))
    return f.root()


class Tree:
    """All levels of perfect subtrees, for inclusion proofs of many leaves (O(log² n) each)."""

    def __init__(self, entry_hashes: Sequence[str]) -> None:
        level = [leaf_hash(h) for h in entry_hashes]
        self.size = len(level)
        self.levels = [level]
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            self.levels.append(level)

    def _mth(self, lo: int, hi: int) -> bytes:
        n = hi - lo
        if n & (n - 1) == 0:  # a perfect subtree; aligned, as every range of the RFC 6962 recursion is
            depth = n.bit_length() - 1
            return self.levels[depth][lo >> depth]
        k = 1 << ((n - 1).bit_length() - 1)
        return node_hash(self._mth(lo, lo + k), self._mth(lo + k, hi))

    def root(self, n: int | None = None) -> str:
        n = self.size if n is None else n
        return EMPTY_ROOT if n == 0 else self._mth(0, n).hex()

    def proof(self, index: int, n: int | None = None) -> list[str]:
        """RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of the first `n` leaves (bottom-up)."""
        n = self.size if n is None else n
        if not 0 <= index < n <= self.size:
            raise ValueError(f"leaf {index} is not in a tree of {n} leaves")
        path: list[bytes] = []
        lo, hi = 0, n
        while hi - lo > 1:
            k = 1 << ((hi - lo - 1).bit_length() - 1)
            if index < lo + k:
                path.append(self._mth(lo + k, hi))
                hi = lo + k
            else:
                path.append(self._mth(lo, lo + k))
                lo = lo + k
        return [p.hex() for p in reversed(path)]


def root_from_proof(index: int, size: int, entry_hash_hex: str, proof: Sequence[str]) -> str | None:
    """RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or None when the proof is malformed."""
    if not 0 <= index < size:
        return None
    fn, sn = index, size - 1
    r = leaf_hash(entry_hash_hex)
    for p_hex in proof:
        p = bytes.fromhex(p_hex)
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r.hex() if sn == 0 else None
