"""Who changed which record file when, from git: one `git log` pass for the whole site
(a call per file would take minutes at company size)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import git


class Change(NamedTuple):
    when: datetime
    author: str
    email: str
    subject: str


def file_history(root: Path, folder: str = "records/customers") -> dict[str, list[Change]]:
    """Relative path -> its commits, newest first; empty outside a git repository."""
    try:
        repo = git.Repo(root, search_parent_directories=True)
        top = Path(repo.working_tree_dir).resolve()
        prefix = root.resolve().relative_to(top).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        output = repo.git.execute(["git", "log", "--no-renames", "--name-only", "-z",
                                   "--format=%x01%aI%x00%an%x00%ae%x00%s", "--", prefix + folder])
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError, ValueError):
        return {}
    history: dict[str, list[Change]] = defaultdict(list)
    for block in output.split("\x01")[1:]:
        fields = block.split("\x00")
        if len(fields) < 4:
            continue
        change = Change(datetime.fromisoformat(fields[0]), fields[1], fields[2], fields[3].strip())
        for name in fields[4:]:
            name = name.strip("\n")
            if name.startswith(prefix) and name:
                history[name[len(prefix):]].append(change)
    return history
