"""What a rule is: a code, a short name, a severity and a function, with its docs."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Callable, Iterable

from kehu.findings import Hit, Text

DOC_SECTIONS = ("它检查什么", "为什么", "出处", "错误示例", "正确示例")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str  # a short English slug, e.g. "duplicate-key"
    title: Text
    severity: str  # default severity; policy may change it
    check: Callable[..., Iterable[Hit]]
    doc: str  # Markdown, with the sections of DOC_SECTIONS as "## " headings
    stage: str = "check"  # "check": kehu check runs it on the records; "review": kehu review on a change
    # A rule sees one customer at a time, with the records that name it (its visits and
    # complaints), plus staff and policy -- unless it compares records across the whole
    # repository: then it lists the top-level fields it reads, and a re-check after a few
    # changed files runs it on a compact copy of those fields (kehu.incremental).
    reads: tuple[str, ...] | None = None

    def sections(self) -> dict[str, str]:
        parts = re.split(r"^## +(.+?)\s*$", self.doc, flags=re.M)
        return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def rule(code: str, name: str, severity: str, zh: str, en: str, stage: str = "check", reads=None):
    """Register a function as the rule `code`; its docstring is the rule's documentation."""

    def wrap(function):
        doc = inspect.cleandoc(function.__doc__ or "")
        function.rule = Rule(code, name, Text(zh, en), severity, function, doc, stage, reads)
        return function

    return wrap
