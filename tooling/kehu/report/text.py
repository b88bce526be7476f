"""`--format text`: grouped by file, each finding with its source line and a caret."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from itertools import groupby

from kehu.findings import shown
from kehu.load.yamlfile import decode

SEVERITY = {"error": ("错误", "error"), "warning": ("警告", "warning")}


def label(finding, lang: str) -> str:
    """错误 / 警告, and why a finding does not count when it does not."""
    english = lang == "en"
    text = SEVERITY[finding.severity][1 if english else 0]
    if finding.excepted:
        text += " (excepted)" if english else "（已豁免）"
    elif finding.state == "done_late":
        text += " (done late)" if english else "（已完成，逾期）"
    elif finding.new is False:
        text += " (existing)" if english else "（原有）"
    return text


@lru_cache(maxsize=64)
def _lines(path: str) -> tuple[str, ...]:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(4 * 1024 * 1024)
    except OSError:
        return ()
    text, _ = decode(raw)
    return tuple(text.splitlines()) if text is not None else ()


def _width(text: str) -> int:
    """Terminal columns: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render(result, lang: str, out, root=None) -> None:
    root = root or result.root
    for file, group in groupby(result.findings, key=lambda f: f.file):
        out.write(f"{shown(file) or '(repository)'}\n")
        for f in group:
            where = f"{shown(file)}:{f.line or 1}:{f.column or 1}" if file else "(repository)"
            record = f" [{f.record}]" if f.record else ""
            out.write(f"{where}: {f.code} {label(f, lang)}{record} {f.message.get(lang)}\n")
            lines = _lines(str(root / file)) if (root and file and f.line) else ()
            if f.line and 0 < f.line <= len(lines):
                source = lines[f.line - 1].replace("\t", " ")
                gutter = f"{f.line:>5} | "
                out.write(f"{gutter}{source}\n")
                if f.column:
                    pad = _width(source[: f.column - 1])
                    out.write(" " * (len(gutter) - 2) + "| " + " " * pad + "^\n")
        out.write("\n")
    out.write(result.headline(lang) + "\n")

