"""Files -> records that remember where they came from.

A file that cannot be read becomes a problem (K001-K003) and loading goes on, the way
Beancount's loader returns errors as values beside the entries it could read.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kehu.findings import Text
from kehu.load.yamlfile import LIBYAML, Problem, decode, parse

__all__ = ["LIBYAML", "Record", "Repository", "find_root", "load_repository", "NoRepository"]

RECORDS_DIR = "records"
# records/<folder>/... -> kind; the folder depth the layout expects below records/
FOLDER_KINDS = {
    "customers": ("customer", 3),
    "visits": ("visit", 4),
    "complaints": ("complaint", 3),
    "disposals": ("disposal", 3),
    "appeals": ("appeal", 3),
    "staff": ("staff", 2),
}
KIND_FOLDERS = {kind: folder for folder, (kind, _) in FOLDER_KINDS.items()}
# the field whose date places a record in its year (and month) folder
DATE_FIELDS = {"customer": "registered_at", "visit": "at", "complaint": "received_at", "disposal": "at",
               "appeal": "filed_at"}
ID_PREFIX_KINDS = {"C": "customer", "V": "visit", "T": "complaint", "D": "disposal", "A": "appeal"}
YAML_SUFFIXES = (".yaml", ".yml")
DEFAULT_MAX_FILE_KB = 1024
# a record file at its layout path, by shape alone (K004 then compares it with the content)
LAYOUT = {
    "customer": re.compile(r"records/customers/[0-9]{4}/C[0-9]{4}-[0-9]{4,}\.yaml"),
    "visit": re.compile(r"records/visits/[0-9]{4}/(0[1-9]|1[0-2])/V[0-9]{4}-[0-9]{6,}\.yaml"),
    "complaint": re.compile(r"records/complaints/[0-9]{4}/T[0-9]{4}-[0-9]{4,}\.yaml"),
    "disposal": re.compile(r"records/disposals/[0-9]{4}/D[0-9]{4}-[0-9]{4,}\.yaml"),
    "appeal": re.compile(r"records/appeals/[0-9]{4}/A[0-9]{4}-[0-9]{4,}\.yaml"),
    "staff": re.compile(r"records/staff/[a-z][a-z0-9_-]{1,31}\.yaml"),
    "policy": re.compile(r"records/policy\.yaml"),
}


class NoRepository(Exception):
    """No records repository where kehu was asked to look."""


@dataclass(slots=True, eq=False)
class Record:
    kind: str | None  # customer, visit, complaint, staff, disposal, appeal, policy; None if unplaceable
    file: str  # relative to the repository root, "/"-separated
    data: dict
    valid: bool = True  # False once the schema found a problem
    opened: dict | None = None  # field -> kehu.sealing.Opened: sealed values this process opened
    withheld: dict | None = None  # field -> kehu.sealing.Unreadable: sealed values it could not

    @property
    def id(self) -> str | None:
        value = self.data.get("id")
        return value if isinstance(value, str) else None


@dataclass(eq=False)
class Repository:
    root: Path
    today: date
    records: list[Record] = field(default_factory=list)
    problems: list[tuple[str, Problem]] = field(default_factory=list)  # (file, problem)
    schema_problems: list = field(default_factory=list)  # K101 hits, set by the validate stage
    files: int = 0
    policy: dict = field(default_factory=dict)
    schemas: object = None  # kehu.validate.Schemas, set by the validate stage
    calendar: object = None  # kehu.calendar.WorkCalendar, from the policy
    facts: dict = field(default_factory=dict)  # kehu.facts caches, computed once per run
    sealing: object = None  # kehu.sealing.Tally: what opening the sealed values gave, set by the validate stage
    _by_kind: dict = field(default_factory=dict)
    _ids: dict = field(default_factory=dict)

    def path(self, record_or_file) -> Path:
        file = record_or_file if isinstance(record_or_file, str) else record_or_file.file
        return self.root / file

    def of(self, kind: str, valid_only: bool = True) -> list[Record]:
        """Records of one kind; rules see only schema-valid ones unless they ask."""
        key = (kind, valid_only)
        if key not in self._by_kind:
            self._by_kind[key] = [
                r for r in self.records if r.kind == kind and (r.valid or not valid_only)
            ]
        return self._by_kind[key]

    def ids(self, kind: str) -> dict[str, Record]:
        """Every id of a kind, valid or not (a typo elsewhere must not hide a record)."""
        if kind not in self._ids:
            table: dict[str, Record] = {}
            for record in self.of(kind, valid_only=False):
                if record.id is not None:
                    table.setdefault(record.id, record)
            self._ids[kind] = table
        return self._ids[kind]

    def forget_indexes(self) -> None:
        self._by_kind.clear()
        self._ids.clear()
        self.facts.clear()


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding kehu.yaml or records/."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "kehu.yaml").is_file() or (folder / RECORDS_DIR).is_dir():
            return folder
    raise NoRepository(start)


def record_files(root: Path) -> list[str]:
    """Record files as "/"-separated paths relative to root, sorted. Hidden files and
    folders are skipped, symlinked folders not followed. (Plain strings and list
    comprehensions: at 200,000 files, this walk is a visible part of a cached re-check.)"""
    found: list[str] = []
    stack = [RECORDS_DIR]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(os.path.join(root, folder)) as listing:
                entries = [entry for entry in listing if not entry.name.startswith(".")]
        except OSError:
            continue
        folders = {entry.name for entry in entries if entry.is_dir(follow_symlinks=False)}
        stack.extend(f"{folder}/{name}" for name in sorted(folders))
        prefix = folder + "/"
        if folders:
            found.extend(prefix + entry.name for entry in entries
                         if entry.name.endswith(YAML_SUFFIXES) and entry.name not in folders)
        else:
            found.extend(prefix + entry.name for entry in entries if entry.name.endswith(YAML_SUFFIXES))
    found.sort()
    return found


def kind_of_location(relative: str) -> str | None:
    parts = relative.split("/")
    if parts == [RECORDS_DIR, "policy.yaml"]:
        return "policy"
    if len(parts) >= 3 and parts[1] in FOLDER_KINDS:
        return FOLDER_KINDS[parts[1]][0]
    return None


def layout_kind(relative: str) -> str | None:
    """The kind of record a path holds if it is at a layout path, else None."""
    return next((kind for kind, shape in LAYOUT.items() if shape.fullmatch(relative)), None)


def load_file(root: Path, relative: str, max_bytes: int) -> tuple[Record | None, list[Problem]]:
    path = os.path.join(str(root), relative)
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):  # a symlink is never followed, a FIFO never opened
            what = Text("符号链接", "a symlink") if stat.S_ISLNK(info.st_mode) else Text("不是普通文件（管道、设备等）",
                                                                                      "not a regular file (a FIFO, a device)")
            return None, [Problem("K003", None, None, Text(f"{what.zh}，未读取：记录必须是普通文件",
                                                           f"{what.en}; not read: a record must be a regular file"))]
        size = info.st_size
        if size > max_bytes:
            return None, [Problem("K003", None, None, Text(
                f"文件过大（{size / 1024 / 1024:.1f} MB，上限 {max_bytes // 1024} KB），未读取："
                "一条记录不会这么大，请检查是否放错了文件",
                f"file too large ({size / 1024 / 1024:.1f} MB, limit {max_bytes // 1024} KB); "
                "not read: a record is never this big"))]
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, [Problem("K003", None, None, Text(f"无法读取文件：{exc.strerror}", f"cannot read file: {exc.strerror}"))]
    text, problem = decode(raw)
    if problem:
        return None, [problem]
    parsed = parse(text)
    if parsed.data is None:
        return None, parsed.problems
    kind = kind_of_location(relative)
    if kind is None:
        record_id = parsed.data.get("id")
        if isinstance(record_id, str) and record_id[:1] in ID_PREFIX_KINDS:
            kind = ID_PREFIX_KINDS[record_id[:1]]
    return Record(kind, relative, parsed.data), parsed.problems


def load_repository(root: Path, today: date, files: list[str] | None = None) -> Repository:
    """Every record file under root, or only `files` (paths as record_files gives them)."""
    max_bytes = max_file_kb(root) * 1024
    return assemble(root, today, ((relative, *load_file(root, relative, max_bytes))
                                  for relative in (record_files(root) if files is None else files)))


def assemble(root: Path, today: date, loaded) -> Repository:
    """A repository from (file, record or None, problems) in file order."""
    repo = Repository(root=root, today=today)
    for relative, record, problems in loaded:
        repo.files += 1
        repo.problems.extend((relative, p) for p in problems)
        if record is not None:
            repo.records.append(record)
    return repo


def max_file_kb(root: Path) -> int:
    """The size limit is policy, and policy is itself a file: peek at it first."""
    if (root / RECORDS_DIR / "policy.yaml").is_file():
        record, _ = load_file(root, f"{RECORDS_DIR}/policy.yaml", DEFAULT_MAX_FILE_KB * 1024)
        value = record.data.get("max_file_kb") if record else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return DEFAULT_MAX_FILE_KB
