"""Record values inside generated Markdown: always text, never markup.

HTML is escaped, and so is every character that Markdown or its extensions could turn into
a link, emphasis, code, a table cell break or an attribute list ({: onclick=…}).
"""

from __future__ import annotations

import html
import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()|~])")


def esc(value) -> str:
    text = html.escape("" if value is None else str(value), quote=True)
    return _SPECIAL.sub(r"\\\1", text).replace("\r", " ").replace("\n", " ")
