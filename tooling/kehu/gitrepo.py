"""Git plumbing shared by `kehu review` and `kehu check --new-since`: find the work tree
that holds a records repository, name a commit, copy a commit's files out.

A commit's files are copied as regular files only: symlinks and submodules are skipped,
every path stays inside the target folder, and nothing larger than the size limit is
written (git's `ls-tree` gives modes and sizes before a byte is read).
"""

from __future__ import annotations

from pathlib import Path

import git


class GitError(Exception):
    """No git repository, or a reference git does not know: a sentence for the user."""


def open_git(root: Path) -> tuple[git.Repo, str]:
    """The git repository holding `root`, and root's folder inside it ("" at the top)."""
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitError(f"{root} 不在 git 仓库里 / not inside a git repository") from None
    top = Path(repo.working_tree_dir).resolve()
    prefix = root.resolve().relative_to(top).as_posix()
    return repo, "" if prefix == "." else prefix


def commit_of(repo: git.Repo, ref: str) -> git.Commit:
    try:
        return repo.commit(ref)
    except (git.BadName, ValueError, git.GitCommandError) as exc:
        raise GitError(f"找不到提交 / no such commit: {ref} ({exc})") from None


def export(repo: git.Repo, commit: git.Commit, prefix: str, folders: tuple[str, ...], target: Path,
           max_bytes: int) -> None:
    """Write `folders` (relative to the records repository) as `commit` has them into `target`."""
    scope = [f"{prefix}/{folder}" if prefix else folder for folder in folders]
    listing = repo.git.execute(["git", "ls-tree", "-r", "-l", "-z", commit.hexsha, "--", *scope])
    target = target.resolve()
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        mode, kind, sha, size = meta.split()
        if kind != "blob" or mode not in ("100644", "100755") or int(size) > max_bytes:
            continue
        relative = path[len(prefix) + 1:] if prefix else path
        destination = (target / relative).resolve()
        if target not in destination.parents:
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(repo.git.get_object_data(sha)[3])
