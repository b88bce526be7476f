"""The long fuzzing run: 20,000 cases per property of tests/test_fuzz.py.

    python bench/fuzz.py [--examples 20000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=20000)
    args = parser.parse_args()
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(PROJECT / "tests" / "test_fuzz.py")],
                         env={**os.environ, "KEHU_FUZZ_EXAMPLES": str(args.examples)}, cwd=PROJECT)
    print(f"fuzz: {args.examples} cases per loader property, {max(40, args.examples // 100)} whole-repository checks, "
          f"{max(20, args.examples // 200)} site-page builds, {max(10, args.examples // 1000)} git reviews; "
          f"{time.perf_counter() - started:.0f} s, exit {run.returncode}")
    sys.exit(run.returncode)


if __name__ == "__main__":
    main()
