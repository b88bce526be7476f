"""What `kehu check` remembers between runs: inside git's own folder (`.git/kehu-cache/`),
where no branch can commit a doctored copy; outside git, in the self-ignoring `.kehu-cache/`.

Every record file is known by its content: git's blob id, taken from the index for a file
git reports unchanged and computed from the bytes otherwise (a modified or untracked file,
or every file outside git). The cache keeps, per file, that id and what the last run learnt
from it; a run that finds the same ids answers at once, one that finds a few changed ids
re-checks only what they touch (kehu.incremental).

The code that decides findings, the schemas, the date and the rule selection form the
cache's key: if any differs, the cache is not used. That code is kehu.check's module and every
kehu module it imports, directly or not, at the top or inside a function (`sources()` follows
the import statements): the loader, the schemas' validation, the rules, the engine, the
calendar, this cache. A module a rule starts to import is in the key from then on; page
generation, reports, review, import/export and the demo generator never are, so editing
them leaves every company's cache valid. kehu imports absolutely (`from kehu.x import y`);
tests/test_cache.py checks that the modules a check really loads are all in the key.
The file carries a checksum of its payload; a damaged cache, or one from another key, is
ignored and rewritten, never trusted. JSON, not pickle: reading a cache
can never run code.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

from kehu.cache_key import FORMAT, key, sources  # noqa: F401 -- the key is part of the cache's interface
from kehu.findings import Finding, Text
from kehu.load import RECORDS_DIR, record_files

FOLDER = ".kehu-cache"  # outside git only; a tracked one is never read (review: K808)


@dataclass
class Snapshot:
    """One run: its answer, and what it learnt file by file.

    `table` holds `files`, `states` and per-file columns that kehu.incremental defines; it
    is the bulk of the cache, so it is parsed only when some file changed.
    """

    key: str
    state: str  # digest of every file's path and content id
    files: int
    records: int
    findings: list[Finding]  # from rules that look at one customer at a time
    global_findings: list[Finding]  # from rules that compare across the repository
    notes: list[Text] = field(default_factory=list)
    table: dict | None = None
    _raw_table: bytes = b""
    _table_checksum: str = ""

    def load_table(self) -> dict | None:
        """The per-file table, if it is whole; None if not."""
        if self.table is None and self._raw_table:
            if hashlib.sha256(self._raw_table).hexdigest() == self._table_checksum:
                self.table = _parse(self._raw_table)
            self._raw_table = b""
        return self.table if isinstance(self.table, dict) else None


def state_of(files: list[str], states: list[str]) -> str:
    digest = hashlib.sha256("\0".join(files).encode("utf-8", "surrogateescape"))
    digest.update(b"\n" + "\0".join(states).encode())
    return digest.hexdigest()


def survey(root: Path) -> tuple[list[str], list[str]]:
    """Every record file (as kehu.load.record_files lists them) and the git blob id of its
    current content. Git works in other processes while this one walks the folders."""
    git = _GitBlobs(root)
    files = record_files(root)
    states = git.states(files)
    unsure = [index for index, state in enumerate(states) if state is None]
    if unsure:
        _Hashed(root).fill(files, states, unsure)
    return files, states


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b"<unreadable>"


def _blob_id(path: Path) -> str:
    data = _read(path)
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class _Hashed:
    """Blob ids kehu computed itself (files git does not vouch for: all of them outside
    git), remembered with each file's size, change time, modification time and inode, as
    git's index does. A file whose stat is unchanged keeps its id; a file changed in the
    last seconds before a run is not remembered, since a second write within the same
    clock tick would leave its stat unchanged (git's "racily clean" entries)."""

    NAME = "blobs.json"
    RACY_NS = 2_000_000_000

    def __init__(self, root: Path):
        self.root = root
        self.known: dict = {}
        try:
            header, _, body = (folder_of(root) / self.NAME).read_bytes().partition(b"\n")
            if json.loads(header) == {"format": FORMAT, "checksum": hashlib.sha256(body).hexdigest()}:
                self.known = json.loads(body.decode("utf-8", "surrogateescape"))
        except (OSError, ValueError):
            pass
        if not isinstance(self.known, dict):
            self.known = {}

    def fill(self, files: list[str], states: list, unsure: list[int]) -> None:
        started = time.time_ns()
        remembered = {}
        for index in unsure:
            relative = files[index]
            path = self.root / relative
            try:
                info = os.lstat(path)
            except OSError:
                states[index] = "unreadable"
                continue
            if not S_ISREG(info.st_mode):  # a symlink or FIFO is a K003 finding, never read
                states[index] = f"special:{info.st_mode}:{info.st_ino}"
                continue
            stat = [info.st_size, info.st_ctime_ns, info.st_mtime_ns, info.st_ino]
            known = self.known.get(relative)
            if isinstance(known, list) and len(known) == 5 and known[:4] == stat and isinstance(known[4], str):
                states[index] = known[4]
            else:
                states[index] = _blob_id(path)  # read after the stat: a later write changes the stat
            if max(info.st_ctime_ns, info.st_mtime_ns) < started - self.RACY_NS:
                remembered[relative] = [*stat, states[index]]
        if remembered != self.known:
            body = _dump(remembered)
            _write(self.root, self.NAME, _dump({"format": FORMAT, "checksum": hashlib.sha256(body).hexdigest()})
                   + b"\n" + body)


# "H <mode> <blob> <stage>\t<path>": only a plain (not assume-unchanged, not skip-worktree),
# merged, regular file
_CLEAN_ENTRY = re.compile(rb"(?:^|\0)H 100(?:644|755) ([0-9a-f]{40,64}) 0\t([^\0]*)")


class _GitBlobs:
    """{path: blob id} for the files under records/ whose content git vouches for: tracked
    and not modified. Empty outside git."""

    COMMANDS = (("ls-files", "-v", "-s", "-z", "--", RECORDS_DIR),
                ("status", "--porcelain=v1", "-z", "--untracked-files=no", "--", RECORDS_DIR),
                ("rev-parse", "--show-prefix"))

    def __init__(self, root: Path):
        try:
            self.running = [subprocess.Popen(["git", *args], cwd=root, stdout=subprocess.PIPE,
                                             stderr=subprocess.DEVNULL) for args in self.COMMANDS]
        except OSError:
            self.running = []

    def states(self, files: list[str]) -> list[str | None]:
        """Per file, its blob id if git vouches for its content, else None."""
        outputs = []
        for process in self.running:
            out, _ = process.communicate()
            outputs.append(out if process.returncode == 0 else None)
        if len(outputs) != len(self.COMMANDS) or None in outputs:
            return [None] * len(files)
        listed, status, prefix = outputs
        found = _CLEAN_ENTRY.findall(listed)
        encoded = [relative.encode("utf-8", "surrogateescape") for relative in files]
        if [path for _, path in found] == encoded:  # the usual case: git tracks exactly these files
            states = [blob.decode() for blob, _ in found]
        else:
            known = {path: blob.decode() for blob, path in found}
            states = [known.get(path) for path in encoded]
        prefix = prefix.decode("utf-8", "surrogateescape").strip()
        tokens = iter(status.split(b"\0"))
        for token in tokens:
            if len(token) > 3:
                # status names paths from the top of the work tree; ls-files from here
                relative = token[3:].decode("utf-8", "surrogateescape").removeprefix(prefix)
                index = bisect_left(files, relative)
                if index < len(files) and files[index] == relative:
                    states[index] = None
                if token[:1] in (b"R", b"C"):
                    next(tokens, None)  # a rename's or copy's old path follows
        return states


NAME = "check.json"


def _path(root: Path) -> Path:
    return folder_of(root) / NAME


def folder_of(root: Path) -> Path:
    """Where the cache of the records repository at `root` lives: in the git directory of
    the work tree that holds it (one folder per records repository), else `root/.kehu-cache`."""
    root = root.resolve()
    for folder in (root, *root.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            git_dir = dot_git
        elif dot_git.is_file():  # a linked work tree or a submodule: "gitdir: <path>"
            text = _read(dot_git).decode("utf-8", "replace")
            if not text.startswith("gitdir:"):
                continue
            git_dir = (folder / text[len("gitdir:"):].strip()).resolve()
        else:
            continue
        inside = root.relative_to(folder).as_posix()
        return git_dir / "kehu-cache" / (hashlib.sha256(inside.encode()).hexdigest()[:16] if inside != "." else "top")
    return root / FOLDER


def load(root: Path, expected_key: str) -> Snapshot | None:
    """The snapshot written for exactly this key, if it is whole; else None."""
    try:
        header, summary, table = _path(root).read_bytes().split(b"\n", 2)
        head = json.loads(header)
        if head.get("format") != FORMAT or head.get("key") != expected_key:
            return None
        if head.get("summary") != hashlib.sha256(summary).hexdigest():
            return None
        body = json.loads(summary.decode("utf-8", "surrogateescape"))
        return Snapshot(expected_key, head["state"], body["files"], body["records"],
                        [_finding(f) for f in body["findings"]], [_finding(f) for f in body["global_findings"]],
                        [Text(*n) for n in body["notes"]], None, table, head["table"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(root: Path, snapshot: Snapshot) -> None:
    summary = _dump({
        "files": snapshot.files, "records": snapshot.records,
        "findings": [_plain(f) for f in snapshot.findings],
        "global_findings": [_plain(f) for f in snapshot.global_findings],
        "notes": [list(n) for n in snapshot.notes],
    })
    table = _dump(snapshot.table)
    header = _dump({"format": FORMAT, "key": snapshot.key, "state": snapshot.state,
                    "summary": hashlib.sha256(summary).hexdigest(), "table": hashlib.sha256(table).hexdigest()})
    _write(root, NAME, header + b"\n" + summary + b"\n" + table)


def _write(root: Path, name: str, content: bytes) -> None:
    folder = folder_of(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if folder.name == FOLDER and not ignore.exists():
            ignore.write_text("# kehu's cache: never committed\n*\n", encoding="utf-8")
        from kehu.edit import write_atomically

        write_atomically(folder / name, content, durable=False)
    except OSError:
        pass  # a read-only checkout simply runs without a cache


def _dump(value) -> bytes:
    # one line each: JSON escapes every newline inside strings
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogateescape")


def _parse(raw: bytes):
    try:
        return json.loads(raw.decode("utf-8", "surrogateescape"))
    except ValueError:
        return None


def _plain(finding: Finding) -> list:
    return [finding.code, finding.severity, finding.file, finding.line, finding.column, finding.record,
            finding.message.zh, finding.message.en, finding.field, finding.excepted, finding.state]


def _finding(plain: list) -> Finding:
    code, severity, file, line, column, record, zh, en, field_, excepted, state = plain
    return Finding(code, severity, file, line, column, record, Text(zh, en), field_, excepted, state)
