"""Customer-resource statistics for a period (客户资源统计): one place for the site's report
pages and, later, `kehu report`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from kehu.facts import visits_by_customer
from kehu.timeutil import local_datetime

BUDGET_BANDS = ((0, 10, "10 万以下"), (10, 20, "10–20 万"), (20, 50, "20–50 万"), (50, 100, "50–100 万"),
                (100, float("inf"), "100 万以上"))
FRIDAY = 4
WEEK_CLOSES = time(18, 0)  # statistics go out Friday 18:00 (000 客户统计管理制度 三)


@dataclass
class Period:
    start: datetime  # inclusive
    end: datetime  # exclusive
    title: str


def last_week(today: date) -> Period:
    """The statistics week that closed most recently: Friday 18:00 to Friday 18:00."""
    friday = today - timedelta(days=(today.weekday() - FRIDAY) % 7)
    end = datetime.combine(friday, WEEK_CLOSES)
    if end > datetime.combine(today, time(23, 59)):
        end -= timedelta(days=7)
    start = end - timedelta(days=7)
    return Period(start, end, f"周报 {start:%Y-%m-%d %H:%M} 至 {end:%Y-%m-%d %H:%M}")


def last_month(today: date) -> Period:
    first = today.replace(day=1)
    start = (first - timedelta(days=1)).replace(day=1)
    return Period(datetime.combine(start, time()), datetime.combine(first, time()), f"月报 {start:%Y 年 %m 月}")


@dataclass
class Stats:
    period: Period
    new_customers: int = 0
    by_source: Counter = field(default_factory=Counter)
    by_district: Counter = field(default_factory=Counter)
    by_house_type: Counter = field(default_factory=Counter)
    by_budget: Counter = field(default_factory=Counter)
    signed: int = 0
    visits_by_staff: Counter = field(default_factory=Counter)
    visits_by_type: Counter = field(default_factory=Counter)
    complaints_by_category: Counter = field(default_factory=Counter)
    complaints: int = 0


def budget_band(value) -> str:
    if not isinstance(value, (int, float)):
        return "未填"
    return next(label for low, high, label in BUDGET_BANDS if low <= value < high)


def period_stats(repo, period: Period, customers=None) -> Stats:
    """Counts for the period; `customers` limits them (the site leaves out 绝密 customers)."""
    customers = list(customers if customers is not None else repo.of("customer"))
    ids = {c.id for c in customers}
    stats = Stats(period)
    inside = lambda moment: moment is not None and period.start <= moment < period.end  # noqa: E731
    for customer in customers:
        data = customer.data
        if inside(local_datetime(data.get("registered_at"))):
            stats.new_customers += 1
            stats.by_source[(data.get("source") or {}).get("channel", "未填")] += 1
            stats.by_district[data.get("district", "未填")] += 1
            stats.by_house_type[(data.get("house") or {}).get("type", "未填")] += 1
            stats.by_budget[budget_band(data.get("budget_wan"))] += 1
        if inside(local_datetime((data.get("milestones") or {}).get("contract_signed"))):
            stats.signed += 1
    for customer_id, visits in visits_by_customer(repo).items():
        if customer_id not in ids:
            continue
        for when, visit in visits:
            if inside(when):
                stats.visits_by_staff[visit.data.get("staff")] += 1
                stats.visits_by_type[visit.data.get("type")] += 1
    for complaint in repo.of("complaint"):
        if complaint.data.get("customer") in ids and inside(local_datetime(complaint.data.get("received_at"))):
            stats.complaints += 1
            stats.complaints_by_category[complaint.data.get("category")] += 1
    return stats
