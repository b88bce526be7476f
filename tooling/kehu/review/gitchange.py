"""What a branch changes, read from git with GitPython.

The change is the diff from the merge base of base and head to head (what a pull request
shows): commits merged in from the base branch drop out, and a change made and reverted
inside the branch leaves nothing. Everything that decides who may approve — staff, roles,
policy, the current owners — is read at the merge base, so a branch cannot grant itself
rights by editing those files.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import git

from kehu.gitrepo import GitError, commit_of, open_git
from kehu.load import DEFAULT_MAX_FILE_KB, RECORDS_DIR, Record, kind_of_location
from kehu.load.yamlfile import decode, parse


class ReviewError(Exception):
    """The change cannot be read: no git repository, an unknown ref."""


@dataclass
class Version:
    """A record file as one commit has it."""

    record: Record | None  # None: not a record, or not readable
    problem: str | None = None


@dataclass
class Change:
    kind: str  # added | modified | deleted
    path: str  # relative to the records repository root ("/"-separated)
    before: Version | None = None
    after: Version | None = None
    binary: bool = False
    modes: tuple[str, str] = ("100644", "100644")  # git's file modes before and after ("000000": absent)

    @property
    def symlink(self) -> bool:
        return "120000" in self.modes

    @property
    def submodule(self) -> bool:
        return "160000" in self.modes

    @property
    def record(self) -> Record | None:
        version = self.after if self.kind != "deleted" else self.before
        return version.record if version else None


@dataclass
class GitChange:
    repo: git.Repo
    prefix: str  # the records repository's folder inside the git work tree ("" at the top)
    base: git.Commit  # the merge base
    head: git.Commit
    changes: list[Change] = field(default_factory=list)
    added_at: dict[str, datetime] = field(default_factory=dict)  # path -> author time of the adding commit
    max_bytes: int = DEFAULT_MAX_FILE_KB * 1024  # policy max_file_kb at the merge base
    _customers: dict = field(default_factory=dict)
    _digit_searches: dict = field(default_factory=dict)

    def blob(self, commit: git.Commit, path: str) -> bytes | None:
        """A file as `commit` has it, through git's persistent `cat-file --batch` (walking
        big trees in Python cost more than the rest of a review); None if it is missing or
        larger than policy `max_file_kb` (never read into memory)."""
        name = f"{commit.hexsha}:{self._git_path(path)}"
        try:
            if self.repo.git.get_object_header(name)[2] > self.max_bytes:
                return None
            return self.repo.git.get_object_data(name)[3]
        except (ValueError, git.GitCommandError):
            return None

    def blobs(self, names: list[str]) -> dict[str, bytes | None]:
        """Many objects ("<commit>:<path>", or blob ids) in two git calls instead of two per
        object: sizes first, then the content of those within policy `max_file_kb`."""
        names = [name for name in dict.fromkeys(names) if "\n" not in name]
        if not names:
            return {}
        sizes = self._batch(["--batch-check=%(objectname) %(objecttype) %(objectsize)"], names).decode().splitlines()
        wanted = {}
        for name, line in zip(names, sizes):
            parts = line.split()
            if len(parts) == 3 and parts[1] == "blob" and int(parts[2]) <= self.max_bytes:
                wanted[name] = parts[0]
        stream, content, at = self._batch(["--batch"], sorted(set(wanted.values()))), {}, 0
        while at < len(stream):
            end = stream.index(b"\n", at)
            sha, _, size = stream[at:end].decode().split(" ")
            content[sha] = stream[end + 1:end + 1 + int(size)]
            at = end + 1 + int(size) + 1
        return {name: content.get(wanted[name]) if name in wanted else None for name in names}

    def _batch(self, options: list[str], lines: list[str]) -> bytes:
        run = subprocess.run(["git", "cat-file", *options], input="".join(f"{line}\n" for line in lines).encode(),
                             cwd=self.repo.working_tree_dir, capture_output=True, check=True)
        return run.stdout

    def size(self, commit: git.Commit, path: str) -> int | None:
        try:
            return self.repo.git.get_object_header(f"{commit.hexsha}:{self._git_path(path)}")[2]
        except (ValueError, git.GitCommandError):
            return None

    def files_at_base(self, folder: str) -> list[str]:
        """Paths (relative to the records repository) of the files under `folder` at the merge base."""
        listing = self.repo.git.execute(["git", "ls-tree", "-r", "--name-only", "-z", self.base.hexsha, "--",
                                         self._git_path(folder)])
        return [self._relative(name) for name in filter(None, listing.split("\0"))]

    def _git_path(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path

    def _relative(self, path: str) -> str:
        return _relative(path, self.prefix)

    def records_at_base(self, folder: str) -> list[Record]:
        """Every record under records/<folder> at the merge base (used for staff)."""
        found = []
        for path in self.files_at_base(f"{RECORDS_DIR}/{folder}"):
            if path.endswith(".yaml"):
                record = self.record_at_base(path)
                if record is not None:
                    found.append(record)
        return found

    def record_at_base(self, path: str) -> Record | None:
        raw = self.blob(self.base, path)
        return _record(path, raw) if raw is not None else None

    def customer_at_base(self, customer_id: str) -> Record | None:
        """A customer as the merge base has it: at its layout path; if the file there holds
        another id, wherever its id is. (No file at the layout path: no such customer. A
        record at any other path cannot get in through review, K808.)"""
        if customer_id not in self._customers:
            path = f"{RECORDS_DIR}/customers/{customer_id[1:5]}/{customer_id}.yaml"
            record = self.record_at_base(path)
            if record is not None and record.id != customer_id:
                record = next((r for r in self._grep_customers(rf"^id: *['\"]?{customer_id}['\"]? *$")
                               if r.id == customer_id), None)
            self._customers[customer_id] = record
        return self._customers[customer_id]

    def customers_with_digits(self, numbers: list[str]) -> list[Record]:
        """Customers at the merge base whose file holds any of these digit strings, however
        separated (one search for all of them: each search reads every customer file)."""
        if not numbers:
            return []
        started = self._digit_searches.pop(tuple(numbers), None)
        paths = started.result() if started else self._grep_customer_paths(*_digit_patterns(numbers))
        return _with_phones_opened(self._records_at_base(paths))

    def start_digit_search(self, numbers: list[str], pool) -> None:
        """Start customers_with_digits(numbers)'s search of every customer file in `pool`.
        Only the git grep runs there: it is a process of its own, while the blob reads that
        follow share GitPython's cat-file with the caller's thread."""
        if numbers:
            self._digit_searches[tuple(numbers)] = pool.submit(self._grep_customer_paths, *_digit_patterns(numbers))

    def _grep_customers(self, *patterns: str) -> list[Record]:
        return self._records_at_base(self._grep_customer_paths(*patterns))

    def _grep_customer_paths(self, *patterns: str) -> list[str]:
        options = [part for pattern in patterns for part in ("-e", pattern)]
        try:
            output = self.repo.git.execute(["git", "grep", "-l", "-z", "-E", *options, self.base.hexsha, "--",
                                            self._git_path(f"{RECORDS_DIR}/customers")])
        except git.GitCommandError:  # git grep exits 1 when nothing matches
            return []
        return [self._relative(name.split(":", 1)[1]) for name in filter(None, output.split("\0"))]

    def _records_at_base(self, paths: list[str]) -> list[Record]:
        return [record for record in map(self.record_at_base, paths) if record is not None]


def _digit_patterns(numbers: list[str]) -> list[str]:
    # and every customer whose phones are sealed: their digits are not in the text (issue 18)
    return ["[ -]*".join(digits) for digits in numbers] + [SEALED_PHONES]


SEALED_PHONES = "^phones:[ ]*age:v1:"


def _with_phones_opened(records: list[Record]) -> list[Record]:
    """Sealed phones opened in memory where this process holds a key (CI); the others stay
    sealed, so they match no number."""
    from kehu.sealing import IdentityProblem, Unreadable, identities, is_sealed, open_value

    try:
        keys = identities()
    except IdentityProblem:
        keys = []
    for record in records:
        if is_sealed(record.data.get("phones")):
            try:
                record.data = {**record.data, "phones": open_value(record.data["phones"], keys).value}
            except Unreadable:
                pass
    return records


def _record(path: str, raw: bytes) -> Record | None:
    text, problem = decode(raw)
    if problem is not None:
        return None
    parsed = parse(text)
    if parsed.data is None:
        return None
    return Record(kind_of_location(path), path, parsed.data)


def _version(change: GitChange, path: str, mode: str, raw: bytes | None) -> tuple[Version, bool]:
    if mode in ("120000", "160000"):  # a symlink's "content" is where it points: never a record
        return Version(None, "symlink" if mode == "120000" else "submodule"), False
    if raw is None:
        return Version(None, f"missing, or larger than {change.max_bytes // 1024} KB"), False
    if b"\0" in raw[:8000]:
        return Version(None, "binary"), True
    if not path.endswith((".yaml", ".yml")):
        return Version(None, "not a record"), False
    text, problem = decode(raw)
    if problem is not None:
        return Version(None, problem.message.zh), False
    parsed = parse(text)
    if parsed.data is None:
        return Version(None, parsed.problems[0].message.zh if parsed.problems else "unreadable"), False
    return Version(Record(kind_of_location(path), path, parsed.data)), False


def read_change(root: Path, base: str, head: str | None) -> GitChange:
    try:
        repo, prefix = open_git(root)
        base_commit = commit_of(repo, base)
        head_commit = commit_of(repo, head or "HEAD")
    except GitError as exc:
        raise ReviewError(str(exc)) from None
    bases = repo.merge_base(base_commit, head_commit)
    if not bases:
        raise ReviewError(f"{base} 与 {head or 'HEAD'} 没有共同祖先")
    change = GitChange(repo, prefix, bases[0], head_commit)
    change.max_bytes = _max_file_kb(change.record_at_base(f"{RECORDS_DIR}/policy.yaml")) * 1024
    # one diff call, parsed: per-file Diff objects cost too much on big changes. No rename
    # detection: a renamed record is a deletion (which needs a disposal) plus an addition.
    output = repo.git.execute(["git", "diff", "--raw", "-z", "--no-renames", "--no-ext-diff", "--no-textconv",
                               change.base.hexsha, head_commit.hexsha, "--", prefix or "."])
    tokens = output.split("\0")
    entries = []
    for meta, path in zip(tokens[0::2], tokens[1::2]):
        if not meta.startswith(":"):
            break
        old_mode, new_mode, old_sha, new_sha, status = meta[1:].split(" ")
        entries.append((old_mode, new_mode, old_sha, new_sha, status, _relative(path, prefix)))
    contents = change.blobs([sha for entry in entries for sha in entry[2:4] if set(sha) != {"0"}])
    for old_mode, new_mode, old_sha, new_sha, status, relative in entries:
        kind = {"A": "added", "D": "deleted"}.get(status[0], "modified")
        item = Change(kind, relative, modes=(old_mode, new_mode))
        if kind != "added":
            item.before, binary_before = _version(change, relative, old_mode, contents.get(old_sha))
            item.binary |= binary_before
        if kind != "deleted":
            item.after, binary_after = _version(change, relative, new_mode, contents.get(new_sha))
            item.binary |= binary_after
        change.changes.append(item)
    change.added_at = _first_added(repo, change.base, head_commit, prefix)
    return change


def _max_file_kb(policy: Record | None) -> int:
    value = policy.data.get("max_file_kb") if policy is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else DEFAULT_MAX_FILE_KB


def _relative(path: str, prefix: str) -> str:
    return path[len(prefix) + 1:] if prefix and path.startswith(prefix + "/") else path


def _first_added(repo: git.Repo, base: git.Commit, head: git.Commit, prefix: str) -> dict[str, datetime]:
    """For each file added on the branch, the author time of the commit that added it first."""
    output = repo.git.execute(
        ["git", "log", "--diff-filter=A", "--no-renames", "--reverse", "--name-only", "-z",
         "--format=%x01%aI", f"{base.hexsha}..{head.hexsha}", "--", prefix or "."])
    added: dict[str, datetime] = {}
    when = None
    for token in output.replace("\n", "\0").split("\0"):
        if token.startswith("\x01"):
            when = datetime.fromisoformat(token[1:])
        elif token and when is not None:
            added.setdefault(_relative(token, prefix), when)
    return added
