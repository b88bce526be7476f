"""What each record file held when the site last read it.

A site build needs every record loaded, not only the findings the check cache keeps; at
20,000 customers reading and schema-checking 235,000 files is the largest part of a
rebuild. So, per folder of records, this cache keeps each file's content id (git's blob id
or kehu's own hash, as kehu.cache.survey gives it) and what reading it gave: the record's
kind and data (with the paths of the dates YAML read unquoted, so they come back as the
same YamlTime values), its K001-K003 problems and its schema problems. A file whose id is
unchanged is taken from here, every other file is read (kehu.parallel); a folder's part is
written again only when one of its files changed.

Its key is the code that reads and validates records (kehu.parallel and all it imports)
and the schemas: change either and nothing here is used. Each part carries a checksum; a
damaged or foreign part is ignored and rewritten. JSON, never pickle. `kehu check` reads
files itself (its own cache keeps findings); `--no-cache` there means no cache at all.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from pathlib import Path

from kehu import parallel
from kehu.cache import _write, folder_of
from kehu.cache_key import key as code_key
from kehu.findings import Text
from kehu.load import Record
from kehu.load.yamlfile import Problem, YamlTime
from kehu.validate import Schemas

FORMAT = 1
PART = "records-{}.json"  # one per folder of records, in kehu's cache folder


def read(root: Path, files: list[str], states: list[str], max_bytes: int, schemas: Schemas) -> list[parallel.Read]:
    """kehu.parallel.read's answers for `files`, from the cache where their content is unchanged."""
    key = code_key(Path(schemas.directory), "", (), roots=("kehu.parallel",))
    by_folder: dict[str, list[tuple[str, str]]] = {}
    for relative, state in zip(files, states):
        by_folder.setdefault(posixpath.dirname(relative), []).append((relative, state))
    answers: dict[str, parallel.Read] = {}
    parts: dict[str, dict] = {}
    missing: list[str] = []
    for folder, members in by_folder.items():
        part = _load(root, folder, key)
        parts[folder] = part
        for relative, state in members:
            entry = part.get(relative)
            if entry is not None and entry[0] == state:
                try:
                    answers[relative] = _decode(relative, entry)
                    continue
                except (TypeError, ValueError, IndexError, KeyError):
                    pass
            missing.append(relative)
    fresh = parallel.read(root, missing, max_bytes, schemas) if missing else []
    for answer in fresh:
        answers[answer[0]] = answer
    stale = {posixpath.dirname(relative) for relative in missing}
    stale |= {folder for folder, members in by_folder.items() if len(parts[folder]) != len(members)}
    state_of = dict(zip(files, states))
    for folder in sorted(stale):
        _save(root, folder, key, {relative: _encode(state_of[relative], answers[relative])
                                  for relative, _ in by_folder[folder]})
    return [answers[relative] for relative in files]


def _name(folder: str) -> str:
    return PART.format(hashlib.sha256(folder.encode("utf-8", "surrogateescape")).hexdigest()[:16])


def _load(root: Path, folder: str, key: str) -> dict:
    try:
        header, _, body = (folder_of(root) / _name(folder)).read_bytes().partition(b"\n")
        head = json.loads(header)
        if head.get("format") == FORMAT and head.get("key") == key and head.get("folder") == folder and \
                head.get("checksum") == hashlib.sha256(body).hexdigest():
            files = json.loads(body.decode("utf-8", "surrogateescape"))
            if isinstance(files, dict):
                return files
    except (OSError, ValueError, AttributeError):
        pass
    return {}


def _save(root: Path, folder: str, key: str, files: dict) -> None:
    body = json.dumps(files, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogateescape")
    header = json.dumps({"format": FORMAT, "key": key, "folder": folder, "checksum": hashlib.sha256(body).hexdigest()},
                        ensure_ascii=False).encode("utf-8", "surrogateescape")
    _write(root, _name(folder), header + b"\n" + body)


def _encode(state: str, answer: parallel.Read) -> list:
    _, record, problems, schema = answer
    return [state, None if record is None else record.kind, None if record is None else record.data,
            [] if record is None else list(_times(record.data, [])),
            [[p.code, p.line, p.column, p.message.zh, p.message.en] for p in problems],
            None if schema is None else [[list(path), at_key, text.zh, text.en] for path, at_key, text in schema]]


def _decode(relative: str, entry: list) -> parallel.Read:
    _, kind, data, times, problems, schema = entry
    record = None
    if data is not None:
        if not isinstance(data, dict):
            raise ValueError("not a record")
        for path in times:
            _mark_time(data, path)
        record = Record(kind, relative, data)
    return (relative, record, [Problem(code, line, column, Text(zh, en)) for code, line, column, zh, en in problems],
            None if schema is None else [(tuple(path), at_key, Text(zh, en)) for path, at_key, zh, en in schema])


def _times(node, path: list):
    """Paths of the values YAML read as unquoted dates (YamlTime), which JSON would make plain text."""
    if type(node) is YamlTime:
        yield list(path)
    elif isinstance(node, dict):
        for name, value in node.items():
            yield from _times(value, [*path, name])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _times(value, [*path, index])


def _mark_time(data, path: list) -> None:
    *parents, last = path
    for step in parents:
        data = data[step]
    if not isinstance(data[last], str):
        raise ValueError("a date that is not text")
    data[last] = YamlTime(data[last])
