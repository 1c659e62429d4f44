"""Identifier checks of 122号 Art.9 (准确收集、填报社会信用统一代码、身份证号) and masking of ID numbers."""

from __future__ import annotations

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError


def _looks_like_ric(code: str) -> bool:
    """Shaped like a resident ID number: 17 digits and a digit or X."""
    return len(code) == 18 and code[:17].isdigit() and code[17] in "0123456789X"


def check_uscc(code: str) -> tuple[str, str] | None:
    """None when `code` is a valid unified social credit code (统一社会信用代码, GB 32100-2015), otherwise
    the reason in Chinese and English."""
    try:
        uscc.validate(code)
    except InvalidChecksum:
        return ("统一社会信用代码校验位错误", "the check character of the unified social credit code is wrong")
    except InvalidLength:
        return ("统一社会信用代码应为18位", "a unified social credit code has 18 characters")
    except (InvalidFormat, InvalidComponent):
        return ("统一社会信用代码格式错误", "malformed unified social credit code")
    except ValidationError:
        return ("统一社会信用代码无效", "invalid unified social credit code")
    return None


def check_resident_id(code: str) -> tuple[str, str] | None:
    """None when `code` is a valid 18-digit resident identity number (居民身份证号码, GB 11643)."""
    try:
        ric.validate(code)
    except InvalidChecksum:
        return ("身份证号校验位错误", "the check digit of the resident ID number is wrong")
    except InvalidLength:
        return ("身份证号应为18位", "a resident ID number has 18 characters")
    except InvalidComponent:
        return ("身份证号中的出生日期或地区码无效", "the birth date or region of the resident ID number is invalid")
    except (InvalidFormat, ValidationError):
        return ("身份证号格式错误", "malformed resident ID number")
    return None


def check_subject_code(code: str, kind: str) -> tuple[str, str] | None:
    """Check `code` against the subject kind, naming a code of the other kind explicitly."""
    if kind == "organization":
        reason = check_uscc(code)
        if reason and check_resident_id(code) is None:
            return ("该号码是身份证号，组织应使用统一社会信用代码",
                    "this is a resident ID number; an organization is identified by its unified social credit code")
        return reason
    reason = check_resident_id(code)
    # An 18-digit number is read as an ID number with a typo (a wrong check digit can make it a valid USCC
    # by chance, 1 in 31); only a code with letters in its body is named as a company code.
    if reason and not _looks_like_ric(code) and check_uscc(code) is None:
        return ("该号码是统一社会信用代码，个人应使用身份证号",
                "this is a unified social credit code; an individual is identified by a resident ID number")
    return reason


def mask_resident_id(code: str) -> str:
    """110105194912310021 → 110105********0021: region kept, birth date hidden (spec G1-17)."""
    if len(code) != 18:
        return code
    return code[:6] + "*" * 8 + code[14:]


def normalize_code(code: str) -> str:
    return code.strip().upper()
