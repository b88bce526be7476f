"""A re-run of `kehu check` with nothing changed answers from a cache.

The key is the content of everything the answer depends on: every record file (git's blob
ids for files git tracks unchanged, a hash of the bytes for any file that is modified or
untracked, or of every file outside git), the schemas, kehu's own code, the date and the
rule selection. The cache file carries a checksum of its payload; a cache that is stale,
damaged or from another version is ignored and rewritten, never trusted. JSON, not pickle:
reading a cache can never run code.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from kehu.findings import Finding, Text
from kehu.load import RECORDS_DIR, record_files

FOLDER = ".kehu-cache"
FORMAT = 1
CODE = Path(__file__).resolve().parent


def _hash_file(path: Path, digest) -> None:
    try:
        digest.update(path.read_bytes())
    except OSError:
        digest.update(b"<unreadable>")


def _git_state(root: Path, scopes: list[str], digest) -> bool:
    """Feed git's view of `scopes` into the digest; False if root is not in a git work tree."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=True).stdout

    try:
        digest.update(git("ls-files", "-s", "-z", "--", *scopes))
        status = git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=traditional", "--", *scopes)
    except (OSError, subprocess.CalledProcessError):
        return False
    digest.update(status)
    # modified, untracked or ignored files: a blob id in the index says nothing about them,
    # so hash their bytes (an ignored folder: every file in it)
    top = Path(git("rev-parse", "--show-toplevel").decode().strip())
    for entry in status.split(b"\0"):
        if len(entry) <= 3:
            continue
        path = top / entry[3:].decode("utf-8", "surrogateescape")
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file).encode("utf-8", "surrogateescape"))
            _hash_file(file, digest)
    return True


def fingerprint(root: Path, schema_dir: Path, today, selection: tuple) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps([FORMAT, str(today), list(selection)]).encode())
    for source in sorted(CODE.rglob("*.py")):
        digest.update(source.relative_to(CODE).as_posix().encode())
        _hash_file(source, digest)
    for schema in sorted(schema_dir.glob("*.json")):
        digest.update(schema.name.encode())
        _hash_file(schema, digest)
    if not _git_state(root, [RECORDS_DIR], digest):
        for relative in record_files(root):
            digest.update(relative.encode())
            _hash_file(root / relative, digest)
    return digest.hexdigest()


def _path(root: Path) -> Path:
    return root / FOLDER / "check.json"


def load(root: Path, key: str):
    """(findings, files, records, notes) from a cache made for exactly this key, else None."""
    try:
        document = json.loads(_path(root).read_text(encoding="utf-8"))
        payload = document["payload"]
        if document.get("format") != FORMAT or document.get("key") != key:
            return None
        if document.get("checksum") != _checksum(payload):
            return None
        findings = [Finding(f["code"], f["severity"], f["file"], f["line"], f["column"], f["record"],
                            Text(f["zh"], f["en"])) for f in payload["findings"]]
        notes = [Text(*n) for n in payload["notes"]]
        return findings, payload["files"], payload["records"], notes
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(root: Path, key: str, findings, files: int, records: int, notes) -> None:
    payload = {
        "findings": [{"code": f.code, "severity": f.severity, "file": f.file, "line": f.line, "column": f.column,
                      "record": f.record, "zh": f.message.zh, "en": f.message.en} for f in findings],
        "files": files, "records": records, "notes": [list(n) for n in notes],
    }
    document = {"format": FORMAT, "key": key, "checksum": _checksum(payload), "payload": payload}
    folder = root / FOLDER
    try:
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# kehu's cache: never committed\n*\n", encoding="utf-8")
        from kehu.edit import write_atomically

        write_atomically(_path(root), json.dumps(document, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass  # a read-only checkout simply runs without a cache


def _checksum(payload) -> str:
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()

