"""One citation key for every article the code implements (issue 6 item 4).

The key is the spec's form (spec §0.2 "Citations"): the document's short number, a space, ``Art.``, the article
number, an optional item ``(n)`` and, for a numbered sub-item inside an item, a trailing number::

    122号 Art.16        第十六条
    122号 Art.16(6)     第十六条(六)
    122号 Art.23(1)4    第二十三条(一)4
    44号 Task 14        44号 任务14   (a work plan's numbered task: documents without articles, spec §0.2)

Code, data (``src/xinyong/standards/default/*.yaml``), the law text (``docs/law/122号.md``) and the tests
(``@pytest.mark.article("122号 Art.16(6)")``) all write this key, so one ``grep`` finds them together. What users
read stays Chinese: :func:`zh` renders one key and :func:`render_zh` every key inside a free text, exactly as the
texts read before the key existed (``122号 第七条 …; 第十一条(二)``: a later key of the same document in the same
text drops the document, and ``(1)(2)`` after a key cites several items of one article).

Pure: no I/O, standard library only. Public name: :mod:`xinyong.rules.citation` (re-exports this module); it
lives in ``standards`` because the loader renders keys and ``standards`` is the lowest layer (docs/architecture.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = "零一二三四五六七八九"

KEY_PATTERN = (r"(?P<doc>\d+号) (?:Art\.(?P<art>[1-9]\d*)(?:\((?P<item>[1-9]\d*)\)(?P<sub>[1-9]\d*)?)?"
               r"|Task (?P<task>[1-9]\d*))")
_KEY = re.compile(KEY_PATTERN)
_KEY_FULL = re.compile(KEY_PATTERN + r"\Z")
# A key in a text, with the further items of the same article that follow it: "122号 Art.11(1)(2)".
_KEY_RUN = re.compile(KEY_PATTERN + r"(?P<more>(?:\([1-9]\d*\))*)")
_CN_NUM = "[零一二三四五六七八九十百]+"
# A Chinese article citation: optional document, 第…条, items (一)(二), an optional numbered sub-item.
_ZH_RUN = re.compile(
    rf"(?:(?P<doc>\d+号) )?第(?P<art>{_CN_NUM})条(?P<items>(?:\({_CN_NUM}\))*)(?P<sub>[1-9]\d*)?"
)
DEFAULT_DOC = "122号"
# A Chinese article citation that ends a text (the article before "、" in a list of articles).
_ZH_RUN_ENDING = re.compile(
    rf"第(?:{_CN_NUM})条(?:\({_CN_NUM}\))*(?:[1-9]\d*)?\Z"
)


@dataclass(frozen=True, order=True)
class Citation:
    """One article, item or numbered sub-item of a document: ``122号 Art.16(6)``; or a numbered task of a work
    plan (``unit`` "Task": ``44号 Task 14``, no items)."""

    doc: str
    article: int
    item: int | None = None
    sub: int | None = None
    unit: str = "Art"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d+号", self.doc):
            raise ValueError(f"citation document {self.doc!r}: expected a short number such as 122号")
        if self.article < 1 or (self.item is not None and self.item < 1) or (self.sub is not None and self.sub < 1):
            raise ValueError("citation numbers start at 1")
        if self.sub is not None and self.item is None:
            raise ValueError("a numbered sub-item belongs to an item: Art.7(2)2, not Art.7 2")
        if self.unit not in ("Art", "Task") or (self.unit == "Task" and self.item is not None):
            raise ValueError("a citation is an article (Art.N, items allowed) or a task (Task N, no items)")

    def __str__(self) -> str:
        return key(self)

    @property
    def article_key(self) -> Citation:
        """The article this item belongs to (``122号 Art.16(6)`` → ``122号 Art.16``)."""
        return Citation(self.doc, self.article, unit=self.unit)

    def covers(self, other: Citation) -> bool:
        """True if `other` is this citation or lies inside it (an article covers its items)."""
        return (self.doc, self.unit, self.article) == (other.doc, other.unit, other.article) and (
            self.item is None or (self.item == other.item and (self.sub is None or self.sub == other.sub)))


def parse(text: str) -> Citation:
    """The key ``122号 Art.16(6)`` as a Citation; ValueError if `text` is not exactly one well-formed key."""
    m = _KEY_FULL.match(text)
    if not m:
        raise ValueError(f"not a citation key: {text!r} (expected e.g. '122号 Art.16(6)', '122号 Art.7(2)2' or "
                         "'44号 Task 14')")
    return _from_match(m)


def is_key(text: str) -> bool:
    return _KEY_FULL.match(text) is not None


def key(c: Citation) -> str:
    """The canonical key: ``122号 Art.16(6)``, ``44号 Task 14``."""
    if c.unit == "Task":
        return f"{c.doc} Task {c.article}"
    out = f"{c.doc} Art.{c.article}"
    if c.item is not None:
        out += f"({c.item})"
    if c.sub is not None:
        out += str(c.sub)
    return out


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 16 → 十六, 20 → 二十, 28 → 二十八 (articles and items of a measure stay below 1000)."""
    if not 0 < n < 1000:
        raise ValueError(f"{n}: out of range for an article or item number")
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    if ones:
        out += _DIGITS[ones]
    return out


