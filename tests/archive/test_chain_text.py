"""The bulk append's hash (payload serialised once, the body composed around its text) is entry_hash's, byte for
byte (122号 Art.19: a chain verifies whichever path appended it)."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.archive.chain import canonical, canonical_text, entry_hash, entry_hash_of_text

_leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.text(max_size=12),
                  st.dates().map(lambda d: d), st.floats(allow_nan=False, allow_infinity=False))
_json = st.recursive(_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4),
    st.dictionaries(st.integers(0, 30), inner, max_size=4)), max_leaves=20)


@given(payload=st.dictionaries(st.text(max_size=8), _json, max_size=6), subject=st.text(max_size=20),
       seq=st.integers(1, 10**6), kind=st.text(max_size=12), summary=st.text(max_size=40))
def test_entry_hash_of_text_equals_entry_hash_122_art19(payload, subject, seq, kind, summary):
    clean = json.loads(canonical(payload))  # what append stores and hashes
    text = canonical_text(payload)
    assert text == canonical(clean).decode()
    at = "2026-11-30T08:41:00.123"
    assert entry_hash_of_text("ab" * 32, subject, seq, at, kind, summary, text) == \
        entry_hash("ab" * 32, subject, seq, at, kind, summary, clean)


def test_int_keys_are_sorted_as_text_122_art19():
    payload = {"m": {2: "b", 10: "a"}, "d": date(2026, 1, 2)}
    assert canonical_text(payload) == '{"d":"2026-01-02","m":{"10":"a","2":"b"}}'


# every kind of key json turns into a string (one kind per dict: json cannot sort mixed kinds), and strings that
# look like them
_keys = [st.text(max_size=4), st.sampled_from(["1", "-2", "0.5", "true", "false", "null", "NaN", "Infinity", "k"]),
         st.integers(-10**6, 10**6), st.floats(), st.booleans(), st.none()]
_any_keys = st.recursive(_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4), *[st.dictionaries(k, inner, max_size=4) for k in _keys]), max_leaves=25)


@settings(max_examples=400)
@given(payload=st.dictionaries(st.text(max_size=8), _any_keys, max_size=6))
def test_canonical_text_is_the_stored_forms_canonical_whatever_the_keys_122_art19(payload):
    assert canonical_text(payload) == canonical(json.loads(canonical(payload))).decode()


@settings(max_examples=500)
@given(value=st.text(max_size=30) | st.sampled_from(['a"b', "a\\b", "\t", "\x7f", "\u2028", "建筑 E70: 720 B1 → 700 B1"]))
def test_a_bodys_texts_are_quoted_as_json_quotes_them_122_art19(value):
    from xinyong.archive.chain import _text
    assert _text(value) == json.dumps(value, ensure_ascii=False)
