"""Time `kehu review` of a 20-file change on a 10,000-customer repository.

    python bench/review.py [--customers 10000] [--out bench/out/review-N10000]

Builds the repository once (generate, git init, one commit), then a branch that adds 10
visits and 5 customers and edits 5 customers, and times `kehu review --base main` cold,
as CI runs it (the code host's author and time, so the record rules run on the touched
customers at base and head).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))  # the demo generator, demo/, sits at the project's top, outside kehu
ENV = {**os.environ, "GIT_AUTHOR_DATE": "2026-11-19T10:00:00+08:00", "GIT_COMMITTER_DATE": "2026-11-19T10:00:00+08:00"}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args],
                          cwd=root, env=ENV, capture_output=True, text=True, check=True).stdout


def build(out: Path, customers: int) -> None:
    if (out / ".git").is_dir():
        return
    from demo import generate

    generate(out / "records", customers=customers, docs=None)
    git(out, "init", "-q", "-b", "main")
    git(out, "add", "-A")
    git(out, "commit", "-q", "-m", "records")


def change(out: Path) -> None:
    git(out, "checkout", "-q", "-B", "change", "main")
    customers = sorted((out / "records" / "customers" / "2026").glob("C2026-*.yaml"))[:10]
    for n, path in enumerate(customers[:5]):
        path.write_text(path.read_text(encoding="utf-8") + f"tags: [回访{n}]\n", encoding="utf-8")
    folder = out / "records" / "visits" / "2026" / "11"
    folder.mkdir(parents=True, exist_ok=True)
    for n, path in enumerate(customers):
        customer_id = path.stem
        (folder / f"V2026-{900000 + n:06d}.yaml").write_text(
            f"id: V2026-{900000 + n:06d}\ncustomer: {customer_id}\nat: 2026-11-19 10:00:00\nstaff: liuyang\n"
            "type: 电话\nsummary: 电话回访，客户满意\n", encoding="utf-8")
    for n in range(5):
        (out / "records" / "customers" / "2026" / f"C2026-{9000 + n:04d}.yaml").write_text(
            f"id: C2026-{9000 + n:04d}\nname: 新客户{n}\nphones: ['1390000{9000 + n:04d}']\nsource: {{channel: 到店}}\n"
            "grade: C\nstage: 咨询\nowner: liuyang\nregistered_at: 2026-11-19 09:00:00\nregistered_by: liuyang\n",
            encoding="utf-8")
    git(out, "add", "-A")
    git(out, "commit", "-q", "-m", "20 files")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or HERE / "out" / f"review-N{args.customers}"
    started = time.perf_counter()
    build(out, args.customers)
    print(f"repository ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    change(out)
    files = len(git(out, "diff", "--name-only", "main", "change").split())
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "kehu", "review", "--repo", str(out), "--base", "main",
                              "--today", "2026-11-20", "--author", "liuyang", "--received-at", "2026-11-19T10:00:00+08:00",
                              "--format", "json"], capture_output=True, text=True)
        runs.append(time.perf_counter() - started)
    print(f"| kehu review, {files}-file change, {args.customers} customers (exit {run.returncode}) | "
          f"{min(runs):.2f} s best of 3 ({', '.join(f'{r:.2f}' for r in runs)}) |")


if __name__ == "__main__":
    main()