def from_cn_number(text: str) -> int:
    """Inverse of :func:`cn_number`: 十六 → 16, 二十八 → 28, 一百零一 → 101."""
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch in _DIGITS:
            current = _DIGITS.index(ch)
        else:
            raise ValueError(f"{text!r}: not a Chinese number")
    n = total + current
    if n <= 0 or cn_number(n) != text:
        raise ValueError(f"{text!r}: not a Chinese number in its usual form")
    return n


def zh(c: Citation, *, with_doc: bool = True) -> str:
    """Chinese display: ``122号 第十六条(六)`` (``第十六条(六)`` without the document); ``44号 任务14``."""
    if c.unit == "Task":
        return f"{c.doc} 任务{c.article}" if with_doc else f"任务{c.article}"
    out = f"第{cn_number(c.article)}条"
    if c.item is not None:
        out += f"({cn_number(c.item)})"
    if c.sub is not None:
        out += str(c.sub)
    return f"{c.doc} {out}" if with_doc else out


def from_zh(text: str, doc: str = DEFAULT_DOC) -> Citation:
    """``122号 第十六条(六)`` or ``第十六条(六)`` (document `doc`) as a Citation; exactly one citation."""
    m = _ZH_RUN.fullmatch(text.strip())
    if not m:
        raise ValueError(f"not a Chinese article citation: {text!r} (expected e.g. '第十六条(六)')")
    cites = _zh_run_citations(m, doc)
    if len(cites) != 1:
        raise ValueError(f"{text!r} cites {len(cites)} items; expected one")
    return cites[0]


def coerce(text: str, doc: str = DEFAULT_DOC) -> Citation:
    """A key (``122号 Art.16(4)``) or its Chinese display (``第十六条(四)``, ``122号 第十六条(四)``)."""
    return parse(text) if is_key(text) else from_zh(text, doc)


def keys_in(text: str) -> list[Citation]:
    """Every citation written as a key in a free text, in order; ``122号 Art.11(1)(2)`` gives both items."""
    out: list[Citation] = []
    for m in _KEY_RUN.finditer(text):
        first = _from_match(m)
        out.append(first)
        for extra in re.findall(r"\((\d+)\)", m.group("more")):
            out.append(Citation(first.doc, first.article, int(extra)))
    return out


