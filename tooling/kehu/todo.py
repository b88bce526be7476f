"""Each person's open duties, most urgent first: what `kehu todo`, the daily e-mail (`kehu
notify`) and the site's staff pages show.

A duty is the other side of a rule: before K402 warns, K403 counts or K501 fires, someone
has something to do by a date. Each kind below asks the same facts the rule asks (the
公海 clock, the complaint's working-day deadline, the design deadline, ...), so the list and
the findings never disagree; the rule reports the duty once it is missed for good.
"""

from __future__ import annotations

import calendar as months
from dataclasses import dataclass
from datetime import date, timedelta

from kehu.domain import DONE_STATUSES, FOLLOWUP_VISIT, LOST_STAGES, OPEN_STATUSES, POOL, Visibility, staff_name
from kehu.facts import complaint_deadline, per_grade, reclaim_clock, staff_role, visits_by_customer
from kehu.findings import Text
from kehu.load import Record
from kehu.pipeline import place
from kehu.rules.k4_contacts import aftersales_slots, handovers, owner_on
from kehu.rules.k4_followup import whole_month_customers
from kehu.rules.k6_process import DESIGN_STEPS, design_deadlines, inspection_points
from kehu.timeutil import local_date

# kind -> its name on every output, in the order a person's day is planned when dates tie
KINDS = {
    "complaint": Text("投诉处理", "complaint"),
    "reclaim": Text("公海倒计时", "reclaim countdown"),
    "next_contact": Text("约定联系", "agreed contact"),
    "handover": Text("交接联系", "hand-over contact"),
    "design": Text("设计交付", "design delivery"),
    "post_plan": Text("方案后回访", "post-plan 回访"),
    "monthly_visits": Text("本月回访", "this month's visits"),
    "leadership_visit": Text("领导走访", "leadership visit"),
    "aftersales": Text("售后回访", "after-sales contact"),
    "inspection": Text("工地巡检", "site inspection"),
    "complaint_followup": Text("投诉回访", "complaint follow-up"),
}
STEP_WORDS = {"investigation": Text("开始调查", "start the investigation"), "reply": Text("答复客户", "reply"),
              "resolution": Text("解决", "resolve it")}
STEP_CODES = {"investigation": "K501", "reply": "K502", "resolution": "K503"}


@dataclass(frozen=True)
class Todo:
    staff: str | None  # who must act
    kind: str
    due: date
    record: Record  # the record to open (a customer, a visit, a complaint)
    customer: str | None
    what: Text
    code: str  # the rule that reports it once missed
    path: tuple = ()

    def days_left(self, today: date) -> int:
        return (self.due - today).days

    def urgency(self, today: date, urgent_days: int) -> str:
        """overdue, urgent (red: fewer than `urgent_days` days left) or soon."""
        left = self.days_left(today)
        return "overdue" if left < 0 else "urgent" if left < urgent_days else "soon"


@dataclass
class TodoList:
    """The duties an output may show, and how many it leaves out (绝密 customers)."""

    today: date
    items: list[Todo]
    hidden: dict[str, int]  # staff -> duties about customers this output may not show
    urgent_days: int
    escalate_after_days: int

    def of(self, staff_id: str) -> list[Todo]:
        return [t for t in self.items if t.staff == staff_id]

    def people(self) -> list[str]:
        return sorted({t.staff for t in self.items if t.staff} | set(self.hidden))


def todo_list(repo, view: Visibility | None = None, staff_id: str | None = None) -> TodoList:
    """Every open duty due within the policy's horizon (or overdue), most urgent first; as
    `view` may show them (by default masked like the site)."""
    view = view or Visibility(repo)
    horizon = repo.today + timedelta(days=repo.policy["todo_horizon_days"])
    items, hidden = [], {}
    order = list(KINDS)
    for todo in _duties(repo, horizon):
        if staff_id is not None and todo.staff != staff_id:
            continue
        if not view.shows(todo.customer) or not view.shows(todo.record.id):
            hidden[todo.staff] = hidden.get(todo.staff, 0) + 1
            continue
        items.append(todo)
    items.sort(key=lambda t: (t.due, order.index(t.kind), t.customer or "", t.record.id or ""))
    return TodoList(repo.today, items, hidden, repo.policy["todo_urgent_days"], repo.policy["escalate_after_days"])


