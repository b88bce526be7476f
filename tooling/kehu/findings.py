"""The values that flow from loader and rules to reporters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple


class Text(NamedTuple):
    """A message in both languages; the reporter picks one."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule yields: where (a record and a path inside it, or a file and line) and why.

    The engine turns hits into findings: it stamps code and severity (so policy can change
    them) and resolves `path` to a line only when needed.
    """

    message: Text
    record: Any = None  # kehu.load.Record
    path: tuple = ()
    file: str | None = None
    line: int | None = None
    column: int | None = None
    at_key: bool = False  # point at the key itself (an unexpected field), not its value
    record_id: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str  # "error" | "warning"
    file: str | None
    line: int | None
    column: int | None
    record: str | None
    message: Text

    def sort_key(self):
        return (self.file or "", self.line or 0, self.column or 0, self.code, self.message.zh)

    def as_dict(self, lang: str) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "record": self.record,
            "message": self.message.get(lang),
        }
