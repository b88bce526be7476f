"""The periods statistics and rules count in (000 客户统计管理制度): the week that closes
Friday 18:00, the last calendar month, any range of days."""

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


def last_month(today: date) -> Period:
    """The last complete calendar month."""
    first, last = previous_month(today)
    return Period(datetime.combine(first, time()), datetime.combine(last + timedelta(days=1), time()),
                  f"月报 {first:%Y 年 %m 月}", "monthly")


def date_range(start: date, end: date) -> Period:
    """From the start of `start` to the end of `end`, both days included."""
    return Period(datetime.combine(start, time()), datetime.combine(end + timedelta(days=1), time()),
                  f"统计 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}", "range")