def _duties(repo, horizon: date):
    customers = repo.ids("customer")
    yield from _reclaims(repo)
    yield from _complaints(repo)
    for customer in repo.of("customer"):
        owner = customer.data.get("owner")
        if owner == POOL or customer.data.get("stage") in LOST_STAGES:
            continue
        for todo in (*_next_contact(repo, customer), *_handovers(repo, customer), *_design(repo, customer),
                     *_post_plan(repo, customer), *_aftersales(repo, customer), *_inspection(repo, customer)):
            if todo.due <= horizon:
                yield todo
    for todo in _this_month(repo):
        if todo.due <= horizon and todo.customer in customers:
            yield todo


def _customer_todo(customer, staff, kind, due, what: Text, code, path=(), record=None) -> Todo:
    return Todo(staff, kind, due, record or customer, customer.id, what, code, path)


def _reclaims(repo):
    warning = repo.policy["reclaim_warning_days"]
    for clock in reclaim_clock(repo).values():
        if clock.days_left > warning:
            continue
        due = clock.since + timedelta(days=clock.limit)
        last = (Text(f"上次本人跟进 {clock.last_action}", f"last sales action {clock.last_action}") if clock.last_action
                else Text(f"{clock.since} 分配后没有本人跟进", f"no sales action since assigned on {clock.since}"))
        yield _customer_todo(clock.customer, clock.customer.data.get("owner"), "reclaim", due, Text(
            f"{clock.limit} 天无销售跟进就收回公海（{last.zh}）：跟进一次并写回访记录",
            f"goes back to the pool after {clock.limit} days without a sales action ({last.en}): follow up and record it"),
            "K401" if clock.days_left <= 0 else "K402", ("owner",))


def _complaints(repo):
    for complaint in repo.of("complaint"):
        data = complaint.data
        handler = data.get("handler")
        if data.get("status") in OPEN_STATUSES:
            for step, word in STEP_WORDS.items():
                deadline = complaint_deadline(repo, complaint, step)
                if deadline is None or deadline.state not in ("pending", "overdue"):
                    continue
                yield Todo(handler, "complaint", deadline.due, complaint, data.get("customer"), Text(
                    f"{data.get('category')}投诉（{deadline.received} 受理）：{deadline.workdays} 个工作日内{word.zh}，"
                    f"{deadline.due} 前", f"{data.get('category')} complaint received {deadline.received}: "
                    f"{word.en} within {deadline.workdays} working days, by {deadline.due}"),
                    STEP_CODES[step], ("status",))
                break  # the next step only: the later ones wait on it
        elif data.get("status") in DONE_STATUSES and not data.get("follow_up"):
            done = local_date(data.get("resolved_at")) or repo.today
            yield Todo(handler, "complaint_followup", done, complaint, data.get("customer"), Text(
                f"{data.get('category')}投诉{data.get('status')}：回访客户是否满意，写进 follow_up",
                f"{data.get('category')} complaint closed: ask the customer whether they are satisfied (follow_up)"),
                "K504", ("status",))


def _next_contact(repo, customer):
    seen = visits_by_customer(repo).get(customer.id, ())
    if not seen:
        return
    last_contact = max(when.date() for when, _ in seen)
    promised = [(local_date(v.data.get("next_contact")), v) for _, v in seen]
    open_ = sorted((day, v.id or "", v) for day, v in promised if day is not None and day > last_contact)
    if open_:
        day, _, visit = open_[0]
        yield _customer_todo(customer, customer.data.get("owner"), "next_contact", day, Text(
            f"{person(repo, visit.data.get('staff'))} 约定 {day} 再联系客户", f"a contact was agreed for {day}"),
            "K406", ("next_contact",), record=visit)


def _handovers(repo, customer):
    days = repo.policy["handover_contact_days"]
    visits = visits_by_customer(repo).get(customer.id, ())
    owner = customer.data.get("owner")
    for index, leaver, new, day in handovers(repo, customer):
        if new != owner or any(v.data.get("staff") == new and when.date() >= day for when, v in visits):
            continue
        yield _customer_todo(customer, new, "handover", day + timedelta(days=days), Text(
            f"{day} 从离职的 {person(repo, leaver)} 手里接过客户：{days} 天内联系客户，告知更换客户经理",
            f"taken over from {leaver}, who left, on {day}: contact the customer within {days} days"),
            "K408", ("owner_history", index))


