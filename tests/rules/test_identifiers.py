"""122号 第九条: unified social credit codes and resident ID numbers are checked, ID numbers masked (G1-17)."""

import pytest

from xinyong.rules.identifiers import check_subject_code, mask_resident_id


@pytest.mark.article("122号 Art.9")
def test_valid_uscc_is_accepted_122_art9():
    assert check_subject_code("91110000600037341L", "organization") is None


@pytest.mark.article("122号 Art.9")
def test_uscc_with_wrong_check_character_says_so_122_art9():
    zh, en = check_subject_code("91110000600037341M", "organization")
    assert "校验位" in zh and "check" in en


@pytest.mark.article("122号 Art.9")
def test_an_individual_with_a_company_code_is_named_122_art9():
    zh, en = check_subject_code("91110000600037341L", "individual")
    assert "统一社会信用代码" in zh and "individual" in en


def test_an_organization_with_a_resident_id_is_named():
    zh, _ = check_subject_code("11010519491231002X", "organization")
    assert "身份证号" in zh


@pytest.mark.article("122号 Art.9")
def test_resident_id_check_digit_122_art9():
    assert check_subject_code("11010519491231002X", "individual") is None
    zh, _ = check_subject_code("110105194912310021", "individual")
    assert "校验位" in zh


def test_resident_id_is_masked_keeping_region_and_last_four_g1_17():
    assert mask_resident_id("11010519491231002X") == "110105********002X"


@pytest.mark.article("122号 Art.9")
def test_an_id_number_typo_that_happens_to_be_a_valid_uscc_is_still_a_check_digit_error_122_art9():
    from stdnum.cn import ric, uscc

    real = "110105194912310898"  # a valid resident ID number (region 110105, born 1949-12-31)
    typo = "110105194912310899"  # its last digit mistyped: by chance a valid unified social credit code
    assert ric.is_valid(real) and not ric.is_valid(typo)
    assert uscc.is_valid(typo) and sum(a != b for a, b in zip(real, typo, strict=True)) == 1
    assert check_subject_code(real, "individual") is None
    zh, en = check_subject_code(typo, "individual")
    assert "身份证号校验位" in zh and "check digit" in en  # read as a typo, not as "this is a company code"
