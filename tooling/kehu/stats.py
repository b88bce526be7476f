"""Customer-resource statistics for a period (客户资源统计, 000 客户统计管理制度): the tables of
`kehu report` and of the site's report pages, computed in one place.

The site shows two dozen periods (an archive of weeks and months, each beside the one before):
walking every record for each would take a minute at 20,000 customers. So every date a table
counts by is read once per run into a sorted `Timeline` (kept with kehu.facts' caches), and a
period takes only the records whose date falls in it, by bisection, in the order the tables
have always walked them (a float summed in another order could round differently)."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from operator import itemgetter

from kehu.domain import (  # the periods are kehu.domain's; `kehu report` imports them from here
    POOL,
    SURVEY_VISIT,
    Period,
    Visibility,
    add_months,
    calendar_month,
    contract_signed,
    date_range,
    last_month,
    last_week,
    staff_label,
    survey_completeness,
)
from kehu.facts import COMPLAINT_STEPS, _cached, as_dict, complaint_deadline, lost_on, owner_on, visits_by_customer
from kehu.timeutil import local_date, local_datetime

__all__ = ["Period", "Table", "date_range", "last_month", "last_week", "monthly_analysis", "report_tables", "summary"]

BUDGET_BANDS = ((0, 10, "10 万以下"), (10, 20, "10–20 万"), (20, 50, "20–50 万"), (50, 100, "50–100 万"),
                (100, float("inf"), "100 万以上"))
MILESTONES = (("first_consult", "首次咨询"), ("site_measured", "量房"), ("plan_delivered", "交方案"),
              ("quoted", "报价"), ("contract_signed", "签约"), ("construction_started", "开工"),
              ("completed", "竣工"), ("settled", "结算"))
STEP_NAMES = {"investigation": "调查", "reply": "答复", "resolution": "解决"}
STATE_NAMES = {"on_time": "按时", "late": "逾期完成", "overdue": "逾期未办", "pending": "未到期", "unknown": "无记录"}
RESTRICTED = "（机密）"  # in place of what a 机密 customer's records say
TOP = 5  # reasons shown in the monthly analysis


@dataclass
class Table:
    key: str  # stable name for JSON and the xlsx sheet
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"title": self.title, "headers": self.headers, "rows": self.rows}


class Timeline:
    """Records by one of their dates, sorted once: `within(period)` gives those whose date
    lies in the period, in the order they were added."""

    def __init__(self, dated):
        entries = sorted(((moment, order, item) for order, (moment, item) in enumerate(dated) if moment is not None),
                         key=itemgetter(0, 1))
        self.moments = [moment for moment, _, _ in entries]
        self.entries = [(order, item) for _, order, item in entries]

    def within(self, period: Period) -> list:
        chosen = self.entries[bisect_left(self.moments, period.start):bisect_left(self.moments, period.end)]
        return [item for _, item in sorted(chosen, key=itemgetter(0))]


@dataclass
class Timelines:
    ids: list  # of every valid customer, sorted (the order every table walks customers in)
    registered: Timeline  # customer
    milestones: Timeline  # (customer, milestone key)
    signed: Timeline  # customer, by contract_signed
    lost: Timeline  # customer, by lost_on
    released: Timeline  # (customer, owner_history entry, who held it before), moves into the pool
    visits: Timeline  # (customer id, local time, visit), in visits_by_customer's order
    received: Timeline  # complaint, by received_at
    followed_up: Timeline  # complaint, by follow_up.at


@_cached
def timelines(repo) -> Timelines:
    """Every date the statistics count by, read once per run."""
    customers = sorted(repo.of("customer"), key=lambda c: c.id)
    complaints = repo.of("complaint")
    visits = visits_by_customer(repo)
    return Timelines(
        ids=[c.id for c in customers],
        registered=Timeline((local_datetime(c.data.get("registered_at")), c) for c in customers),
        milestones=Timeline((local_datetime((c.data.get("milestones") or {}).get(key)), (c, key))
                            for c in customers for key, _ in MILESTONES),
        signed=Timeline((local_datetime(contract_signed(c.data)), c) for c in customers),
        lost=Timeline((local_datetime(lost_on(repo, c)), c) for c in customers),
        released=Timeline(_releases(customers)),
        visits=Timeline((when, (customer_id, when, visit))
                        for customer_id, seen in visits.items() for when, visit in seen),
        received=Timeline((local_datetime(t.data.get("received_at")), t) for t in complaints),
        followed_up=Timeline((local_datetime(as_dict(t.data.get("follow_up")).get("at")), t) for t in complaints),
    )


def _releases(customers):
    for c in customers:
        holder = c.data.get("registered_by")
        for entry in c.data.get("owner_history") or []:
            if entry.get("owner") == POOL:
                yield local_datetime(entry.get("from")), (c, entry, holder)
            holder = entry.get("owner")


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
    index = timelines(repo)
    ids = {i for i in index.ids if view.shows(i)}
    signed = [c for c in index.signed.within(period) if c.id in ids]
    tables = [*_new_customers([c for c in index.registered.within(period) if c.id in ids]),
              _stage_changes([key for c, key in index.milestones.within(period) if c.id in ids]),
              *_visits(repo, index, ids, period), _complaints(repo, index, ids, period),
              _complaint_log(repo, index, ids, period, view), *_satisfaction(repo, index, ids, period, view),
              _contracts(repo, signed), _lost_reasons(repo, index, ids, period, view),
              _survey_completeness(repo, signed), _reclaimed(repo, index, ids, period, view)]
    for table in tables:  # a phone typed into a reason, a district or a staff name is masked in every format
        table.rows = [[view.text(value) for value in row] for row in table.rows]
    return tables


def _new_customers(new: list) -> list[Table]:
    """The customers registered in the period."""
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


def _stage_changes(reached_keys: list) -> Table:
    """`reached_keys`: each milestone a customer reached in the period."""
    reached = Counter(reached_keys)
    stage_rows = [[label, reached[key]] for key, label in MILESTONES]
    stage_rows.append(["咨询→签约转化率（%）", _percent(reached["contract_signed"], reached["first_consult"])])
    return Table("stage_changes", "阶段变化（本期达到各节点的客户数）", ["节点", "客户数"], stage_rows)


def _visits(repo, index: Timelines, ids: set, period: Period) -> list[Table]:
    by_staff, by_type = Counter(), Counter()
    for customer_id, _, visit in index.visits.within(period):
        if customer_id in ids:
            by_staff[visit.data.get("staff")] += 1
            by_type[visit.data.get("type")] += 1
    return [Table("visits_by_staff", "回访按员工", ["员工", "次数"],
                  [[staff_label(repo, k), v] for k, v in sorted(by_staff.items(), key=lambda kv: (-kv[1], kv[0]))]),
            _counted("visits_by_type", "回访按类型", "类型", by_type)]


def _complaints(repo, index: Timelines, ids: set, period: Period) -> Table:
    complaints = [t for t in index.received.within(period) if t.data.get("customer") in ids]
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


def _survey_completeness(repo, signed: list) -> Table:
    """`signed`: the customers whose contract was signed in the period."""
    required = repo.policy["survey_required"]
    completeness: dict[tuple, list[float]] = defaultdict(list)
    for c in signed:
        share = survey_completeness(c.data, required)
        for role, staff_id in (("设计师", c.data.get("designer")), ("客户经理", c.data.get("owner"))):
            if staff_id and staff_id != POOL:
                completeness[(role, staff_id)].append(share)
    return Table("survey_completeness", "客户基本情况调查表完整率（本期签约）", ["岗位", "员工", "签约客户", "完整率（%）"],
                 [[role, staff_label(repo, s), len(v), round(100 * sum(v) / len(v), 1)]
                  for (role, s), v in sorted(completeness.items())])


def _reclaimed(repo, index: Timelines, ids: set, period: Period, view: Visibility) -> Table:
    reclaimed = []
    for c, entry, holder in index.released.within(period):
        if c.id not in ids:
            continue
        if view.restricts(c.id):  # 机密: counted, shown by id; its owner history stays unshown
            reclaimed.append([c.id, None, None, None])
        else:
            reclaimed.append([c.id, staff_label(repo, holder), local_date(entry.get("from")), entry.get("reason", "")])
    return Table("reclaimed", "收回公海的客户", ["客户", "原客户经理", "日期", "理由"], reclaimed)


def _complaint_log(repo, index: Timelines, ids: set, period: Period, view: Visibility) -> Table:
    """客户投诉记录表 (002 客户管理制度12 七.1: each week's complaints, one row each, with
    what 六 asks to be recorded: when, who, the contact, what happened and what was done)."""
    customers = repo.ids("customer")
    complaints = sorted((t for t in index.received.within(period) if t.data.get("customer") in ids),
                        key=lambda t: (local_datetime(t.data.get("received_at")), t.id))
    rows = []
    for complaint in complaints:
        data = complaint.data
        customer_id = data.get("customer")
        customer = customers[customer_id].data
        restricted = view.restricts(customer_id)
        phones = customer.get("phones") or [None]
        against = as_dict(data.get("against"))
        states = []
        for step in COMPLAINT_STEPS:
            deadline = complaint_deadline(repo, complaint, step)
            states.append(STATE_NAMES[deadline.state if deadline else "unknown"])
        rows.append([
            complaint.id, local_datetime(data.get("received_at")),
            customer_id if restricted else f"{customer.get('name')}（{customer_id}）",
            None if restricted or phones[0] is None else view.phone(phones[0]),
            data.get("channel"), data.get("category"), RESTRICTED if restricted else data.get("description"),
            "／".join(x for x in (against.get("department"), against.get("staff") and staff_label(repo, against["staff"])) if x)
            or None,
            staff_label(repo, data.get("handler")), data.get("status"),
            None if restricted else data.get("resolution"), *states, _satisfied(as_dict(data.get("follow_up")))])
    return Table("complaint_log", "客户投诉记录表",
                 ["投诉编号", "受理时间", "客户", "联系电话", "渠道", "类别", "投诉内容", "被投诉部门／员工", "处理人", "状态",
                  "处理结果", *(f"{STEP_NAMES[s]}时限" for s in COMPLAINT_STEPS), "回访"], rows)


def _satisfied(follow_up: dict):
    if not follow_up:
        return None
    return {True: "满意", False: "不满意"}.get(follow_up.get("satisfied"), "已回访")


def _satisfaction(repo, index: Timelines, ids: set, period: Period, view: Visibility) -> list[Table]:
    """Satisfaction results: the visits that measured it (满意度调查, or any visit with a
    1–5 score) and the 回访 after complaints (002 客户管理制度13 四.(三), 14 1.7.2)."""
    customers = repo.ids("customer")

    def who(customer_id):
        return customer_id if view.restricts(customer_id) else f"{customers[customer_id].data.get('name')}（{customer_id}）"

    log, scores, surveys = [], [], 0
    for customer_id, when, visit in index.visits.within(period):
        score = visit.data.get("satisfaction")
        score = score if isinstance(score, int) and not isinstance(score, bool) else None
        kind = visit.data.get("type")
        if customer_id not in ids or (kind != SURVEY_VISIT and score is None):
            continue
        surveys += kind == SURVEY_VISIT
        if score is not None:
            scores.append(score)
        log.append([when, who(customer_id), staff_label(repo, visit.data.get("staff")), kind, score, None,
                    None if view.restricts(customer_id) else visit.data.get("summary")])
    answers = []
    for complaint in index.followed_up.within(period):
        follow_up = as_dict(complaint.data.get("follow_up"))
        when = local_datetime(follow_up.get("at"))
        customer_id = complaint.data.get("customer")
        if customer_id not in ids:
            continue
        if isinstance(follow_up.get("satisfied"), bool):
            answers.append(follow_up["satisfied"])
        log.append([when, who(customer_id), staff_label(repo, follow_up.get("by")), f"投诉回访（{complaint.id}）", None,
                     _satisfied(follow_up), None if view.restricts(customer_id) else follow_up.get("comment")])
    log.sort(key=lambda row: (row[0], str(row[1])))
    average = round(sum(scores) / len(scores), 2) if scores else None
    summary_rows = [["满意度调查（次）", surveys], ["满意度评分（次）", len(scores)], ["平均评分（1–5）", average],
                    ["评 4–5 分占比（%）", _percent(sum(1 for v in scores if v >= 4), len(scores))],
                    ["投诉回访（次）", len(answers)], ["回访满意（次）", sum(answers)],
                    ["投诉回访满意率（%）", _percent(sum(answers), len(answers))]]
    return [Table("satisfaction", "满意度结果", ["项目", "数值"], summary_rows),
            Table("satisfaction_log", "满意度调查与投诉回访明细", ["时间", "客户", "回访人", "类型", "评分", "客户满意", "内容"], log)]


def _contracts(repo, signed: list) -> Table:
    """Contracts signed in the period (`signed`) and their amount (产值), by the customer's
    holder on the day."""
    count, amount = Counter(), defaultdict(float)
    for c in signed:
        holder = owner_on(c, local_datetime(contract_signed(c.data)).date())
        count[holder] += 1
        value = as_dict(c.data.get("contract")).get("amount_wan")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            amount[holder] += value
    rows = [[staff_label(repo, k), n, round(amount[k], 2)] for k, n in sorted(count.items(), key=lambda kv: (-amount[kv[0]], str(kv[0])))]
    return Table("contracts", "签约与产值（按签约时的客户经理）", ["客户经理", "签约份数", "合同金额（万元）"], rows)


def _lost_reasons(repo, index: Timelines, ids: set, period: Period, view: Visibility) -> Table:
    """Customers lost in the period (stage 流失; the day of their last visit) by reason: the
    records have no reason field, so the reason is what that last visit says, else the
    customer's notes."""
    visits = visits_by_customer(repo)
    reasons = Counter()
    for c in index.lost.within(period):
        if c.id not in ids:
            continue
        seen = visits.get(c.id)
        reason = (seen[-1][1].data.get("summary") if seen else None) or c.data.get("notes") or "未写原因"
        reasons[RESTRICTED if view.restricts(c.id) else reason] += 1
    return _counted("lost_reasons", "流失客户按原因（本期最后一次跟进所记）", "原因", reasons)


