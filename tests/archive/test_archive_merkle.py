"""The global Merkle tree of the archive (122号 第十九条 全流程可追溯) is the RFC 6962/9162 tree: pure tests."""

from __future__ import annotations

import hashlib

import pytest

from xinyong.archive.merkle import EMPTY_ROOT, Frontier, Tree, leaf_hash, node_hash, root_from_proof, root_of


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 definition, written out recursively."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


def _hashes(n: int) -> list[str]:
    return [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]


@pytest.mark.article("122号 Art.19")
def test_every_prefix_root_matches_the_rfc6962_definition_122_art19():
    hashes = _hashes(40)
    f = Frontier()
    assert f.root() == EMPTY_ROOT
    for n, h in enumerate(hashes, start=1):
        f.add(leaf_hash(h))
        expected = _mth([leaf_hash(x) for x in hashes[:n]]).hex()
        assert f.root() == expected == Tree(hashes).root(n) == root_of(hashes[:n])


@pytest.mark.article("122号 Art.19")
def test_every_inclusion_proof_leads_to_the_root_and_a_changed_leaf_does_not_122_art19():
    hashes = _hashes(37)
    tree = Tree(hashes)
    for n in (1, 2, 3, 5, 8, 13, 32, 37):
        root = tree.root(n)
        for i in range(n):
            proof = tree.proof(i, n)
            assert root_from_proof(i, n, hashes[i], proof) == root
            assert root_from_proof(i, n, hashes[(i + 1) % len(hashes)], proof) != root
            if n > 1:
                assert root_from_proof((i + 1) % n, n, hashes[i], proof) != root
        assert root_from_proof(n, n, hashes[0], []) is None