def _design(repo, customer):
    for step, code in (("preplan", "K601"), ("plan", "K602")):
        for deadline in design_deadlines(repo, step, (customer,)):
            if deadline.open:
                what = DESIGN_STEPS[step][-1]
                yield _customer_todo(customer, customer.data.get("designer") or customer.data.get("owner"), "design",
                                     deadline.due, Text(f"{what.zh}：{deadline.start} 起 {deadline.days} 天内交付",
                                                        f"{what.en}: due {deadline.days} days after {deadline.start}"),
                                     code, ("milestones", DESIGN_STEPS[step][0]))


def _post_plan(repo, customer):
    meeting = local_date((customer.data.get("milestones") or {}).get("first_plan_meeting"))
    if meeting is None:
        return
    if any(v.data.get("type") == FOLLOWUP_VISIT and when.date() >= meeting
           for when, v in visits_by_customer(repo).get(customer.id, ())):
        return
    days = repo.policy["post_plan_followup_days"]
    yield _customer_todo(customer, customer.data.get("owner"), "post_plan", meeting + timedelta(days=days), Text(
        f"{meeting} 首次方案沟通：{days} 天内回访", f"first plan meeting on {meeting}: a 回访 within {days} days"),
        "K404", ("milestones", "first_plan_meeting"))


def _aftersales(repo, customer):
    completed = local_date((customer.data.get("milestones") or {}).get("completed"))
    if completed is None:
        return
    window = repo.policy["aftersales_window_days"]
    for days, filled in aftersales_slots(repo, customer, completed).items():
        due = completed + timedelta(days=days)
        if filled is None and repo.today <= due + timedelta(days=window):
            yield _customer_todo(customer, owner_on(customer, repo.today), "aftersales", due, Text(
                f"{completed} 竣工，第 {days} 天回访：{due} 至 {due + timedelta(days=window)} 之间",
                f"completed {completed}: the day-{days} contact, between {due} and {due + timedelta(days=window)}"),
                "K405", ("milestones", "completed"))
            return  # the next slot only


def _inspection(repo, customer):
    points = inspection_points(repo, customer)
    if points:
        every = repo.policy["inspection_every_days"]
        yield _customer_todo(customer, customer.data.get("owner"), "inspection", points[-1] + timedelta(days=every), Text(
            f"施工中，上次巡检 {points[-1]}：每 {every} 天巡检一次", f"under construction, last inspected {points[-1]}: "
            f"one every {every} days"), "K604", ("stage",))


def _this_month(repo):
    """The month's visit minimum (K403) and the leadership's visit to A customers (K407),
    counted for the month under way: due on its last day."""
    first = repo.today.replace(day=1)
    last = first.replace(day=months.monthrange(first.year, first.month)[1])
    required_by_grade = repo.policy["visits_per_month"]
    leaders = repo.policy["leadership_roles"]
    visits = visits_by_customer(repo)
    for customer, start, end in whole_month_customers(repo, (first, last)):
        data = customer.data
        owner = data.get("owner")
        this_month = [v for when, v in visits.get(customer.id, ()) if start <= when.date() <= end]
        required = per_grade(required_by_grade, data.get("grade")) or 0
        if len(this_month) < required:
            yield _customer_todo(customer, owner, "monthly_visits", last, Text(
                f"{data.get('grade')} 级客户本月至少回访 {required} 次，已有 {len(this_month)} 次",
                f"grade {data.get('grade')}: at least {required} visits this month, {len(this_month)} so far"),
                "K403", ("grade",))
        if data.get("grade") == "A" and not any(staff_role(repo, v.data.get("staff")) in leaders for v in this_month):
            yield _customer_todo(customer, owner, "leadership_visit", last, Text(
                "A 级客户本月还没有公司领导走访：请安排", "grade A: no visit by the leadership this month yet; arrange one"),
                "K407", ("grade",))


def located(repo, todo: Todo) -> tuple[str, int | None]:
    """The file and line to open for a duty."""
    from kehu.findings import Hit

    file, line, _, _ = place(Hit(todo.what, record=todo.record, path=todo.path), repo)
    return file, line


def person(repo, staff_id) -> str:
    return staff_name(repo, staff_id) or str(staff_id)
