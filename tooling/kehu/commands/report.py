"""`kehu report`: the customer resource statistics for a week, a month or any range."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from kehu.commands import Failure, Run, refuse_overwrite
from kehu.findings import Text


def period_of(kind: str, today: date, start: date | None, end: date | None):
    """The period a report covers: weekly (to Friday 18:00), monthly (the last calendar
    month) or range (--from to --to, both included)."""
    from kehu.stats import date_range, last_month, last_week

    if kind == "range":
        if not (start and end):
            raise Failure(Text("range 需要 --from 和 --to", "range needs --from and --to"))
        if end < start:
            raise Failure(Text("--to 早于 --from", "--to is before --from"))
        return date_range(start, end)
    if start or end:
        raise Failure(Text("--from/--to 只用于 range", "--from/--to go with range"))
    return last_week(today) if kind == "weekly" else last_month(today)


def run(ctx: Run, kind: str, start: date | None, end: date | None, fmt: str, out: Path | None, force: bool,
        full: bool = False) -> int:
    from kehu.domain import Visibility
    from kehu.edit import write_atomically
    from kehu.report import statistics
    from kehu.stats import report_tables

    chosen = period_of(kind, ctx.today, start, end)
    if fmt == "xlsx" and out is None:
        raise Failure(Text("xlsx 需要 --out 文件名", "xlsx needs --out FILE"))
    refuse_overwrite(out, force)
    repository = ctx.prepare()
    tables = report_tables(repository, chosen, Visibility(repository, full))
    if fmt == "xlsx":
        content = statistics.xlsx(chosen, tables)
    else:
        text = statistics.as_json(chosen, tables) if fmt == "json" else statistics.markdown(chosen, tables)
        content = text.encode("utf-8")
    if out is None:
        sys.stdout.write(content.decode("utf-8"))
        return 0
    write_atomically(out.resolve(), content)
    ctx.say(f"已写入 {out}（{chosen.title}）", f"wrote {out} ({chosen.title})")
    return 0
