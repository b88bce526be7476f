"""Working days for placing demo complaints: the very calendar `kehu check` uses."""

from __future__ import annotations

from datetime import date, timedelta

from kehu.calendar import WorkCalendar

_CALENDAR = WorkCalendar()
is_workday = _CALENDAR.is_workday
add_workdays = _CALENDAR.add_workdays


def next_workday(day: date) -> date:
    """`day` if it is a working day, else the first working day after it."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 if end <= start)."""
    return max(_CALENDAR.workdays_between(start, end), 0)
