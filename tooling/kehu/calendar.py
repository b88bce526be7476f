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
    def __init__(self, extra_holidays=(), extra_workdays=()):
        self.extra_holidays = {_as_date(d) for d in extra_holidays}
        self.extra_workdays = {_as_date(d) for d in extra_workdays}
        self.filled_years = {d.year for d in self.extra_holidays | self.extra_workdays}
        self.guessed_years: set[int] = set()

    def is_workday(self, day: date) -> bool:
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
        return sum(self.is_workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))

    def notes(self) -> list[Text]:
        if not self.guessed_years:
            return []
        years = "、".join(map(str, sorted(self.guessed_years)))
        return [Text(
            f"节假日库还没有 {years} 年的放假安排：这些年份按周一至周五计算工作日。"
            "请按国务院通知在 records/policy.yaml 的 extra_holidays / extra_workdays 中补充，或升级 chinesecalendar",
            f"the holiday calendar does not know {years} yet: counting Monday to Friday for those years. "
            "Add the official dates to extra_holidays / extra_workdays in records/policy.yaml, or upgrade chinesecalendar")]


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