def zh_citations_in(text: str, doc: str = DEFAULT_DOC) -> list[Citation]:
    """Every Chinese article citation in a free text (``122号 第七条 …; 第十一条(二)``); a citation without a
    document belongs to the last document named before it in the text, else to `doc`."""
    out: list[Citation] = []
    current = doc
    for m in _ZH_RUN.finditer(text):
        if _inside_other_number(text, m.start()):
            continue
        cites = _zh_run_citations(m, current)
        current = cites[0].doc
        out.extend(cites)
    return out


def render_zh(text: str) -> str:
    """A free text with keys rendered for Chinese display, as the texts read before the key:
    ``122号 Art.7 良好信用信息; 122号 Art.11(2)`` → ``122号 第七条 良好信用信息; 第十一条(二)``.
    The first key of a document keeps the document; later keys of the same document in the text drop it."""
    seen: set[str] = set()

    def one(m: re.Match[str]) -> str:
        c = _from_match(m)
        shown = zh(c, with_doc=c.doc not in seen)
        seen.add(c.doc)
        more = "".join(f"({cn_number(int(n))})" for n in re.findall(r"\((\d+)\)", m.group("more")))
        return shown + more

    return _KEY_RUN.sub(one, text)


def to_keys(text: str, doc: str = DEFAULT_DOC) -> str:
    """The inverse of :func:`render_zh`: every Chinese citation of a free text written as a full key
    (``122号 第七条 …; 第十一条(二)`` → ``122号 Art.7 …; 122号 Art.11(2)``). ``render_zh(to_keys(t)) == t`` for the
    texts of the data files (checked by tests/rules/test_citation.py)."""
    current = doc

    def one(m: re.Match[str]) -> str:
        nonlocal current
        if _inside_other_number(text, m.start()):
            return m.group(0)
        cites = _zh_run_citations(m, current)
        current = cites[0].doc
        first = key(cites[0])
        if m.group("sub") is None and len(cites) > 1:
            first += "".join(f"({c.item})" for c in cites[1:])
        return first

    return _ZH_RUN.sub(one, text)


def _from_match(m: re.Match[str]) -> Citation:
    if m.group("task"):
        return Citation(m.group("doc"), int(m.group("task")), unit="Task")
    item = m.group("item")
    sub = m.group("sub")
    return Citation(m.group("doc"), int(m.group("art")), int(item) if item else None, int(sub) if sub else None)


def _zh_run_citations(m: re.Match[str], doc: str) -> list[Citation]:
    d = m.group("doc") or doc
    art = from_cn_number(m.group("art"))
    items = [from_cn_number(x) for x in re.findall(rf"\(({_CN_NUM})\)", m.group("items") or "")]
    sub = int(m.group("sub")) if m.group("sub") else None
    if not items:
        if sub is not None:
            raise ValueError(f"{m.group(0)!r}: a numbered sub-item needs its item")
        return [Citation(d, art)]
    if sub is not None and len(items) > 1:
        raise ValueError(f"{m.group(0)!r}: a numbered sub-item after several items")
    return [Citation(d, art, items[0], sub)] + [Citation(d, art, i) for i in items[1:]]


def _inside_other_number(text: str, start: int) -> bool:
    """A 第…条 that belongs to another, named law is not a citation of a measure: ``民法典 第二百零二条``,
    ``本办法第…``, ``国务院令第493号``, ``《测绘法》第二十七条``. Skipped when the citation is glued to a Chinese word or separated from one
    by a single space; a citation after a separator, an English word or the text start is kept."""
    before = text[:start]
    if before.endswith("、"):  # 《测绘法》第二十七条、第二十九条: a list continues the law of its first article
        prev = _ZH_RUN_ENDING.search(before[:-1])
        if prev is not None:
            if re.search(r"\d+号 \Z", before[:prev.start()]):  # 122号 第十一条、第十二条
                return False
            return _inside_other_number(text, prev.start())
    if before.endswith(" "):
        before = before[:-1]
    # 《测绘法》第二十七条: an article after a law's title (book-title mark) belongs to that law.
    return bool(before) and (_is_cjk(before[-1]) or before[-1] == "》")


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"