SUMMARY_LABELS = {"new_customers": "新增客户（位）", "signed": "签约客户（位）", "contract_amount_wan": "合同金额（万元）",
                  "visits": "回访（次）", "complaints": "投诉（件）", "reclaimed": "收回公海（位）", "lost": "流失客户（位）",
                  "satisfaction_average": "满意度均分（1–5）", "follow_up_satisfied_rate": "投诉回访满意率（%）"}


def summary(tables: list[Table]) -> dict:
    """The period's headline figures (JSON keys; SUMMARY_LABELS names them in Chinese)."""
    by_key = {t.key: t for t in tables}
    stage = dict((row[0], row[1]) for row in by_key["stage_changes"].rows)
    satisfaction = dict((row[0], row[1]) for row in by_key["satisfaction"].rows)
    return {"new_customers": sum(r[1] for r in by_key["new_by_source"].rows), "signed": stage.get("签约", 0),
            "contract_amount_wan": round(float(sum(r[2] for r in by_key["contracts"].rows)), 2),
            "visits": sum(r[1] for r in by_key["visits_by_type"].rows),
            "complaints": sum(r[1] for r in by_key["complaints"].rows), "reclaimed": len(by_key["reclaimed"].rows),
            "lost": sum(r[1] for r in by_key["lost_reasons"].rows),
            "satisfaction_average": satisfaction["平均评分（1–5）"],
            "follow_up_satisfied_rate": satisfaction["投诉回访满意率（%）"]}


