"""The commands' own logic, one module per command: each `run(...)` takes a `Run` (the
repository, the day, the language) and the command's options, and returns the exit
status. cli.py only declares options and calls them.

Exit status everywhere: 0 done (warnings allowed), 1 errors found or refused, 2 could not
run (raise `Failure` with a sentence for the user).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kehu.findings import Text
from kehu.load import NoRepository, find_root
from kehu.timeutil import EARLIEST, LATEST, in_range

OUTPUT_DIR = "_exports"


class Failure(Exception):
    """The command could not run (exit 2), with a sentence for the user."""

    def __init__(self, message: Text):
        super().__init__(message.en)
        self.message = message


@dataclass
class Run:
    """What every command knows: the records repository, "today" and the language."""

    root: Path | None
    today: date
    lang: str = "zh"

    @classmethod
    def at(cls, repo: Path | None, today: date | None, lang: str, needs_repository: bool = True) -> Run:
        today = today or date.today()
        if not in_range(today):
            raise Failure(Text(f"--today {today} 超出范围：只接受 {EARLIEST} 至 {LATEST} 之间的日期",
                               f"--today {today} is out of range: only dates from {EARLIEST} to {LATEST}"))
        return cls(repository_root(repo) if needs_repository else None, today, lang)

    def say(self, zh: str, en: str) -> None:
        """A note for the person at the terminal (stderr: stdout carries the data)."""
        print(en if self.lang == "en" else zh, file=sys.stderr)

    def note(self, text: Text, zh_prefix: str = "注意：", en_prefix: str = "note: ") -> None:
        self.say(zh_prefix + text.zh, en_prefix + text.en)

    def output_path(self, name: str) -> Path:
        """Where a report or export goes without --out: `_exports/` at the repository's top,
        a folder git ignores by its own .gitignore, so one `git add -A` cannot commit
        customers' data into the records."""
        folder = self.root / OUTPUT_DIR
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise Failure(Text(f"{folder} 不是普通目录，未写入：请用 --out 指定文件",
                               f"{folder} is not a plain folder; nothing written: pass --out"))
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists() and not ignore.is_symlink():
            ignore.write_text("# kehu's reports and exports: never committed\n*\n", encoding="utf-8")
        return folder / name

    def prepare(self):
        """The loaded and validated repository."""
        from kehu.check import prepare

        return prepare(self.root, self.today)


def repository_root(repo: Path | None) -> Path:
    start = repo if repo is not None else Path.cwd()
    if repo is not None and not repo.is_dir():
        raise Failure(Text(f"找不到目录 {repo}", f"no such folder: {repo}"))
    try:
        return find_root(start)
    except NoRepository:
        raise Failure(Text(
            f"这里不是记录仓库：从 {start} 往上没有找到 kehu.yaml 或 records/ 目录；请在仓库里运行，或用 --repo 指定",
            f"not a records repository: no kehu.yaml or records/ folder at or above {start}; "
            "run inside one or pass --repo")) from None


def codes(value: str) -> tuple[str, ...]:
    """"k1, K201" -> ("K1", "K201")."""
    return tuple(part.strip().upper() for part in value.split(",") if part.strip())


def bad_selector(selector, example: str) -> Failure:
    return Failure(Text(f"不认识的规则代码或前缀：{selector}（应形如 {example}）",
                        f"not a rule code or prefix: {selector} (e.g. {example})"))


def refuse_overwrite(out: Path | None, force: bool) -> None:
    """A file a command is about to write: its folder must exist, and it must not (unless --force)."""
    if out is None:
        return
    if not out.parent.is_dir():
        raise Failure(Text(f"{out.parent} 这个目录不存在，未写入：请先建好目录", f"no folder {out.parent}; nothing written"))
    if out.exists() and not force:
        raise Failure(Text(f"{out} 已存在，未覆盖（要覆盖请加 --force）", f"{out} exists; not overwritten (use --force)"))
