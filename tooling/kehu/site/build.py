"""`kehu build`: check the records, write pages, run MkDocs, swap the new site in."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import yaml

from kehu.check import Settings, run_check
from kehu.site.history import file_history
from kehu.site.offline import harden
from kehu.site.pages import NAV, generate, print_progress

PROJECT = Path(__file__).resolve().parents[3]  # a source checkout: tooling/kehu/site/build.py


class BuildFailed(Exception):
    pass


def _config_base(root: Path) -> Path | None:
    """The repository's own mkdocs.yml, else the one kehu ships with."""
    for base in (root, PROJECT):
        if (base / "mkdocs.yml").is_file():
            return base
    return None


def write_pages(root: Path, today: date, docs: Path, full: bool):
    """Check the records and write every page (hand-written and generated) into `docs`."""
    result = run_check(Settings(root, today))
    base = _config_base(root) or root
    hand_written = base / "site" / "pages"
    if hand_written.is_dir() and not hand_written.is_symlink():
        copy_regular_files(hand_written, docs)
    generate(result.repo, result.findings, docs, full, file_history(root), print_progress)
    return base


def copy_regular_files(source: Path, target: Path) -> None:
    """Copy the regular files under `source`: a symlink (to a record, or /etc/passwd) or a
    FIFO among the hand-written pages is skipped, never followed or opened."""
    for folder, folders, files in os.walk(source):  # os.walk does not descend into linked folders
        here = Path(folder)
        destination = target / here.relative_to(source)
        destination.mkdir(parents=True, exist_ok=True)
        folders[:] = [name for name in folders if not (here / name).is_symlink()]
        for name in files:
            path = here / name
            if not path.is_symlink() and stat.S_ISREG(path.lstat().st_mode):
                shutil.copyfile(path, destination / name, follow_symlinks=False)


def _mkdocs_config(base: Path, docs: Path, site: Path, **extra) -> dict:
    # the generated config inherits the site's settings and says where things are; the
    # nav lists the overview pages (customer pages in the nav would cost minutes per build)
    config = {"docs_dir": str(docs), "site_dir": str(site), "nav": NAV, **extra}
    if (base / "mkdocs.yml").is_file():
        config["INHERIT"] = str(base / "mkdocs.yml")
    else:
        config.update(site_name="客户档案", theme={"name": "material", "language": "zh", "font": False})
    overrides = base / "site" / "overrides"
    if overrides.is_dir():
        config["theme"] = {"name": "material", "custom_dir": str(overrides)}
    return config


MARKER = ".kehu-site"  # in every site kehu writes: only such a folder is ever replaced


class OutRefused(Exception):
    """--out names a folder kehu must not replace; the message says why."""


def check_out(target: Path, root: Path, default: bool = False) -> None:
    """Refuse to replace anything but an empty folder or a site kehu wrote before (the
    default _site/ of a build from before the marker existed is recognised by its index)."""
    root = root.resolve()
    if target.is_symlink():
        raise OutRefused(f"{target} 是符号链接 / is a symlink")
    if target == root or root.is_relative_to(target):
        raise OutRefused(f"{target} 包含记录仓库本身 / holds the records repository")
    for old in (target, target.with_name(target.name + ".old")):
        if not old.exists() and not old.is_symlink():
            continue
        if not old.is_dir() or old.is_symlink():
            raise OutRefused(f"{old} 不是目录 / is not a folder")
        if (old / ".git").exists() or (old / "records").exists():
            raise OutRefused(f"{old} 像是一个仓库 / looks like a repository")
        earlier = (old / MARKER).is_file() or (default and (old / "index.html").is_file())
        if any(old.iterdir()) and not earlier:
            raise OutRefused(f"{old} 不是空目录，也不是 kehu 生成的站点（没有 {MARKER}）/ "
                             f"is neither empty nor a site kehu wrote (no {MARKER})")


def build_site(root: Path, today: date, full: bool = False, out: Path | None = None, lang: str = "zh") -> Path:
    target = (out or root / ("_site_full" if full else "_site")).absolute()
    check_out(target, root, default=out is None)
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".kehu-build-", dir=target.parent) as work:
        work = Path(work)
        docs = work / "docs"
        base = write_pages(root, today, docs, full)
        config_path = work / "mkdocs.yml"
        config_path.write_text(yaml.safe_dump(_mkdocs_config(base, docs, work / "site"), allow_unicode=True),
                               encoding="utf-8")
        print("MkDocs 正在生成站点……", file=sys.stderr, flush=True)
        run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config_path)],
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise BuildFailed(run.stderr.strip()[-2000:])
        for address in harden(work / "site"):
            print(f"注意：站点里仍有外部地址 {address}", file=sys.stderr)
        (work / "site" / MARKER).write_text("kehu build\n", encoding="utf-8")
        check_out(target, root, default=out is None)  # again: the folder may have changed during the build
        _swap(work / "site", target)
    return target


def serve_site(root: Path, today: date, full: bool, address: str) -> int:
    """`mkdocs serve` on generated pages; a hook regenerates them whenever records change."""
    with tempfile.TemporaryDirectory(prefix="kehu-serve-") as work:
        work = Path(work)
        docs = work / "docs"
        base = write_pages(root, today, docs, full)
        hook = Path(__file__).with_name("serve_hook.py")
        config = _mkdocs_config(base, docs, work / "site", hooks=[str(hook)], watch=[str(root / "records")])
        config_path = work / "mkdocs.yml"
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        env = {**os.environ, "KEHU_ROOT": str(root), "KEHU_TODAY": today.isoformat(), "KEHU_DOCS": str(docs),
               "KEHU_FULL": "1" if full else ""}
        try:
            return subprocess.call([sys.executable, "-m", "mkdocs", "serve", "-f", str(config_path), "-a", address],
                                   env=env)
        except KeyboardInterrupt:
            return 0


def _swap(new: Path, target: Path) -> None:
    """Replace the old site in two renames, so a reader never sees half a site."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    new.rename(target)
    if old.exists():
        shutil.rmtree(old)
