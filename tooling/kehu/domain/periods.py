"""The periods statistics and rules count in (000 客户统计管理制度): the week that closes
Friday 18:00, a calendar month (the last complete one, or the one presented at its own last
meeting), any range of days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

FRIDAY = 4
WEEK_CLOSES = time(18, 0)  # the week's forms go in by Friday 18:00 (000 客户统计管理制度 三)


@dataclass
class Period:
    start: datetime  # inclusive
    end: datetime  # exclusive
    title: str
    kind: str = "range"

    def __contains__(self, moment) -> bool:
        return moment is not None and self.start <= moment < self.end


def previous_month(today: date) -> tuple[date, date]:
    """The first and the last day of the calendar month before `today`'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def last_week(today: date) -> Period:
    """The statistics week that closed most recently: Friday 18:00 to Friday 18:00."""
    friday = today - timedelta(days=(today.weekday() - FRIDAY) % 7)
    end = datetime.combine(friday, WEEK_CLOSES)
    start = end - timedelta(days=7)
    return Period(start, end, f"周报 {start:%Y-%m-%d %H:%M} 至 {end:%Y-%m-%d %H:%M}", "weekly")


def add_months(first: date, months: int) -> date:
    """The first day of the month `months` after (or before) `first`'s month."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def calendar_month(first: date, today: date | None = None) -> Period:
    """The calendar month that starts on `first`; when it holds `today`, only up to the end
    of today (the month so far, as presented at its last meeting: 000 第四条)."""
    following = add_months(first, 1)
    end, title = following, f"月报 {first:%Y 年 %m 月}"
    if today is not None and first <= today < following:
        end, title = today + timedelta(days=1), f"{title}（截至 {today:%m 月 %d 日}）"
    return Period(datetime.combine(first, time()), datetime.combine(end, time()), title, "monthly")


def last_month(today: date) -> Period:
    """The last complete calendar month."""
    return calendar_month(previous_month(today)[0])


def in_closing_week(today: date) -> bool:
    """Whether `today` is one of its month's last seven days: the week of the month's last
    meeting, where the marketing center presents that month's analysis (000 第四条)."""
    return (add_months(today.replace(day=1), 1) - today).days <= 7


def presented_month(today: date) -> Period:
    """The month a monthly report shows by default: the last complete one, except in a month's
    last seven days, when it is the month being presented at its last meeting (000 第四条),
    so far."""
    return calendar_month(today.replace(day=1), today) if in_closing_week(today) else last_month(today)


def complete_months(period: Period) -> list[tuple[date, date]]:
    """(first day, last day) of each calendar month that lies wholly inside `period`."""
    months, first = [], add_months(period.start.date(), 0 if period.start.day == 1 and period.start.time() == time() else 1)
    while datetime.combine(add_months(first, 1), time()) <= period.end:
        months.append((first, add_months(first, 1) - timedelta(days=1)))
        first = add_months(first, 1)
    return months


def date_range(start: date, end: date) -> Period:
    """From the start of `start` to the end of `end`, both days included."""
    return Period(datetime.combine(start, time()), datetime.combine(end + timedelta(days=1), time()),
                  f"统计 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}", "range")
