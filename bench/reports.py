"""Time the site's report pages (kehu.site.summaries.report_pages) on one records repository.

    python bench/reports.py [--repo PATH] [--today 2026-11-20] [--rounds 2] [--periods]

The repository is loaded and validated once (kehu.pipeline.prepare, which writes no cache),
then report_pages writes its pages into a temporary folder, `--rounds` times; each round
starts from an empty folder and forgets kehu.facts' caches, as a build would. With
`--periods` it also times one `report_tables` for a week and a month, and the whole set of
periods the archive shows. The default repository is the demo (the project's own records);
bench/run.py generates the 20,000-customer one (bench/out/N20000). The machine's load average
is printed beside each figure: other work on a 2-core machine moves them all.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent


def load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", type=Path, default=PROJECT)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 20))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--periods", action="store_true", help="also time report_tables alone")
    args = parser.parse_args()

    from kehu.pipeline import prepare
    from kehu.site import summaries
    from kehu.site.pages import Site

    started = time.perf_counter()
    repo = prepare(args.repo, args.today)
    customers = len(repo.of("customer"))
    print(f"{args.repo}: {customers} customers, {len(repo.records)} records, loaded in "
          f"{time.perf_counter() - started:.1f} s ({load()})")
    for round_ in range(args.rounds):
        out = Path(tempfile.mkdtemp(prefix="kehu-reports-"))
        try:
            repo.facts.clear()
            site = Site(repo, [], out, False, {})
            started, cpu = time.perf_counter(), time.process_time()
            summaries.report_pages(site)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            pages = sum(1 for _ in (out / "reports").rglob("*.md"))
            print(f"round {round_ + 1}: report_pages {seconds:.2f} s wall, {cpu:.2f} s CPU, {pages} pages ({load()})")
        finally:
            shutil.rmtree(out, ignore_errors=True)
    if args.periods:
        from kehu.domain import Visibility, last_month, last_week
        from kehu.stats import report_tables

        view = Visibility(repo)
        for name, period in (("a week", last_week(args.today)), ("a month", last_month(args.today))):
            repo.facts.clear()
            for state in ("cold", "warm"):
                started, cpu = time.perf_counter(), time.process_time()
                report_tables(repo, period, view)
                print(f"report_tables for {name}: {time.perf_counter() - started:.2f} s wall, "
                      f"{time.process_time() - cpu:.2f} s CPU (facts {state}; {load()})")


if __name__ == "__main__":
    sys.exit(main())
