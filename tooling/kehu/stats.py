"""Customer-resource statistics for a period (客户资源统计, 000 客户统计管理制度): the tables of
`kehu report` and of the site's report pages, computed in one place."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from kehu.facts import COMPLAINT_STEPS, POOL, complaint_deadline, visits_by_customer
from kehu.timeutil import local_date, local_datetime

BUDGET_BANDS = ((0, 10, "10 万以下"), (10, 20, "10–20 万"), (20, 50, "20–50 万"), (50, 100, "50–100 万"),
                (100, float("inf"), "100 万以上"))
FRIDAY = 4
WEEK_CLOSES = time(18, 0)  # the week's forms go in by Friday 18:00 (000 客户统计管理制度 三)
MILESTONES = (("first_consult", "首次咨询"), ("site_measured", "量房"), ("plan_delivered", "交方案"),
              ("quoted", "报价"), ("contract_signed", "签约"), ("construction_started", "开工"),
              ("completed", "竣工"), ("settled", "结算"))
STEP_NAMES = {"investigation": "调查", "reply": "答复", "resolution": "解决"}


@dataclass
class Period:
    start: datetime  # inclusive
    end: datetime  # exclusive
    title: str
    kind: str = "range"

    def __contains__(self, moment) -> bool:
        return moment is not None and self.start <= moment < self.end


def last_week(today: date) -> Period:
    """The statistics week that closed most recently: Friday 18:00 to Friday 18:00."""
    friday = today - timedelta(days=(today.weekday() - FRIDAY) % 7)
    end = datetime.combine(friday, WEEK_CLOSES)
    start = end - timedelta(days=7)
    return Period(start, end, f"周报 {start:%Y-%m-%d %H:%M} 至 {end:%Y-%m-%d %H:%M}", "weekly")


def last_month(today: date) -> Period:
    """The last complete calendar month."""
    first = today.replace(day=1)
    start = (first - timedelta(days=1)).replace(day=1)
    return Period(datetime.combine(start, time()), datetime.combine(first, time()), f"月报 {start:%Y 年 %m 月}", "monthly")


def date_range(start: date, end: date) -> Period:
    """From the start of `start` to the end of `end`, both days included."""
    return Period(datetime.combine(start, time()), datetime.combine(end + timedelta(days=1), time()),
                  f"统计 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}", "range")


@dataclass
class Table:
    key: str  # stable name for JSON and the xlsx sheet
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"title": self.title, "headers": self.headers, "rows": self.rows}


def budget_band(value) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "未填"
    return next(label for low, high, label in BUDGET_BANDS if low <= value < high)


def _counted(key, title, head, counter: Counter) -> Table:
    rows = [[k, v] for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))]
    return Table(key, title, [head, "数量"], rows)


def _percent(part: int, whole: int):
    return round(100 * part / whole, 1) if whole else None


def report_tables(repo, period: Period, customers=None) -> list[Table]:
    """Every table of the statistics for `period`; `customers` limits what is counted (the
    site leaves out 绝密 customers)."""
    customers = sorted(customers if customers is not None else repo.of("customer"), key=lambda c: c.id)
    ids = {c.id for c in customers}
    staff = {r.id: r.data.get("name", r.id) for r in repo.of("staff")}
    name = lambda staff_id: f"{staff.get(staff_id, staff_id)}（{staff_id}）"  # noqa: E731

    new = [c for c in customers if local_datetime(c.data.get("registered_at")) in period]
    tables = [
        _counted("new_by_source", "新增客户按来源", "来源", Counter((c.data.get("source") or {}).get("channel", "未填") for c in new)),
        _counted("new_by_district", "新增客户按地区", "地区", Counter(c.data.get("district", "未填") for c in new)),
        _counted("new_by_house_type", "新增客户按房屋类型", "房屋类型",
                 Counter((c.data.get("house") or {}).get("type", "未填") for c in new)),
        _counted("new_by_budget", "新增客户按预算", "预算", Counter(budget_band(c.data.get("budget_wan")) for c in new)),
    ]

    reached = Counter()
    for c in customers:
        milestones = c.data.get("milestones") or {}
        for key, _ in MILESTONES:
            if local_datetime(milestones.get(key)) in period:
                reached[key] += 1
    stage_rows = [[label, reached[key]] for key, label in MILESTONES]
    stage_rows.append(["咨询→签约转化率（%）", _percent(reached["contract_signed"], reached["first_consult"])])
    tables.append(Table("stage_changes", "阶段变化（本期达到各节点的客户数）", ["节点", "客户数"], stage_rows))

    by_staff, by_type = Counter(), Counter()
    for customer_id, visits in visits_by_customer(repo).items():
        if customer_id in ids:
            for when, visit in visits:
                if when in period:
                    by_staff[visit.data.get("staff")] += 1
                    by_type[visit.data.get("type")] += 1
    tables.append(Table("visits_by_staff", "回访按员工", ["员工", "次数"],
                        [[name(k), v] for k, v in sorted(by_staff.items(), key=lambda kv: (-kv[1], kv[0]))]))
    tables.append(_counted("visits_by_type", "回访按类型", "类型", by_type))

    complaints = [t for t in repo.of("complaint")
                  if t.data.get("customer") in ids and local_datetime(t.data.get("received_at")) in period]
    per_category: dict[str, Counter] = defaultdict(Counter)
    for complaint in complaints:
        counts = per_category[complaint.data.get("category")]
        counts["total"] += 1
        for step in COMPLAINT_STEPS:
            deadline = complaint_deadline(repo, complaint, step)
            state = deadline.state if deadline else "unknown"
            counts[f"{step}:{state}"] += 1
    headers = ["类别", "件数"] + [f"{STEP_NAMES[s]}按时率（%）" for s in COMPLAINT_STEPS]
    rows = []
    for category, counts in sorted(per_category.items(), key=lambda kv: (-kv[1]["total"], kv[0])):
        rates = [_percent(counts[f"{s}:on_time"], counts[f"{s}:on_time"] + counts[f"{s}:late"] + counts[f"{s}:overdue"])
                 for s in COMPLAINT_STEPS]
        rows.append([category, counts["total"], *rates])
    tables.append(Table("complaints", "投诉按类别与按时率（未到期的不计）", headers, rows))

    required = repo.policy["survey_required"]
    completeness: dict[tuple, list[float]] = defaultdict(list)
    for c in customers:
        if local_datetime((c.data.get("milestones") or {}).get("contract_signed")) not in period:
            continue
        survey = c.data.get("survey") or {}
        share = sum(1 for k in required if survey.get(k) not in (None, "", [])) / len(required) if required else 1.0
        for role, staff_id in (("设计师", c.data.get("designer")), ("客户经理", c.data.get("owner"))):
            if staff_id and staff_id != POOL:
                completeness[(role, staff_id)].append(share)
    tables.append(Table("survey_completeness", "客户基本情况调查表完整率（本期签约）", ["岗位", "员工", "签约客户", "完整率（%）"],
                        [[role, name(s), len(v), round(100 * sum(v) / len(v), 1)]
                         for (role, s), v in sorted(completeness.items())]))

    reclaimed = []
    for c in customers:
        holder = c.data.get("registered_by")
        for entry in c.data.get("owner_history") or []:
            if entry.get("owner") == POOL and local_datetime(entry.get("from")) in period:
                reclaimed.append([c.id, name(holder), str(local_date(entry.get("from"))), entry.get("reason", "")])
            holder = entry.get("owner")
    tables.append(Table("reclaimed", "收回公海的客户", ["客户", "原客户经理", "日期", "理由"], reclaimed))
    return tables


def summary(tables: list[Table]) -> dict:
    by_key = {t.key: t for t in tables}
    stage = dict((row[0], row[1]) for row in by_key["stage_changes"].rows)
    return {"new_customers": sum(r[1] for r in by_key["new_by_source"].rows), "signed": stage.get("签约", 0),
            "visits": sum(r[1] for r in by_key["visits_by_type"].rows),
            "complaints": sum(r[1] for r in by_key["complaints"].rows), "reclaimed": len(by_key["reclaimed"].rows)}
