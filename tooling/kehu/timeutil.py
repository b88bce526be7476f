"""Record times -> local (Asia/Shanghai) dates and times, whatever way they were written."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


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
        if value.tzinfo is not None:
            value = value.astimezone(SHANGHAI).replace(tzinfo=None)
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return None


def local_date(value) -> date | None:
    moment = local_datetime(value)
    return moment.date() if moment else None
