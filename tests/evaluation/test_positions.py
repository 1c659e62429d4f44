"""The batch finds each record's, grade's and membership's subject in its chunk by a dense table when the ids are
dense and by binary search otherwise: both give the position np.searchsorted gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from xinyong.evaluation.service import _positions


@given(ids=st.sets(st.integers(1, 5_000), max_size=300) | st.sets(st.integers(1, 2**31 - 1), max_size=50),
       picks=st.lists(st.integers(0, 10**6), max_size=400))
def test_positions_are_searchsorteds_for_values_in_the_ids(ids: set[int], picks: list[int]) -> None:
    chunk = np.asarray(sorted(ids), dtype=np.int64)
    values = chunk[[p % len(chunk) for p in picks]] if len(chunk) else np.zeros(0, dtype=np.int64)
    assert np.array_equal(_positions(chunk, values), np.searchsorted(chunk, values))


def test_a_dense_chunk_with_gaps_takes_the_table_and_a_sparse_one_the_search() -> None:
    dense = np.asarray([10, 11, 13, 14, 20], dtype=np.int64)
    assert _positions(dense, np.asarray([20, 10, 13, 13], dtype=np.int64)).tolist() == [4, 0, 2, 2]
    sparse = np.asarray([1, 10**9], dtype=np.int64)
    assert _positions(sparse, np.asarray([10**9, 1], dtype=np.int64)).tolist() == [1, 0]
