"""`kehu build`: check the records, write pages, run MkDocs, swap the new site in."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import yaml

from kehu import parallel
from kehu.check import Settings, run_check
from kehu.site import reuse
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
    result = run_check(Settings(root, today, use_cache=True, with_repository=True))  # findings from the check cache
    return write_generated(root, result.repo, result.findings, docs, full, file_history(root))


def write_generated(root: Path, repo, findings, docs: Path, full: bool, history: dict) -> Path:
    """The hand-written pages and the pages generated from a checked repository; returns
    the folder whose mkdocs.yml and site/ the site uses."""
    base = _config_base(root) or root
    hand_written = base / "site" / "pages"
    if hand_written.is_dir() and not hand_written.is_symlink():
        copy_regular_files(hand_written, docs)
    generate(repo, findings, docs, full, history, print_progress)
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
    clock = Stopwatch()
    work = Path(tempfile.mkdtemp(prefix=".kehu-build-", dir=target.parent))
    _ignored_by_git(work)
    old = None
    try:
        docs, site = work / "docs", work / "site"
        base = write_pages(root, today, docs, full)
        gc.collect()  # the records and pages are written: give their memory back before MkDocs runs
        clock.lap("检查与写页面")
        config = _mkdocs_config(base, docs, site, hooks=[str(reuse.HOOK)])
        env = reuse.environment(config, base)
        manifest = reuse.Manifest.load(root, target)
        plan = reuse.plan(docs, env, target, manifest)
        site.mkdir()
        reuse.seed(target, site, plan.reuse)
        clock.lap("比对上次的站点")
        if plan.reuse:
            print(f"沿用上次生成的 {len(plan.reuse)} 个页面，重新生成 {len(plan.build)} 个", file=sys.stderr, flush=True)
        print("MkDocs 正在生成站点……", file=sys.stderr, flush=True)
        built, others, processes = render(config, work, plan.build)
        clock.lap(f"MkDocs（{processes} 个进程）")
        for address in harden(site, [dest for dest in built.values() if dest] + others):
            print(f"注意：站点里仍有外部地址 {address}", file=sys.stderr)
        pages = {page: [plan.keys[page], dest, reuse.file_sha(site / dest) if dest else ""]
                 for page, dest in built.items()}
        pages.update({page: manifest.pages[page] for page in plan.reuse})
        (site / MARKER).write_text("kehu build\n", encoding="utf-8")
        check_out(target, root, default=out is None)  # again: the folder may have changed during the build
        old = _swap(site, target)
    finally:
        _discard([work] + ([old] if old else []))
    if env is not None:
        reuse.Manifest(env, pages).save(root, target)
    clock.lap("收尾")
    print(clock.summary(), file=sys.stderr, flush=True)
    return target


class Stopwatch:
    """The build's phases and their seconds, said in one line at the end."""

    def __init__(self):
        self.started = self.last = time.perf_counter()
        self.laps: list[tuple[str, float]] = []

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps.append((name, now - self.last))
        self.last = now

    def summary(self) -> str:
        parts = "，".join(f"{name} {seconds:.1f}" for name, seconds in self.laps)
        return f"用时 {self.last - self.started:.1f} 秒（{parts}）"


RENDER_PARALLEL_FROM = 1000  # pages: below, one MkDocs process (each reads every file first: seconds at 20,000)


def render(config: dict, work: Path, pages: list[str]) -> tuple[dict[str, str], list[str], int]:
    """MkDocs renders `pages` (the others are in the site already, or not wanted), shared
    between processes when there are many; returns each page's output file ("" if MkDocs
    wrote none), the other files written (the first process writes the theme, static files
    and sitemap) and how many processes ran."""
    site = Path(config["site_dir"])
    processes = max(1, min(parallel.jobs(len(pages), RENDER_PARALLEL_FROM), len(pages)))
    running = []
    for part in range(processes):
        own = site if part == 0 else work / f"site-{part}"
        listed, report, log = (work / f"{name}-{part}.txt" for name in ("pages", "report", "log"))
        listed.write_text("".join(f"{page}\n" for page in pages[part::processes]), encoding="utf-8")
        config_path = work / f"mkdocs-{part}.yml"
        config_path.write_text(yaml.safe_dump({**config, "site_dir": str(own)}, allow_unicode=True), encoding="utf-8")
        env = {**os.environ, "KEHU_BUILD_PAGES": str(listed), "KEHU_BUILD_REPORT": str(report),
               "KEHU_BUILD_STATIC": "1" if part == 0 else "0", "NO_MKDOCS_2_WARNING": "1"}
        with open(log, "wb") as errors:
            running.append((own, report, log, subprocess.Popen(
                [sys.executable, "-m", "mkdocs", "build", "-q", "--dirty", "-f", str(config_path)],
                stdout=subprocess.DEVNULL, stderr=errors, env=env)))
    failed = [log for _, _, log, process in running if process.wait() != 0]
    if failed:
        raise BuildFailed(failed[0].read_text(encoding="utf-8", errors="replace").strip()[-2000:])
    built: dict[str, str] = {}
    others: list[str] = []
    for own, report, _, _ in running:
        for line in report.read_text(encoding="utf-8").splitlines():
            kind, _, rest = line.partition("\t")
            if kind == "F":
                others.append(rest)
                continue
            page, _, dest = rest.partition("\t")
            built[page] = dest
            if dest and own != site:
                (site / dest).parent.mkdir(parents=True, exist_ok=True)
                os.replace(own / dest, site / dest)
    return built, others, processes


