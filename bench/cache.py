"""Warm `kehu check` on the 20,000-customer repository kept in git: nothing changed, and 20
files changed.

    python bench/cache.py [--out bench/out/N20000]   (after bench/run.py generated it)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args], cwd=root, env=ENV,
                   check=True, capture_output=True)


def check(root: Path) -> tuple[float, bytes]:
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "kehu", "check", "--repo", str(root), "--today", "2026-11-20",
                          "--format", "json"], capture_output=True)
    return time.perf_counter() - started, run.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=HERE / "out" / "N20000")
    root = parser.parse_args().out
    if not (root / ".git").is_dir():
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "records")
    cold, first = check(root)
    warm, second = check(root)
    visits = sorted((root / "records" / "visits" / "2026" / "10").glob("*.yaml"))[:20]
    for path in visits:
        path.write_text(path.read_text(encoding="utf-8").replace("summary: ", "summary: 补记："), encoding="utf-8")
    changed, third = check(root)
    no_cache = subprocess.run([sys.executable, "-m", "kehu", "check", "--repo", str(root), "--today", "2026-11-20",
                               "--format", "json", "--no-cache"], capture_output=True).stdout
    git(root, "checkout", "-q", "--", "records")
    print(f"| first run (cache written) | {cold:.1f} s |")
    print(f"| nothing changed (cache hit), findings identical: {first == second} | {warm:.2f} s |")
    print(f"| 20 files changed (cache stale: full check), identical to --no-cache: {third == no_cache} | {changed:.1f} s |")


if __name__ == "__main__":
    main()
