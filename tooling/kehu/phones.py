"""Phone numbers: one key however a number was written, and the masked form outputs show."""

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
