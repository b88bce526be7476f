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


def output_file(ctx: Run, out: Path | None, name: str, force: bool) -> Path:
    """Where a report or export is written. Without --out: `name` in `_exports/`
    (Run.output_path), as `name-2`, `name-3` … if that file exists, so nothing is ever
    overwritten. With --out: refused inside the repository's records/ (a spreadsheet of
    customers must never land among the records), never overwritten without --force, and a
    note when it lands elsewhere in the repository, where `git add -A` would take it in."""
    if out is None:
        target = ctx.output_path(name)
        stem, suffix, number = target.stem, target.suffix, 2
        while target.exists() or target.is_symlink():
            target, number = target.with_name(f"{stem}-{number}{suffix}"), number + 1
        return target
    target = out.parent.resolve() / out.name
    if ctx.root is not None:
        root = ctx.root.resolve()
        records = root / "records"
        if target == records or records in target.parents or (out.is_symlink() and records in out.resolve().parents):
            raise Failure(Text(f"{out} 在记录目录 records/ 里，未写入：客户表格不能和记录放在一起；去掉 --out 就写到 "
                               f"{OUTPUT_DIR}/（git 不会提交它），或写到仓库之外",
                               f"{out} is inside records/; nothing written: a spreadsheet of customers must not lie among "
                               f"the records; leave out --out to write to {OUTPUT_DIR}/ (which git ignores), or write "
                               "outside the repository"))
        if root in target.parents and root / OUTPUT_DIR not in target.parents:
            ctx.note(Text(f"{out} 在记录仓库里：提交前别让 git add 把它带进去（不写 --out 就放到 {OUTPUT_DIR}/，git 不会提交）",
                          f"{out} is inside the records repository: keep it out of git add (without --out it goes "
                          f"to {OUTPUT_DIR}/, which git ignores)"))
    refuse_overwrite(out, force)
    return target
