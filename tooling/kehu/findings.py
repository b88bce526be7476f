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


def shown(path: str | None) -> str | None:
    """A path as outputs print it: a file name that is not UTF-8 (kept by Python as
    surrogate escapes) shows its odd bytes as \\xff instead of breaking the output."""
    if path is None or path.isascii():
        return path
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


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
    done_late: bool = False  # the deadline was missed on work already done: no edit can fix it


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str  # "error" | "warning"
    file: str | None
    line: int | None
    column: int | None
    record: str | None
    message: Text
    field: str | None = None  # the path inside the record ("phones.0"), part of its identity
    excepted: bool = False  # a signed exception (豁免) on the record covers it
    state: str | None = None  # "done_late": a deadline missed on finished work
    new: bool | None = None  # against a reference (--new-since, review); None: not compared

    @property
    def open(self) -> bool:
        """Still to act on: not excepted, not finished late, not there before."""
        return not self.excepted and self.state != "done_late" and self.new is not False

    @property
    def blocks(self) -> bool:
        """Fails the run (exit status 1)."""
        return self.severity == "error" and self.open

    def sort_key(self):
        return (self.file or "", self.line or 0, self.column or 0, self.code, self.message.zh)

    def as_dict(self, lang: str) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": shown(self.file),
            "line": self.line,
            "column": self.column,
            "record": self.record,
            "message": self.message.get(lang),
            "excepted": self.excepted,
            "state": self.state or "open",
            "new": self.new,
        }
