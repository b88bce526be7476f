"""Warm `kehu check` on the 20,000-customer repository kept in git: nothing changed, and 20
files changed (visits, customers and a complaint, each run different edits), every answer
compared with a full `--no-cache` run.

    python bench/cache.py [--out bench/out/N20000] [--rounds 3]   (after bench/run.py)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from kehu import cache

HERE = Path(__file__).resolve().parent
ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
TODAY = "2026-11-20"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args], cwd=root, env=ENV,
                   check=True, capture_output=True)


def check(root: Path, *extra: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "kehu", "check", "--repo", str(root), "--today", TODAY,
                          "--format", "json", *extra], capture_output=True)
    return time.perf_counter() - started, run.stdout


def edit_twenty(root: Path, round_: int) -> None:
    """14 visit summaries, 5 customers' notes and one complaint's description."""
    def touch(path: Path, field: str) -> None:
        text = path.read_text(encoding="utf-8")
        if f"\n{field}: " in text:
            text = text.replace(f"\n{field}: ", f"\n{field}: 第{round_}轮补记：", 1)
        else:
            text += f"{field}: 第{round_}轮补记\n"
        path.write_text(text, encoding="utf-8")

    visits = sorted((root / "records" / "visits" / "2026" / "10").glob("*.yaml"))
    customers = sorted((root / "records" / "customers" / "2025").glob("*.yaml"))
    complaints = sorted((root / "records" / "complaints" / "2026").glob("*.yaml"))
    for path in visits[round_ * 14:(round_ + 1) * 14]:
        touch(path, "summary")
    for path in customers[round_ * 5:(round_ + 1) * 5]:
        touch(path, "notes")
    touch(complaints[round_], "description")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=HERE / "out" / "N20000")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = args.out
    if not (root / ".git").is_dir():
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "records")
    git(root, "checkout", "-q", "--", "records")
    cold, first = check(root, "--no-cache")
    shutil.rmtree(cache.folder_of(root), ignore_errors=True)
    written, second = check(root)
    unchanged, changed, same = [], [], [second == first]
    for round_ in range(args.rounds):
        seconds, answer = check(root)
        unchanged.append(seconds)
        same.append(answer == first)
        edit_twenty(root, round_)
        seconds, answer = check(root)
        changed.append(seconds)
        same.append(answer == check(root, "--no-cache")[1])
    git(root, "checkout", "-q", "--", "records")

    def show(values):
        return f"median {statistics.median(values):.2f} s (runs: {', '.join(f'{v:.2f}' for v in values)})"

    print(f"| cold, --no-cache | {cold:.1f} s |")
    print(f"| first cached run (writes the cache) | {written:.1f} s |")
    print(f"| nothing changed | {show(unchanged)} |")
    print(f"| 20 files changed (14 visits, 5 customers, 1 complaint) | {show(changed)} |")
    print(f"| every answer identical to a full --no-cache run | {all(same)} |")


if __name__ == "__main__":
    main()
