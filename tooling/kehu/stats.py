"""Customer-resource statistics for a period (客户资源统计, 000 客户统计管理制度): the tables of
`kehu report` and of the site's report pages, computed in one place."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kehu.domain import (  # the periods are kehu.domain's; `kehu report` imports them from here
    POOL,
    Period,
    Visibility,
    contract_signed,
    date_range,
    last_month,
    last_week,
    staff_label,
    survey_completeness,
)
from kehu.facts import COMPLAINT_STEPS, complaint_deadline, visits_by_customer
from kehu.timeutil import local_date, local_datetime

__all__ = ["Period", "Table", "date_range", "last_month", "last_week", "report_tables", "summary"]

BUDGET_BANDS = ((0, 10, "10 万以下"), (10, 20, "10–20 万"), (20, 50, "20–50 万"), (50, 100, "50–100 万"),
                (100, float("inf"), "100 万以上"))
MILESTONES = (("first_consult", "首次咨询"), ("site_measured", "量房"), ("plan_delivered", "交方案"),
              ("quoted", "报价"), ("contract_signed", "签约"), ("construction_started", "开工"),
              ("completed", "竣工"), ("settled", "结算"))
STEP_NAMES = {"investigation": "调查", "reply": "答复", "resolution": "解决"}


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


def report_tables(repo, period: Period, view: Visibility | None = None) -> list[Table]:
    """Every table of the statistics for `period`, as `view` may show them (by default
    masked: 绝密 customers are not counted, 机密 ones are shown by id alone, numbers typed
    into text are masked)."""
    view = view or Visibility(repo)
    customers = sorted((c for c in repo.of("customer") if view.shows(c.id)), key=lambda c: c.id)
    ids = {c.id for c in customers}
    tables = [*_new_customers(customers, period), _stage_changes(customers, period), *_visits(repo, ids, period),
              _complaints(repo, ids, period), _survey_completeness(repo, customers, period),
              _reclaimed(repo, customers, period, view)]
    for table in tables:  # a phone typed into a reason, a district or a staff name is masked in every format
        table.rows = [[view.text(value) for value in row] for row in table.rows]
    return tables


def _new_customers(customers, period: Period) -> list[Table]:
    new = [c for c in customers if local_datetime(c.data.get("registered_at")) in period]
    return [
        _counted("new_by_source", "新增客户按来源", "来源", Counter((c.data.get("source") or {}).get("channel", "未填") for c in new)),
        _counted("new_by_district", "新增客户按地区", "地区", Counter(c.data.get("district", "未填") for c in new)),
        _counted("new_by_house_type", "新增客户按房屋类型", "房屋类型",
                 Counter((c.data.get("house") or {}).get("type", "未填") for c in new)),
        _counted("new_by_budget", "新增客户按预算", "预算", Counter(budget_band(c.data.get("budget_wan")) for c in new)),
        _intermediary_share(new),
    ]


def _intermediary_share(new) -> Table:
    """How many new customers an agency brought (002 客户管理制度 3.1.6: marked at registration)."""
    agency = sum(1 for c in new if (c.data.get("source") or {}).get("channel") == "中介"
                 or (c.data.get("source") or {}).get("intermediary") is True)
    return Table("new_intermediary", "新增客户中介介绍占比", ["项目", "数值"],
                 [["中介介绍", agency], ["占新增客户（%）", _percent(agency, len(new))]])


def _stage_changes(customers, period: Period) -> Table:
    reached = Counter()
    for c in customers:
        milestones = c.data.get("milestones") or {}
        for key, _ in MILESTONES:
            if local_datetime(milestones.get(key)) in period:
                reached[key] += 1
    stage_rows = [[label, reached[key]] for key, label in MILESTONES]
    stage_rows.append(["咨询→签约转化率（%）", _percent(reached["contract_signed"], reached["first_consult"])])
    return Table("stage_changes", "阶段变化（本期达到各节点的客户数）", ["节点", "客户数"], stage_rows)


def _visits(repo, ids: set, period: Period) -> list[Table]:
    by_staff, by_type = Counter(), Counter()
    for customer_id, visits in visits_by_customer(repo).items():
        if customer_id in ids:
            for when, visit in visits:
                if when in period:
                    by_staff[visit.data.get("staff")] += 1
                    by_type[visit.data.get("type")] += 1
    return [Table("visits_by_staff", "回访按员工", ["员工", "次数"],
                  [[staff_label(repo, k), v] for k, v in sorted(by_staff.items(), key=lambda kv: (-kv[1], kv[0]))]),
            _counted("visits_by_type", "回访按类型", "类型", by_type)]


def _complaints(repo, ids: set, period: Period) -> Table:
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
    return Table("complaints", "投诉按类别与按时率（未到期的不计）", headers, rows)


def _survey_completeness(repo, customers, period: Period) -> Table:
    required = repo.policy["survey_required"]
    completeness: dict[tuple, list[float]] = defaultdict(list)
    for c in customers:
        if local_datetime(contract_signed(c.data)) not in period:
            continue
        share = survey_completeness(c.data, required)
        for role, staff_id in (("设计师", c.data.get("designer")), ("客户经理", c.data.get("owner"))):
            if staff_id and staff_id != POOL:
                completeness[(role, staff_id)].append(share)
    return Table("survey_completeness", "客户基本情况调查表完整率（本期签约）", ["岗位", "员工", "签约客户", "完整率（%）"],
                 [[role, staff_label(repo, s), len(v), round(100 * sum(v) / len(v), 1)]
                  for (role, s), v in sorted(completeness.items())])


def _reclaimed(repo, customers, period: Period, view: Visibility) -> Table:
    reclaimed = []
    for c in customers:
        holder = c.data.get("registered_by")
        for entry in c.data.get("owner_history") or []:
            if entry.get("owner") == POOL and local_datetime(entry.get("from")) in period:
                if view.restricts(c.id):  # 机密: counted, shown by id; its owner history stays unshown
                    reclaimed.append([c.id, None, None, None])
                else:
                    reclaimed.append([c.id, staff_label(repo, holder), str(local_date(entry.get("from"))), entry.get("reason", "")])
            holder = entry.get("owner")
    return Table("reclaimed", "收回公海的客户", ["客户", "原客户经理", "日期", "理由"], reclaimed)


def summary(tables: list[Table]) -> dict:
    by_key = {t.key: t for t in tables}
    stage = dict((row[0], row[1]) for row in by_key["stage_changes"].rows)
    return {"new_customers": sum(r[1] for r in by_key["new_by_source"].rows), "signed": stage.get("签约", 0),
            "visits": sum(r[1] for r in by_key["visits_by_type"].rows),
            "complaints": sum(r[1] for r in by_key["complaints"].rows), "reclaimed": len(by_key["reclaimed"].rows)}
