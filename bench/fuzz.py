"""The long fuzzing run: the properties of tests/test_fuzz.py with many more cases.

    python bench/fuzz.py [--examples 20000]

--examples sets the cases of the two loader properties; the whole-repository properties
(rules and pages, site text, review on git branches) get a tenth of it, the cached
re-check a twentieth, whole MkDocs builds a hundredth. Hypothesis's own statistics say
how many cases each one ran.
"""

from __future__ import annotations

import argparse
import os
import re
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
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics",
                          str(PROJECT / "tests" / "test_fuzz.py")],
                         env={**os.environ, "KEHU_FUZZ_EXAMPLES": str(args.examples)}, cwd=PROJECT,
                         capture_output=True, text=True)
    print(run.stdout[-3000:] if run.returncode else "", run.stderr[-2000:], sep="")
    total = 0
    for name, block in re.findall(r"test_fuzz\.py::(\w+):\n(.*?)(?=\n\S|\Z)", run.stdout, flags=re.S):
        passed = sum(int(n) for n in re.findall(r"(\d+) passing", block))
        total += passed
        print(f"| {name} | {passed} |")
    print(f"fuzz: {total} cases in {time.perf_counter() - started:.0f} s, exit {run.returncode}")
    sys.exit(run.returncode)


if __name__ == "__main__":
    main()
