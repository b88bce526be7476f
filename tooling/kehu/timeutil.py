"""Record times -> local (Asia/Shanghai) dates and times, whatever way they were written."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
# the dates a record may carry (SPEC §10): anything else is a typo, and would overflow
# date arithmetic (0001-01-01+14:00) or make a calendar walk centuries (9999-12-31)
EARLIEST, LATEST = date(1900, 1, 1), date(2200, 12, 31)


def in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def parse_datetime(value: str) -> datetime:
    """ISO 8601 as people write it: "2026-03-04 10:30", "…T10:30:00+0800", "…Z"."""
    text = value.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":  # +0800 -> +08:00
        text = text[:-2] + ":" + text[-2:]
    return datetime.fromisoformat(text)


def local_datetime(value) -> datetime | None:
    """A naive Shanghai wall-clock time; None if the value is no time at all."""
    if isinstance(value, str):
        try:
            value = parse_datetime(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        if not in_range(value.date()):
            return None  # K101 says so; rules see no time at all
        if value.tzinfo is not None:
            value = value.astimezone(SHANGHAI).replace(tzinfo=None)
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day) if in_range(value) else None
    return None


def local_date(value) -> date | None:
    moment = local_datetime(value)
    return moment.date() if moment else None
