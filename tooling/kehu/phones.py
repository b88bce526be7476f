"""Phone numbers: one key however a number was written, the masked form outputs show, and
the numbers people type into free text (mobiles, landlines, 18-digit ID-card numbers): K701
warns about them, and every default output masks them with `mask_numbers`."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-()（）]")
_EXTENSION = re.compile(r"(转|ext\.?|x)\d+$", re.I)


def phone_key(phone) -> str:
    """One number however it was written: +86 138-0013-8000, 0086 13800138000 and
    138 0013 8000 are all 13800138000; a landline keeps its area code (02164381234)."""
    text = _EXTENSION.sub("", _SEPARATORS.sub("", str(phone)))
    for prefix in ("+86", "0086", "86"):
        rest = text[len(prefix):]
        if text.startswith(prefix) and (re.fullmatch(r"1[3-9]\d{9}", rest) or re.fullmatch(r"0?[1-9]\d{8,10}", rest)):
            text = rest if rest.startswith(("0", "1")) else "0" + rest
            break
    return text


def mask_phone(phone) -> str:
    """138****8000: the first three and the last four digits."""
    digits = re.sub(r"\D", "", phone_key(phone))
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****"


def mask_id_card(number: str) -> str:
    """110105********002X: the region and the last four characters."""
    return f"{number[:6]}********{number[-4:]}"


# the numbers, as people type them into notes, summaries and commit subjects
_MOBILE = r"(1[3-9]\d[ -]?\d{4}[ -]?\d{4})"  # 138 1234 5678, 138-1234-5678
_ID_CARD = r"(\d{17}[\dXx])"  # 18 characters, the last may be X
_LANDLINE = r"(0\d{2,3}[ -]?\d{7,8})"  # 021-64381234, 0571 88886666
# K701's patterns: not inside a word or a longer number, so record ids, dates and amounts
# are not taken for numbers; a warning wants few false alarms
MOBILE = re.compile(rf"(?<![0-9A-Za-z])(?:\+?86[ -]?)?{_MOBILE}(?![0-9])")
ID_CARD = re.compile(rf"(?<![0-9A-Za-z]){_ID_CARD}(?![0-9A-Za-z])")
# masking casts the wider net: a number glued to letters (Tel13812345678), behind 0086, or a
# landline is masked too; a false alarm costs a few digits of an order number, a miss a phone
_IN_TEXT = re.compile(rf"(?<!\d)(?:{_ID_CARD}|(?:(?:\+|00)?86[ -]?)?{_MOBILE}|{_LANDLINE})(?!\d)")
# full-width digits, plus, hyphen and space as their ASCII twins: one character for one, so
# a match in the translated text is at the same place in the original
_SEVEN_DIGITS = re.compile(r"(?:[\d０-９][ \-－\u3000]?){7}")  # every number masked has at least seven digits
_HALF_WIDTH = str.maketrans({**{chr(0xFF10 + n): str(n) for n in range(10)}, "＋": "+", "－": "-", "\u3000": " ",
                             "Ｘ": "X", "ｘ": "x"})


def mask_numbers(text: str) -> str:
    """Free text with every phone and ID-card number in it masked, the rest unchanged:
    客户新号码 13812345678 -> 客户新号码 138****5678; 身份证 11010519491231002X -> 身份证 110105********002X."""
    if not _SEVEN_DIGITS.search(text):  # most text: no number to mask, nothing to translate
        return text
    plain = text.translate(_HALF_WIDTH)
    parts, last = [], 0
    for match in _IN_TEXT.finditer(plain):
        id_card, mobile, landline = match.groups()
        parts += [text[last:match.start()], mask_id_card(id_card) if id_card else mask_phone(mobile or landline)]
        last = match.end()
    return "".join(parts) + text[last:] if parts else text
