"""Time `kehu build` and `kehu serve` on the 20,000-customer bench repository.

    python bench/site.py [--out bench/out/N20000] [--rounds 3] [--serve-rounds 3] [--skip-cold]

(run bench/run.py first to generate the repository). In order:
- a cold build: no earlier site, no cache (every file read, every page rendered);
- a rebuild with nothing changed;
- per round, 20 files changed (bench/cache.py's edits: 14 visits, 5 customers, 1
  complaint) and a rebuild;
- `kehu serve`: the first build, then per round one customer's name changed and the
  seconds until the preview serves the page with the new name.
Each build prints wall seconds, CPU seconds (all processes), the peak of the summed
resident memory of kehu and its children (sampled every 0.2 s), /usr/bin/time's
"Maximum resident set size" (the largest single process), and kehu's own phase line.
The machine's load average is printed beside each, since other work on a 2-core machine
moves every figure. The records are restored with `git checkout` at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from cache import edit_twenty, git  # noqa: E402  (bench/cache.py: the same 20 edits)
from kehu import cache  # noqa: E402

TODAY = "2026-11-20"


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total


def load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def build(root: Path) -> str:
    """One `kehu build`, run under /usr/bin/time -v: a table row's figures."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, peak = time.perf_counter(), 0
    command = [sys.executable, "-m", "kehu", "build", "--repo", str(root), "--today", TODAY]
    timed = ["/usr/bin/time", "-v", *command] if Path("/usr/bin/time").exists() else command
    process = subprocess.Popen(timed, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    err = process.stderr.read()
    if process.returncode != 0:
        sys.exit(err)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    largest = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    phases = re.search(r"用时 [^\n]*", err)
    return (f"{elapsed:.1f} s wall, {cpu:.0f} s CPU, peak {peak / 2**20:.0f} MB together"
            f"{f', largest process {int(largest.group(1)) / 1024:.0f} MB' if largest else ''} | "
            f"{phases.group(0) if phases else ''}")


def serve(root: Path, rounds: int) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "kehu", "serve", "--repo", str(root), "--today", TODAY,
                               "--address", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    customer = sorted((root / "records" / "customers" / "2025").glob("*.yaml"))[-1]
    url = f"http://127.0.0.1:{port}/customers/{customer.stem}/"

    def shows(text: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return text in response.read().decode("utf-8")
        except (OSError, urllib.error.URLError):
            return False

    try:
        original = customer.read_text(encoding="utf-8")
        name = re.search(r"^name: (.+)$", original, re.M).group(1)
        while not shows(name):
            time.sleep(0.2)
        print(f"| kehu serve, first build ({load()}) | {time.perf_counter() - started:.1f} s |")
        for round_ in range(rounds):
            new = f"{name}{round_ + 1}号"
            time.sleep(3)  # let the watcher settle
            started = time.perf_counter()
            customer.write_text(original.replace(f"name: {name}", f"name: {new}"), encoding="utf-8")
            while not shows(new):
                time.sleep(0.1)
            print(f"| kehu serve, one customer edited, until the page shows it ({load()}) | "
                  f"{time.perf_counter() - started:.1f} s |", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=HERE / "out" / "N20000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve-rounds", type=int, default=3)
    parser.add_argument("--skip-cold", action="store_true", help="keep the earlier site and cache")
    args = parser.parse_args()
    root = args.out
    if not (root / ".git").is_dir():
        git(root, "init", "-q")
        git(root, "add", "-A", "records")
        git(root, "commit", "-q", "-m", "records")
    git(root, "checkout", "-q", "--", "records")
    try:
        if not args.skip_cold:
            shutil.rmtree(cache.folder_of(root), ignore_errors=True)
            shutil.rmtree(root / "_site", ignore_errors=True)
            print(f"| cold build ({load()}) | {build(root)} |", flush=True)
        print(f"| nothing changed ({load()}) | {build(root)} |", flush=True)
        for round_ in range(args.rounds):
            edit_twenty(root, round_)
            print(f"| 20 files changed, round {round_ + 1} ({load()}) | {build(root)} |", flush=True)
        site = root / "_site"
        index = site / "assets" / "search"  # sharded: bench/search.py measures what one search fetches
        print(f"site: {sum(1 for _ in site.rglob('index.html'))} pages, {size(site) / 2**20:.0f} MB; "
              f"search index {size(index) / 2**20:.1f} MB in {sum(1 for _ in index.iterdir())} files")
        if args.serve_rounds:
            serve(root, args.serve_rounds)
    finally:
        git(root, "checkout", "-q", "--", "records")


if __name__ == "__main__":
    main()
