"""Time `kehu build` on the 20,000-customer bench repository; report site and index sizes.

    python bench/site.py [--out bench/out/N20000]   (run bench/run.py first to generate it)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=HERE / "out" / "N20000")
    args = parser.parse_args()
    site = args.out / "_site"
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "kehu", "build", "--repo", str(args.out), "--today", "2026-11-20"],
                         capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if run.returncode != 0:
        sys.exit(run.stderr)
    pages = sum(1 for _ in site.rglob("index.html"))
    index = site / "assets" / "search"  # sharded: bench/search.py measures what one search fetches
    print(f"| kehu build, {pages} pages | {elapsed:.0f} s | site {size(site) / 2**20:.0f} MB | "
          f"search index {size(index) / 2**20:.1f} MB in {sum(1 for _ in index.iterdir())} files |")


if __name__ == "__main__":
    main()
