"""Identifier checks of 122号 Art.9 (准确收集、填报社会信用统一代码、身份证号) and masking of ID numbers."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import date
from typing import Any

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
    """110105194912310021 → 110105********0021: region kept, birth date hidden (spec G1-17). The first-generation
    15-digit number (GB 11643-1989: region, YYMMDD, sequence) likewise: 110105491231002 → 110105******002."""
    if len(code) == 18:
        return code[:6] + "*" * 8 + code[14:]
    if len(code) == 15:
        return code[:6] + "*" * 6 + code[12:]
    return code


# 17 digits and a digit or X, or the 15 digits of a first-generation card, not part of a longer number: how a
# resident ID number appears in free text (old numbers still appear in older decisions and scanned references)
_RIC_IN_TEXT = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx](?![0-9])|[0-9]{15}(?![0-9Xx]))")


def _has_birth_date(number: str) -> bool:
    """The birth date is a real date: digits 7-14 (1850-2199) of an 18-digit number, digits 7-12 (19YYMMDD) of a
    15-digit one — an ID number even with a wrong check digit (a typo still names a person). Not the check digit:
    whether a number is masked must not depend on it. A 15-digit number without such a date (an old business
    registration number, 注册号) is left as it is."""
    if len(number) == 15:
        year, month, day = 1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])
    else:
        year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    try:
        return 1850 <= year < 2200 and date(year, month, day) is not None
    except ValueError:
        return False


def mask_text(text: str, keep: Collection[str] = ()) -> str:
    """Every resident ID number in a free text (a note, a reference, a file name, a statement) masked as
    mask_resident_id does (spec G1-17; issue 12 item 5), for readers without personal-data need. `keep`: the
    numbers this reader may see in full (a subject account its own)."""
    if not text:
        return text
    return _RIC_IN_TEXT.sub(lambda m: m.group(0) if not _has_birth_date(m.group(0)) or m.group(0).upper() in keep
                            else mask_resident_id(m.group(0)), text)


def mask_value(value: Any, keep: Collection[str] = (), skip: Collection[str] = ()) -> Any:
    """mask_text over every string of a JSON-like value (dicts, lists); other values unchanged. `skip`: keys
    (at any depth) left as they are, e.g. "subject", a code already shown as the reader may see it."""
    if isinstance(value, str):
        return mask_text(value, keep)
    if isinstance(value, dict):
        return {k: v if k in skip else mask_value(v, keep, skip) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v, keep, skip) for v in value]
    return value


def free_text_for(personal: bool, own: str | None = None) -> Callable[[Any], Any]:
    """How a reader sees the free text of a response body (issue 12 item 5, spec G1-17): unchanged for a role
    whose work needs personal data; otherwise every resident ID number masked but the reader's own (`own`, a
    subject account's code). The "subject" field is left to public_code, which masks it by the subject."""
    if personal:
        return lambda value: value
    keep = (own.upper(),) if own else ()
    return lambda value: mask_value(value, keep, skip=("subject",))


def normalize_code(code: str) -> str:
    return code.strip().upper()
