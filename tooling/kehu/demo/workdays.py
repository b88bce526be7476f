"""The official mainland-China calendar for the demo's years (国务院办公厅放假通知).

The generator uses it only to place complaint handling inside (or, for a scenario, outside)
the working-day deadlines; `kehu check` itself uses the chinesecalendar package. Standard
library only, so that generation has no dependencies.
"""

from __future__ import annotations

from datetime import date, timedelta


def _days(year: int, spans: str) -> frozenset[date]:
    out = set()
    for part in spans.split():
        start, _, end = part.partition("..")
        m1, d1 = map(int, start.split("-"))
        first = date(year, m1, d1)
        last = first
        if end:
            m2, d2 = map(int, end.split("-"))
            last = date(year, m2, d2)
        while first <= last:
            out.add(first)
            first += timedelta(days=1)
    return frozenset(out)


HOLIDAYS = (
    _days(2024, "01-01 02-10..02-17 04-04..04-06 05-01..05-05 06-10 09-15..09-17 10-01..10-07")
    | _days(2025, "01-01 01-28..02-04 04-04..04-06 05-01..05-05 05-31..06-02 10-01..10-08")
    | _days(2026, "01-01..01-03 02-15..02-23 04-04..04-06 05-01..05-05 06-19..06-21 "
                  "09-25..09-27 10-01..10-07")
)
# weekend days that are working days (调休上班)
WORKDAYS = (
    _days(2024, "02-04 02-18 04-07 04-28 05-11 09-14 09-29 10-12")
    | _days(2025, "01-26 02-08 04-27 09-28 10-11")
    | _days(2026, "01-04 02-14 02-28 05-09 09-20 10-10")
)


def is_workday(day: date) -> bool:
    if day in HOLIDAYS:
        return False
    if day in WORKDAYS:
        return True
    return day.weekday() < 5


def add_workdays(day: date, n: int) -> date:
    """The n-th working day after `day` (n >= 0; n = 0 gives `day` itself)."""
    while n > 0:
        day += timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def next_workday(day: date) -> date:
    """`day` if it is a working day, else the first working day after it."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 if end <= start)."""
    count = 0
    while start < end:
        start += timedelta(days=1)
        if is_workday(start):
            count += 1
    return count
