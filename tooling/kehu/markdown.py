"""Record values inside generated Markdown: always text, never markup.

HTML is escaped, and so is every character that Markdown or its extensions could turn into
a link, emphasis, code, a table cell break or an attribute list ({: onclick=…}).
"""

from __future__ import annotations

import html
import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()|~])")
_UNSAFE_IN_TITLE = set('<>&"\'\\')


def esc(value) -> str:
    text = html.escape("" if value is None else str(value), quote=True)
    return _SPECIAL.sub(r"\\\1", text).replace("\r", " ").replace("\n", " ")


def titled(title, heading: str | None = None) -> str:
    """A page's start: front matter with its title, then its `# heading` (the title, escaped,
    unless given). MkDocs would take the title from the heading, and Material writes it into
    <title> unescaped (`striptags` even turns &lt; back into <): so every page whose heading
    holds a record value says its title here, with markup characters, quotes, backslashes and
    anything unprintable written as character references (&#60; for <): text in <title> and
    in the header alike, and a plain YAML string."""
    text = "" if title is None else str(title)
    safe = "".join(ch if ch.isprintable() and ch not in _UNSAFE_IN_TITLE else f"&#{ord(ch)};" for ch in text)
    return f'---\ntitle: "{safe}"\n---\n\n# {esc(text) if heading is None else heading}\n'
