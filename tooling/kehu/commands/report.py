"""`kehu report`: the customer resource statistics for a week, a month or any range, the
month's analysis beside the previous month and the same month last year, and the per-person
scorecard (员工考核表)."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from kehu.commands import Failure, Run, output_file
from kehu.domain import Period, calendar_month, date_range, in_closing_week, last_month, last_week, presented_month
from kehu.findings import Text
from kehu.timeutil import EARLIEST, LATEST

MONTH = re.compile(r"(\d{4})-(\d{1,2})")
NAMES = {"weekly": "客户资源周报", "monthly": "客户资源月报", "range": "客户资源统计", "scorecard": "员工考核表"}


def period_of(kind: str, today: date, start: date | None, end: date | None, month: str | None = None,
              say=None) -> Period:
    """The period a report covers: weekly (to Friday 18:00), monthly (see `month_of`), range
    (--from to --to, both included), scorecard (--from/--to, else the last complete month)."""
    if month is not None and kind != "monthly":
        raise Failure(Text("--month 只用于 monthly", "--month goes with monthly"))
    if kind in ("range", "scorecard") and (start or end or kind == "range"):
        if not (start and end):
            raise Failure(Text(f"{kind} 需要同时给 --from 和 --to", f"{kind} needs both --from and --to"))
        if end < start:
            raise Failure(Text("--to 早于 --from", "--to is before --from"))
        return date_range(start, end)
    if start or end:
        raise Failure(Text("--from/--to 只用于 range 和 scorecard", "--from/--to go with range and scorecard"))
    if kind == "weekly":
        return last_week(today)
    if kind == "scorecard":
        return last_month(today)
    return month_of(today, month, say)


def month_of(today: date, month: str | None, say=None) -> Period:
    """`--month YYYY-MM` or `current` (the month so far); without it the last complete month,
    except in a month's last seven days, when the month being presented at its last meeting
    (000 第四条) is this one: then the month so far, and a note says so."""
    if month is None:
        if say and in_closing_week(today):
            say(f"今天在本月最后一周（月末例会，客户资源统计规定第四条）：月报为本月至今；"
                f"上个月请用 --month {last_month(today).start:%Y-%m}",
                f"today is in the month's last week (its last meeting): the report covers this month so far; "
                f"for last month use --month {last_month(today).start:%Y-%m}")
        return presented_month(today)
    if month == "current":
        return calendar_month(today.replace(day=1), today)
    match = MONTH.fullmatch(month.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not EARLIEST.year <= int(match.group(1)) <= LATEST.year:
        raise Failure(Text(f"--month {month} 看不懂：请写 YYYY-MM（如 2026-11）或 current",
                           f"--month {month}: write YYYY-MM (e.g. 2026-11) or current"))
    first = date(int(match.group(1)), int(match.group(2)), 1)
    if first > today:
        raise Failure(Text(f"{first:%Y 年 %m 月}还没开始（今天 {today}）", f"{first:%Y-%m} has not begun (today is {today})"))
    return calendar_month(first, today)


def default_name(kind: str, period: Period, full: bool) -> str:
    """The file an xlsx report gets without --out: 客户资源周报-2026-11-20.xlsx,
    客户资源月报-2026-10.xlsx, 员工考核表-2026-10.xlsx, 客户资源统计-2026-11-01至2026-11-20.xlsx."""
    first, last = period.start.date(), period.end.date()
    if kind == "weekly":
        span = f"{last}"
    elif period.kind == "monthly":
        span = f"{first:%Y-%m}"
    else:
        span = f"{first}至{date.fromordinal(last.toordinal() - 1)}"
    return f"{NAMES[kind]}-{span}{'-不打码' if full else ''}.xlsx"


def run(ctx: Run, kind: str, start: date | None, end: date | None, fmt: str, out: Path | None, force: bool,
        full: bool = False, month: str | None = None) -> int:
    from kehu.domain import Visibility
    from kehu.edit import write_atomically
    from kehu.report import statistics

    chosen = period_of(kind, ctx.today, start, end, month, ctx.say)
    target = output_file(ctx, out, default_name(kind, chosen, full), force) if out or fmt == "xlsx" else None
    repository = ctx.prepare()
    view = Visibility(repository, full)
    if kind == "scorecard":
        from kehu.scorecard import scorecard

        chosen = replace(chosen, title=f"员工考核表 {chosen.title.split(' ', 1)[1]}")
        card = scorecard(repository, chosen, view)
        render = {"xlsx": statistics.scorecard_xlsx, "json": statistics.scorecard_json, "md": statistics.scorecard_markdown}
        content = render[fmt](card)
    else:
        from kehu.stats import monthly_analysis, report_tables

        comparison = None
        if kind == "monthly":
            tables, comparison = monthly_analysis(repository, chosen, view)
        else:
            tables = report_tables(repository, chosen, view)
        if fmt == "xlsx":
            content = statistics.xlsx(chosen, tables, comparison)
        elif fmt == "json":
            content = statistics.as_json(chosen, tables, comparison)
        else:
            content = statistics.markdown(chosen, tables)
    if isinstance(content, str):
        content = content.encode("utf-8")
    if target is None:
        sys.stdout.write(content.decode("utf-8"))
        return 0
    write_atomically(target, content)
    where = out if out is not None else target
    ctx.say(f"已写入 {where}（{chosen.title}）" + ("" if out else "；未给 --out，放在仓库的 _exports/ 目录，git 不会提交它"),
            f"wrote {where} ({chosen.title})" + ("" if out else "; no --out given: in the repository's _exports/ folder, "
                                                 "which git ignores"))
    return 0