def serve_site(root: Path, today: date, full: bool, address: str) -> int:
    """`mkdocs serve --dirty` on generated pages; kehu's hook writes them again whenever a
    record changes and has only the changed pages rendered (kehu.site.live).

    MkDocs runs in a session of its own with its chatter silenced (Material's end-of-life
    notice, "not included in the nav" for every customer page): only kehu's lines and
    MkDocs' errors reach the terminal. SIGTERM, SIGHUP or Ctrl-C to kehu stop MkDocs and
    every process it started, and only then kehu."""
    with tempfile.TemporaryDirectory(prefix="kehu-serve-") as work:
        work = Path(work)
        docs = work / "docs"
        docs.mkdir()  # the hook writes the pages before the first build
        base = _config_base(root) or root
        hook = Path(__file__).with_name("serve_hook.py")
        trigger = work / "trigger"  # MkDocs polls this tiny folder; kehu's hook touches it (kehu.site.live)
        trigger.mkdir()
        config = _mkdocs_config(base, docs, work / "site", hooks=[str(hook)], watch=[str(trigger)])
        config_path = work / "mkdocs.yml"
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        env = {**os.environ, "KEHU_ROOT": str(root), "KEHU_TODAY": today.isoformat(), "KEHU_DOCS": str(docs),
               "KEHU_FULL": "1" if full else "", "KEHU_BASE": str(base), "KEHU_TRIGGER": str(trigger),
               "NO_MKDOCS_2_WARNING": "1"}
        child = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-q", "--dirty", "-f", str(config_path),
                                  "-a", address], env=env, start_new_session=True, stderr=subprocess.PIPE,
                                 preexec_fn=_prepare_child)
        relay = threading.Thread(target=_relay, args=(child.stderr,), daemon=True)
        relay.start()
        code = _supervise(child)
        relay.join(timeout=5)
        return code


TRACEBACK = b"Traceback (most recent call last):"


def _relay(stream) -> None:
    """The child's stderr to ours as it comes (kehu's progress and notes, MkDocs' errors),
    except a Python traceback, which is cut to its last line."""
    held = b""
    while chunk := os.read(stream.fileno(), 65536):
        if held or TRACEBACK in chunk:
            before, _, after = (held + chunk).partition(TRACEBACK)
            if before:
                sys.stderr.buffer.write(before)
            held = TRACEBACK + after
            continue
        sys.stderr.buffer.write(chunk)
        sys.stderr.flush()
    if held:
        last = [line for line in held.decode("utf-8", "replace").splitlines() if line.strip()][-1]
        if "KeyboardInterrupt" not in last:
            print(f"MkDocs 出错退出：{last.strip()}", file=sys.stderr)
    sys.stderr.flush()


def _supervise(child: subprocess.Popen) -> int:
    """Wait for `child` (the leader of its own process group); on SIGTERM, SIGHUP or SIGINT
    stop the whole group: SIGINT first (MkDocs then shuts its server down and removes its
    folder), SIGKILL for whatever still runs a few seconds later."""
    stopping: list[float] = []

    def stop(signum, frame):
        if not stopping:
            stopping.append(time.monotonic() + STOP_SECONDS)
            _signal_group(child.pid, signal.SIGINT)

    handlers = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    try:
        while True:
            try:
                code = child.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if stopping and time.monotonic() > stopping[0]:
                    _signal_group(child.pid, signal.SIGKILL)
    finally:
        _signal_group(child.pid, signal.SIGKILL)  # pool workers and the like, if any outlived MkDocs
        for number, handler in handlers.items():
            signal.signal(number, handler)
    return 0 if stopping else code


STOP_SECONDS = 5


def _prepare_child() -> None:
    """In the child, before MkDocs starts: SIGINT stops it even if kehu was started with
    SIGINT ignored (a background job of a script), and on Linux it gets SIGINT when kehu
    itself dies (even by SIGKILL, which kehu cannot catch)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if sys.platform != "linux":
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGINT)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _signal_group(group: int, number: int) -> None:
    try:
        os.killpg(group, number)
    except (ProcessLookupError, PermissionError):
        pass


def _swap(new: Path, target: Path) -> Path | None:
    """Replace the old site in two renames, so a reader never sees half a site; returns the
    old site's folder, now out of the way, for `_discard`."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        _discard([old])
    if target.exists():
        target.rename(old)
    new.rename(target)
    return old if old.exists() else None


TRASH = ".kehu-trash-"
_DELETE = "import shutil, sys\nfor path in sys.argv[1:]:\n    shutil.rmtree(path, ignore_errors=True)\n"


def _ignored_by_git(folder: Path) -> None:
    """A folder of customers' pages must never be committed by a `git add -A` run meanwhile."""
    try:
        (folder / ".gitignore").write_text("# kehu's build, being made or thrown away: never committed\n*\n",
                                           encoding="utf-8")
    except OSError:
        pass


def _discard(folders: list[Path]) -> None:
    """Delete folders without waiting: each is renamed out of the way at once (git ignores it
    from then on) and a detached process deletes them -- an old site of 20,000 pages is
    seconds of disk work nobody needs to wait for. Leftovers of an earlier run go too."""
    trash = []
    for folder in folders:
        if folder.is_dir() and not folder.is_symlink():
            _ignored_by_git(folder)
            moved = folder.with_name(f"{TRASH}{os.getpid()}-{time.monotonic_ns()}")
            folder.rename(moved)
            trash.append(moved)
    for folder in {folder.parent for folder in folders}:
        trash += [path for path in folder.glob(f"{TRASH}*") if path.is_dir() and not path.is_symlink()
                  and path not in trash]
    if trash:
        subprocess.Popen([sys.executable, "-c", _DELETE, *map(str, sorted(set(trash)))], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
