"""The draw's arithmetic, exactly (122号 Art.22; spec G1-09): ratio = min(1, factor × base ratio), count =
ceil(ratio × n) in exact decimals (no float error at a boundary), every D drawn."""

from __future__ import annotations

import hashlib
import math
from datetime import date
from fractions import Fraction

import pytest

from xinyong.inspections.config import every_drawn, exception_codes, whitelist_rule
from xinyong.inspections.draw import SEED_PATTERN, count, decimal_text, draw, exact, ratio
from xinyong.inspections.whitelist import months_before, window

F = exact


@pytest.mark.article("122号 Art.22")
def test_the_ceil_of_an_exact_boundary_is_the_one_computed_by_hand():
    # 0.3 × 0.1 × 10 = 0.3 → 1 subject
    assert count(F("0.3"), F("0.1"), 10) == 1
    # 1.0 × 0.28 × 25 = 7 exactly: floats say 7.000000000000001 and would draw 8
    assert math.ceil(1.0 * 0.28 * 25) == 8
    assert count(F("1.0"), F("0.28"), 25) == 7
    assert count(F("1.0"), F("0.28"), 26) == 8  # 7.28 → 8
    assert count(F("1.0"), F("0.07"), 100) == 7
    # 0.6 × 0.5 × 10 = 3 exactly; one more subject crosses the boundary
    assert count(F("0.6"), F("0.5"), 10) == 3
    assert count(F("0.6"), F("0.5"), 11) == 4
    assert count(F("0.3"), F("0.1"), 0) == 0


@pytest.mark.article("122号 Art.22")
def test_a_ratio_never_exceeds_one():
    assert ratio(F("2.0"), F("0.6")) == 1
    assert ratio(F("2.0"), F("0.5")) == 1
    assert ratio(F("2.0"), F("0.4")) == Fraction(4, 5)
    assert count(F("1.0"), F("1"), 7) == 7
    assert count(F("0.6"), F("1"), 4) == 3  # 2.4 → 3, never more than the population


@pytest.mark.article("122号 Art.22(4)1")
def test_every_d_subject_is_drawn_whatever_the_ratio():
    assert count(F("2.0"), F("0.000001"), 9, every_drawn=True) == 9
    factors = {"A": F("0.3"), "B": F("0.6"), "C": F("1.0"), "D": F("2.0")}
    result = draw([("X1", "D"), ("X2", "D"), ("Y1", "A")], "a" * 32, factors, F("0.000001"),
                  every_drawn(date(2026, 1, 1))[0], ["P1", "P2"])
    assert sorted(d.code for d in result.drawn if d.grade == "D") == ["X1", "X2"]
    assert [d.code for d in result.drawn if d.grade == "A"] == ["Y1"]  # ceil of any share of one subject is 1


def test_the_draw_orders_by_sha256_of_seed_and_code_and_picks_two_inspectors():
    seed = "f" * 32
    population = [(f"C{i:02d}", "C") for i in range(10)]
    result = draw(population, seed, {"C": F("1.0")}, F("0.3"), frozenset(), ["I1", "I2", "I3", "I4"])
    expected = sorted((c for c, _ in population), key=lambda c: hashlib.sha256(f"{seed}:{c}".encode()).hexdigest())[:3]
    assert [d.code for d in result.drawn] == expected
    for d in result.drawn:
        team = sorted(["I1", "I2", "I3", "I4"],
                      key=lambda i, c=d.code: hashlib.sha256(f"{seed}:{c}:{i}".encode()).hexdigest())[:2]
        assert list(d.inspectors) == team


def test_a_grade_without_a_factor_is_refused():
    with pytest.raises(KeyError):
        draw([("X", "E")], "0" * 32, {"A": F("0.3")}, F("0.1"), frozenset(), ["I1", "I2"])


def test_seed_pattern_and_decimal_text():
    assert SEED_PATTERN.match("0123456789abcdef0123456789abcdef")
    for bad in ("0123456789ABCDEF0123456789ABCDEF", "0123", "g" * 32, "0" * 33, "0" * 31 + "\n"):
        assert not SEED_PATTERN.match(bad), bad
    assert decimal_text(F("0.3") * F("0.1")) == "0.03"
    assert decimal_text(Fraction(1)) == "1"
    assert exact(0.3) == Fraction(3, 10)


@pytest.mark.article("122号 Art.22")
def test_the_defaults_cite_their_spec():
    whole, reference = every_drawn(date(2026, 1, 1))
    assert whole == frozenset({"D"})
    assert "G1-09" in reference and "122号 Art.22(4)1" in reference
    rule = whitelist_rule(date(2026, 1, 1))
    assert (rule.grade, rule.clean_months, rule.review_months) == ("A", 24, 3)
    assert "G3-02" in rule.reference
    assert set(exception_codes()) == {"complaint", "case_lead", "special_inspection", "legal_provision"}


def test_the_past_24_months_are_counted_per_the_civil_code():
    # 民法典 Art.201: the start day is not counted; Art.202: no corresponding day → that month's last day
    assert window(date(2026, 3, 10), 24) == (date(2024, 3, 11), date(2026, 3, 10))
    assert months_before(date(2026, 2, 28), 24) == date(2024, 2, 28)
    assert months_before(date(2024, 2, 29), 24) == date(2022, 2, 28)
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)