def change_percent(current, base):
    """The change from `base` to `current` in percent; None (shown —) when the base is 0."""
    if current is None or not base:
        return None
    return round(100 * (current - base) / base, 1)


def monthly_analysis(repo, period: Period, view: Visibility | None = None, tables_of=None) -> tuple[list[Table], dict]:
    """The month's analysis (客户资源（月）分析报告, 000 第四条; 002 客户管理制度12 七.2): its
    tables, led by each headline figure beside the previous month's and the same month last
    year's with the change in percent, and the top reasons (sources, complaint categories,
    lost customers) over the three months. Also the comparison as a JSON document.
    `tables_of(period)` gives a period's tables where a caller keeps them (the site's archive
    shows each month three times); by default report_tables with `view`."""
    view = view or Visibility(repo)
    tables_of = tables_of or (lambda p: report_tables(repo, p, view))
    first = period.start.date()
    periods = {"current": period, "previous": calendar_month(add_months(first, -1)),
               "last_year": calendar_month(add_months(first, -12))}
    tables = {name: tables_of(p) for name, p in periods.items()}
    figures = {name: summary(t) for name, t in tables.items()}
    measures = [{"key": key, "label": SUMMARY_LABELS[key], "current": figures["current"][key],
                 "previous": figures["previous"][key],
                 "previous_change_pct": change_percent(figures["current"][key], figures["previous"][key]),
                 "last_year": figures["last_year"][key],
                 "last_year_change_pct": change_percent(figures["current"][key], figures["last_year"][key])}
                for key in SUMMARY_LABELS]
    top = {name: _top(tables, key) for name, key in
           (("sources", "new_by_source"), ("complaint_categories", "complaints"), ("lost_reasons", "lost_reasons"))}
    document = {"previous": period_document(periods["previous"]), "last_year": period_document(periods["last_year"]),
                "measures": measures, "top_reasons": top}
    lead = [Table("comparison", "与上月、去年同月比较", ["指标", "本月", "上月", "环比（%）", "去年同月", "同比（%）"],
                  [[m["label"], m["current"], m["previous"], m["previous_change_pct"], m["last_year"],
                    m["last_year_change_pct"]] for m in measures])]
    for name, key, title, head in (("sources", "top_sources", "新增客户来源", "来源"),
                                   ("complaint_categories", "top_complaint_categories", "投诉类别", "类别"),
                                   ("lost_reasons", "top_lost_reasons", "流失原因", "原因")):
        lead.append(Table(key, f"{title}（前 {TOP} 位）", [head, "本月", "上月", "去年同月"],
                          [[r["name"], r["current"], r["previous"], r["last_year"]] for r in top[name]]))
    return lead + tables["current"], document


def _top(tables: dict, key: str) -> list[dict]:
    """The first TOP rows of a counted table this month, with their counts in the other months."""
    counts = {name: {row[0]: row[1] for row in next(t for t in ts if t.key == key).rows} for name, ts in tables.items()}
    names = sorted(set().union(*counts.values()), key=lambda n: (-counts["current"].get(n, 0),
                                                                 -counts["previous"].get(n, 0), str(n)))
    return [{"name": n, **{month: counts[month].get(n, 0) for month in ("current", "previous", "last_year")}}
            for n in names[:TOP]]


def period_document(period: Period) -> dict:
    return {"kind": period.kind, "title": period.title, "start": period.start.isoformat(), "end": period.end.isoformat()}
