"""Time kehu check against plain parsing and check-jsonschema on one generated repository.

    python bench/run.py [--customers 20000] [--out bench/out/N20000] [--skip-cjs]

(a) parse every record file with PyYAML's C loader and nothing else (one process);
(b) `kehu check` cold, as a user runs it (a fresh process, nothing cached);
(c) `check-jsonschema` validating the same files against the same schemas.
Figures go to stdout as a Markdown table; copy them into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import yaml

from kehu import cache

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))  # the demo generator, demo/, sits at the project's top, outside kehu
KINDS = {"customers": "customer", "visits": "visit", "complaints": "complaint", "staff": "staff",
         "disposals": "disposal"}


def ensure_repository(out: Path, customers: int) -> None:
    if (out / "records").is_dir():
        return
    from demo import generate

    started = time.perf_counter()
    generate(out / "records", customers=customers)
    (out / "kehu.yaml").write_text("site_name: bench\n", encoding="utf-8")
    print(f"generated {customers} customers in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def files_by_kind(out: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for folder, kind in KINDS.items():
        for path in sorted((out / "records" / folder).rglob("*.yaml")):
            found.setdefault(kind, []).append(str(path))
    return found


def time_parse(paths: list[str]) -> float:
    started = time.perf_counter()
    for path in paths:
        with open(path, "rb") as handle:
            try:
                yaml.load(handle.read(), Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                pass
    return time.perf_counter() - started


def time_command(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB of the child, exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    run = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024, run.returncode


def time_check_jsonschema(by_kind: dict[str, list[str]], schemas: Path) -> float:
    exe = Path(sys.executable).with_name("check-jsonschema")
    total = 0.0
    for kind, paths in by_kind.items():
        for start in range(0, len(paths), 4000):  # stay under the kernel's argument limit
            batch = paths[start:start + 4000]
            started = time.perf_counter()
            subprocess.run([str(exe), "--schemafile", str(schemas / f"{kind}.schema.json"), *batch],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            total += time.perf_counter() - started
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--skip-cjs", action="store_true", help="skip check-jsonschema (slow)")
    args = parser.parse_args()
    out = args.out or HERE / "out" / f"N{args.customers}"
    ensure_repository(out, args.customers)
    by_kind = files_by_kind(out)
    paths = [p for group in by_kind.values() for p in group]
    os.sync()

    parse = time_parse(paths)
    shutil.rmtree(cache.folder_of(out), ignore_errors=True)  # cold: the run reads every file and writes the cache
    check, peak, status = time_command(
        [sys.executable, "-m", "kehu", "check", "--repo", str(out), "--today", date(2026, 11, 20).isoformat(),
         "--format", "json"], out)
    cjs = None if args.skip_cjs else time_check_jsonschema(by_kind, PROJECT / "schemas")

    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"files: {len(paths)} ({', '.join(f'{k} {len(v)}' for k, v in by_kind.items())})\n")
    print("| measurement | seconds | vs (a) |")
    print("|---|---|---|")
    print(f"| (a) parse only, PyYAML CSafeLoader | {parse:.1f} | 1.00× |")
    print(f"| (b) kehu check, cold (exit {status}, peak RSS {peak:.0f} MB) | {check:.1f} | {check / parse:.2f}× |")
    if cjs is not None:
        print(f"| (c) check-jsonschema, same files and schemas | {cjs:.1f} | {cjs / parse:.2f}× |")


if __name__ == "__main__":
    main()
