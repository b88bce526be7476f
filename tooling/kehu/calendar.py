"""Working days (工作日): the official mainland-China calendar, in one place.

`chinesecalendar` knows the State Council's holidays and make-up working days (调休) up to
the last year it was released for, and raises for later years. A company adds a new year
from the official notice in policy `extra_holidays` / `extra_workdays`; for a year nobody
has filled in, kehu counts Monday to Friday and says so (never silently).
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from kehu.findings import Text


class WorkCalendar:
    """Counting working days costs the same however far apart the dates are: a year the
    calendar knows is counted once into a running total per day; a year it does not know is
    Monday to Friday, counted by arithmetic (`kehu check --today 2200-12-31` must not walk
    175 years a day at a time)."""

    def __init__(self, extra_holidays=(), extra_workdays=()):
        self.extra_holidays = {_as_date(d) for d in extra_holidays}
        self.extra_workdays = {_as_date(d) for d in extra_workdays}
        self.filled_years = {d.year for d in self.extra_holidays | self.extra_workdays}
        self.guessed_years: set[int] = set()
        self._days: dict[date, bool] = {}
        self._running: dict[int, list[int]] = {}  # year -> working days from 1 January to each day

    def is_workday(self, day: date) -> bool:
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self.filled_years:
                self.guessed_years.add(day.year)
            return day.weekday() < 5

    def _known_year(self, year: int) -> bool:
        if year in self.filled_years:
            return True
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
            return True
        except NotImplementedError:
            self.guessed_years.add(year)
            return False

    def _through(self, day: date) -> int:
        """Working days from 1 January of day's year to day, both included."""
        if not self._known_year(day.year):
            return _weekdays(date(day.year, 1, 1), day)
        running = self._running.get(day.year)
        if running is None:
            running, total, first = [], 0, date(day.year, 1, 1)
            for offset in range((date(day.year, 12, 31) - first).days + 1):
                total += self.is_workday(first + timedelta(days=offset))
                running.append(total)
            self._running[day.year] = running
        return running[day.timetuple().tm_yday - 1]

    def add_workdays(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (start itself not counted)."""
        day = start
        while count > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                count -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.workdays_between(end, start)
        whole_years = sum(self._through(date(year, 12, 31)) for year in range(start.year, end.year))
        return whole_years + self._through(end) - self._through(start)

    def notes(self) -> list[Text]:
        if not self.guessed_years:
            return []
        years = "、".join(_spans(sorted(self.guessed_years)))
        return [Text(
            f"节假日库还没有 {years} 年的放假安排：这些年份按周一至周五计算工作日。"
            "请按国务院通知在 records/policy.yaml 的 extra_holidays / extra_workdays 中补充，或升级 chinesecalendar",
            f"the holiday calendar does not know {years} yet: counting Monday to Friday for those years. "
            "Add the official dates to extra_holidays / extra_workdays in records/policy.yaml, or upgrade chinesecalendar")]


def _spans(years: list[int]) -> list[str]:
    """[2027, 2028, 2029, 2031] -> ["2027–2029", "2031"]."""
    spans: list[list[int]] = []
    for year in years:
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return [f"{a}–{b}" if b > a else str(a) for a, b in spans]


def _weekdays(first: date, last: date) -> int:
    """Monday-to-Friday days from first to last, both included."""
    weeks, rest = divmod((last - first).days + 1, 7)
    return weeks * 5 + sum((first.weekday() + i) % 7 < 5 for i in range(rest))


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
