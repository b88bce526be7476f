"""What `kehu serve` keeps between builds, inside the `mkdocs serve` process.

MkDocs reloads its configuration (and kehu's hook) on every change, so the state lives in
this module:

- every record file as it was read and schema-checked (kehu.parallel's answers), so an
  edit re-reads only the files that changed (git's blob ids, or kehu's own hashes, say
  which) and the repository is assembled again from memory;
- per page, the key its HTML in the served folder was rendered for (kehu.site.reuse), so
  MkDocs renders only the pages whose key changed, and the pages and files that are gone
  are deleted from the served folder (a customer now 绝密 disappears from the preview as
  from a built site).

MkDocs does not poll the records or the generated pages (at 20,000 customers that costs more
than a core): an inotify watch on the records touches a file in a small folder it does poll.

The findings come from the check cache (kehu.check: the few changed files re-checked).
After an edit of customers, visits or complaints the pages of the customers it touched
are written at once, so the preview shows the edit after one quick build; the other pages
(lists, staff, reports, search) are written again in the background and reach the
preview with the build that follows. A change to staff or policy rewrites everything
before the build, as on the first one.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from datetime import date
from pathlib import Path

import yaml

from kehu import cache, parallel, records_cache
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
        self.lock = threading.Lock()  # the records in memory and the docs folder: one writer at a time
        self.states: dict[str, str] = {}  # record file -> content id, as last read
        self.read: dict[str, tuple] = {}  # record file -> (file, record, problems, schema problems)
        self.schemas = None
        self.memo: dict = {}  # page -> (stat, text digest, link targets)
        self.shown: dict[str, str] = {}  # page -> the key its HTML in the served folder was rendered for
        self.outputs: dict[str, str] = {}  # docs file -> its file in the served folder
        self.keys: dict[str, str] = {}
        self.started = 0.0
        self.count = 0
        self.what = ""
        self.rest = None  # what the pages not yet written again are made from
        self.trigger = Path(os.environ.get("KEHU_TRIGGER") or docs.parent / "trigger")
        self.observer = None
        self.generation = 0  # counts the record changes read; a background write of an older one is dropped

    # --- what starts a build -------------------------------------------------------------------

    def watch(self, server, config) -> None:
        """MkDocs polls what it watches twice a second, stat-ing every file: at 20,000
        customers the records (235,000 files) and the generated pages (20,000) cost more
        than a core. The generated pages change only when kehu writes them, so they are not
        watched; the records are watched with inotify, which only touches a file in a
        folder MkDocs polls. Where inotify is not available MkDocs polls the records."""
        server.unwatch(config.docs_dir)
        try:
            from watchdog.observers.inotify import InotifyObserver

            observer = InotifyObserver()
            observer.schedule(_Nudge(self.nudge), str(self.root / "records"), recursive=True)
            observer.daemon = True
            observer.start()
            self.observer = observer
        except (ImportError, OSError):
            server.watch(str(self.root / "records"))

    def nudge(self) -> None:
        """Make MkDocs build again (its poller compares modification times)."""
        self.trigger.mkdir(parents=True, exist_ok=True)
        (self.trigger / "stamp").write_text(str(time.time_ns()), encoding="utf-8")

    # --- before MkDocs reads the docs folder ------------------------------------------------

    def refresh(self) -> None:
        """Bring the pages up to date with the record files."""
        self.started = time.perf_counter()
        with self.lock:
            self.what = self._refresh()

    def _refresh(self) -> str:
        from kehu.load import max_file_kb
        from kehu.validate import Schemas, schema_dir

        files, states = cache.survey(self.root)
        now = dict(zip(files, states))
        changed = [f for f in files if self.states.get(f) != now[f]]
        removed = [f for f in self.states if f not in now]
        if self.schemas is not None and not changed and not removed:
            return ""
        self.generation += 1
        whole = self.schemas is None or any(_everyone_reads(f) for f in (*changed, *removed))
        if whole:
            self.schemas = Schemas(schema_dir(self.root))
            answers = records_cache.read(self.root, files, states, max_file_kb(self.root) * 1024, self.schemas)
            self.read = {answer[0]: answer for answer in answers}
            touched = None
        else:
            before = [self.read[f][1] for f in (*changed, *removed) if f in self.read]
            for relative in removed:
                self.read.pop(relative, None)
            for answer in parallel.read(self.root, changed, max_file_kb(self.root) * 1024, self.schemas):
                self.read[answer[0]] = answer
            touched = _customers_of([*before, *(self.read[f][1] for f in changed)], self.schemas.references)
        self.states = now
        repo, findings, history = self._repository(files)
        if touched is None:
            self._write_all(repo, findings, history)
            return "记录有改动，页面已全部重写；"
        self._write_customers(repo, findings, history, touched)
        self.rest = (self.generation, repo, findings, history)  # once this build is served (done)
        return f"记录有改动，{len(touched)} 位客户的页面已重写（其余页面随后更新）；"

    def _repository(self, files: list[str]):
        from kehu.check import Settings, run_check
        from kehu.load import assemble
        from kehu.load.locate import clear_cache
        from kehu.site.history import file_history
        from kehu.validate import validate

        clear_cache()  # where findings sit is read from the files as they are now
        repo = assemble(self.root, self.today, (self.read[f][:3] for f in files))
        validate(repo, self.schemas, {f: self.read[f][3] for f in files if self.read[f][3] is not None})
        findings = run_check(Settings(self.root, self.today, use_cache=True), loaded=repo).findings
        return repo, findings, file_history(self.root)

    def _write_all(self, repo, findings, history) -> None:
        from kehu.site.build import write_generated

        write_generated(self.root, repo, findings, self.docs, self.full, history)

    def _write_customers(self, repo, findings, history, touched: set[str]) -> None:
        """The pages of the touched customers, at once; a customer now hidden loses its page."""
        from kehu.site.pages import Site

        site = Site(repo, findings, self.docs, self.full, history)
        shown = {c.id: c for c in site.customers}
        for customer in sorted(touched):
            page = f"customers/{customer}.md"
            if customer in shown:
                site.write(page, site.customer_page(shown[customer]))
            else:
                (self.docs / page).unlink(missing_ok=True)

    def _write_rest(self, generation, repo, findings, history) -> None:
        """Every page, in the background: MkDocs sees the changed ones and builds again. If
        the records changed again meanwhile, these pages are older than the ones on disk:
        the newer change writes its own."""
        with self.lock:
            if generation != self.generation:
                return
            try:
                self._write_all(repo, findings, history)
            except Exception as exc:  # a page that fails here fails the next build too, which says so
                print(f"页面生成出错：{exc}", file=sys.stderr, flush=True)
            else:
                self.nudge()  # the docs folder is not watched: the next build serves these pages

    # --- MkDocs' build ------------------------------------------------------------------------

    def choose(self, files, config):
        """Mark the pages MkDocs renders in this (dirty) build; remove what is gone. (Pages
        the background writes meanwhile are seen by the build their writing starts.)"""
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
        print(f"预览已更新：{self.what}重新渲染 {self.count} 个页面，用时 {seconds:.1f} 秒", file=sys.stderr, flush=True)
        self.what = ""
        if self.rest is not None:
            threading.Thread(target=self._write_rest, args=self.rest, daemon=True).start()
            self.rest = None


class _Nudge:
    """watchdog handler: a record file created, changed, moved or deleted touches the
    trigger file, whose change MkDocs' poller sees within half a second. Opening and
    reading files (kehu does, on every build) are not changes."""

    def __init__(self, touch):
        self.touch = touch

    def dispatch(self, event) -> None:
        if event.event_type in ("created", "modified", "deleted", "moved"):
            self.touch()


def _everyone_reads(relative: str) -> bool:
    """Staff and policy files: every page may show what they say."""
    return relative == "records/policy.yaml" or relative.startswith("records/staff/")


def _customers_of(records, references) -> set[str]:
    from kehu.incremental import customers_of

    return {name for record in records if record is not None for name in customers_of(record, references)}


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
