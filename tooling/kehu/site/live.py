"""What `kehu serve` keeps between builds, inside the `mkdocs serve` process.

MkDocs reloads its configuration (and kehu's hook) on every change, so the state lives in
this module: the state of the records the pages were written from, and per page the key
its HTML in the served folder was rendered for (kehu.site.reuse). A build then writes the
pages again only if a record file changed, renders only the pages whose key changed, and
deletes from the served folder the pages and files that are gone (a customer now 绝密
disappears from the preview as from a built site).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

import yaml

from kehu import cache
from kehu.site import reuse

_session: Session | None = None


def session() -> Session:
    global _session
    if _session is None:
        _session = Session(Path(os.environ["KEHU_ROOT"]), date.fromisoformat(os.environ["KEHU_TODAY"]),
                           Path(os.environ["KEHU_DOCS"]), os.environ.get("KEHU_FULL") == "1", Path(os.environ["KEHU_BASE"]))
    return _session


def _yes() -> bool:
    return True


def _no() -> bool:
    return False


class Session:
    def __init__(self, root: Path, today: date, docs: Path, full: bool, base: Path):
        self.root, self.today, self.docs, self.full, self.base = root, today, docs, full, base
        self.records_state: str | None = None
        self.memo: dict = {}  # page -> (stat, text digest, link targets)
        self.shown: dict[str, str] = {}  # page -> the key its HTML in the served folder was rendered for
        self.outputs: dict[str, str] = {}  # docs file -> its file in the served folder
        self.keys: dict[str, str] = {}
        self.started = 0.0
        self.count = 0
        self.written = False

    def refresh(self) -> None:
        """Write the pages again if any record file changed since they were written."""
        from kehu.site.build import write_pages

        self.started = time.perf_counter()
        files, states = cache.survey(self.root)
        state = cache.state_of(files, states)
        self.written = state != self.records_state
        if self.written:
            write_pages(self.root, self.today, self.docs, self.full)
            self.records_state = state

    def choose(self, files, config):
        """Mark the pages MkDocs renders in this (dirty) build; remove what is gone."""
        try:
            env = reuse.environment(yaml.safe_load(Path(config.config_file_path).read_text(encoding="utf-8")), self.base)
        except (OSError, yaml.YAMLError):
            env = None
        present = reuse.docs_files(self.docs)
        self.keys = reuse.page_keys(self.docs, present, env or "", self.memo)
        if env is None:
            self.shown.clear()  # nothing can be reused: render every page
        for file in files:
            if file.is_documentation_page():
                file.is_modified = _no if self.shown.get(file.src_uri) == self.keys.get(file.src_uri) else _yes
        site = Path(config.site_dir)
        kept = set(present)
        for source in [s for s in self.outputs if s not in kept]:
            _remove(site, self.outputs.pop(source))
            self.shown.pop(source, None)
        for source in present:
            if not source.endswith(".md"):
                self.outputs[source] = source  # a static file keeps its path
        self.memo = {page: known for page, known in self.memo.items() if page in self.keys}
        self.count = 0
        return files

    def rendered(self, page, output: str) -> None:
        source = page.file.src_uri
        self.outputs[source] = page.file.dest_uri
        self.shown[source] = self.keys.get(source, "")
        self.count += 1
        page.content = None  # written next; not kept for the rest of the build

    def done(self) -> None:
        seconds = time.perf_counter() - self.started
        what = "记录有改动，页面已重写；" if self.written else ""
        print(f"预览已更新：{what}重新渲染 {self.count} 个页面，用时 {seconds:.1f} 秒", file=sys.stderr, flush=True)


def _remove(site: Path, relative: str) -> None:
    """A page's or file's output, and the folders it leaves empty."""
    path = site / relative
    try:
        if path.is_file() or path.is_symlink():
            path.unlink()
        folder = path.parent
        while folder != site and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    except OSError:
        pass
