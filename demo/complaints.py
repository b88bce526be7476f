"""Complaints: what customers complain about (demo/data/complaints.yaml), handled inside the
policy's deadlines, a few still open today, and their YAML.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from demo import tables as D
from demo.model import Complaint, Customer
from demo.workdays import add_workdays, is_workday, next_workday, workdays_between
from demo.world import DAY, World, wchoice
from demo.yamltext import block_list, boolean, moment, text

SAID = D.COMPLAINTS


def new_complaint(w: World, c: Customer, received: datetime, category: str | None = None) -> Complaint:
    """A complaint of `c`, received then; what is not given is drawn."""
    rng = w.rng
    t = Complaint(c, received)
    t.order = w.next_order()
    built = c.plan.get("construction_started") and c.plan["construction_started"] <= received.date()
    if category is None:
        category = wchoice(rng, D.CATEGORIES_BUILDING if built else D.CATEGORIES_BEFORE)
    t.category = w.V.check("complaintCategory", category)
    t.channel = w.V.check("complaintChannel", wchoice(rng, D.COMPLAINT_CHANNELS))
    t.description, department, whom = rng.choice(SAID["said"][category])
    who = {"owner": c.owner_at(received.date()), "designer": c.designer, "quality_control": D.QC}.get(whom)
    t.against = (department, None if who == "pool" else who)
    t.handler = rng.choice(D.SERVICE)
    w.complaints.append(t)
    return t


def handle_on_time(w: World, t: Complaint) -> None:
    """Investigate the same day, reply within a working day, resolve within two, then call the
    customer back; a complaint of the last working days is still open."""
    if _investigate_and_reply(w, t):
        _escalate(w, t)
        _resolve(w, t)
        _call_back(w, t)


def _investigate_and_reply(w: World, t: Complaint) -> bool:
    """As far as the complaint's age allows; True if it goes on to be resolved."""
    rng = w.rng
    day = t.received_at.date()
    age = workdays_between(day, w.today)
    start = t.received_at + timedelta(minutes=rng.randint(20, 180))
    if start.date() != day:
        start = datetime.combine(day, time(17, 50))
    if age == 0 and rng.random() < 0.5:
        t.status = "受理"
        return False
    t.investigation_started_at = start
    if age == 0 or (age == 1 and rng.random() < 0.5):
        t.status = "调查中"
        return False
    reply_day = day if rng.random() < 0.4 else add_workdays(day, 1)
    t.replied_at = max(start + timedelta(hours=1),
                       datetime.combine(reply_day, time(rng.randint(10, 17), rng.randrange(60))))
    if age <= 2:
        t.status = "已答复"
        return False
    return True


def _escalate(w: World, t: Complaint) -> None:
    """Now and then the customer is not satisfied with the reply, once or twice."""
    rng = w.rng
    if rng.random() < 0.2:
        first = t.replied_at + timedelta(minutes=rng.randint(30, 120))
        t.escalations.append(("部门经理", first, t.handler, SAID["escalated_to_manager"]))
        if rng.random() < 0.35:
            second = datetime.combine(add_workdays(t.received_at.date(), 1), time(rng.randint(9, 11), rng.randrange(60)))
            if second > first:
                t.escalations.append(("分管副总", second, t.handler, SAID["escalated_to_vp"]))


def _resolve(w: World, t: Complaint) -> None:
    rng = w.rng
    resolve_day = add_workdays(t.received_at.date(), rng.choice((1, 2, 2)))
    resolved = datetime.combine(resolve_day, time(rng.randint(13, 17), rng.randrange(60)))
    last = max([t.replied_at] + [e[1] for e in t.escalations])
    if resolved <= last:
        resolved = last + timedelta(hours=1)
    t.resolved_at = resolved
    t.resolution = SAID["resolutions"][t.category]


def _call_back(w: World, t: Complaint) -> None:
    """Customer service asks the customer, a few working days after, whether it is settled."""
    rng = w.rng
    on = min(next_workday(t.resolved_at.date() + DAY * rng.randint(1, 5)), w.today)
    at = datetime.combine(on, time(rng.randint(10, 17), rng.randrange(60)))
    if at <= t.resolved_at:
        at = t.resolved_at + timedelta(hours=2)
    satisfied = rng.random() < 0.9
    t.follow_up = (at, rng.choice(D.SERVICE), satisfied,
                   rng.choice(SAID["satisfied"]) if satisfied else SAID["unsatisfied"])
    t.status = "已关闭" if satisfied and (w.today - on).days >= 3 else "已解决"


# --- the baseline's complaints ---------------------------------------------------------------

def file_complaints(w: World, target: int) -> None:
    """About `target` complaints, most from customers under construction, all handled on
    time; then two still open today, so that every status shows up."""
    complained = _handled(w, target)
    _open_today(w, complained)


def _handled(w: World, target: int) -> set[int]:
    rng = w.rng
    today = w.today
    made, seen = 0, set()
    draws = rng.choices(range(len(w.customers)), weights=_weights(w), k=3 * target) if w.customers else []
    for index in draws:
        if made >= target:
            break
        c = w.customers[index]
        if index in seen or c.no_refs:
            continue
        seen.add(index)
        built = c.plan.get("construction_started")
        if built and built <= today:
            lo, hi = built, min(today, c.plan.get("completed", today) + DAY * 60)
        else:
            lo, hi = c.reg_dt.date() + DAY, min(today, c.lost or today, c.pool_from or today)
        if hi <= lo:
            continue
        day = next_workday(lo + DAY * rng.randrange((hi - lo).days + 1))
        if day > today or day <= c.reg_dt.date():
            continue
        handle_on_time(w, new_complaint(w, c, datetime.combine(day, time(rng.randint(9, 16), rng.randrange(60)))))
        made += 1
    return seen


def _weights(w: World) -> list[float]:
    """How likely each customer is to complain: most likely once construction has started."""
    def weight(c: Customer) -> float:
        if c.pool_from:
            return 0.2
        if c.plan.get("construction_started") and c.plan["construction_started"] <= w.today:
            return 6.0
        if c.plan.get("deposit_paid") and c.plan["deposit_paid"] <= w.today:
            return 1.5
        return 0.6
    return [weight(c) for c in w.customers]


def _open_today(w: World, complained: set[int]) -> None:
    building = [c for i, c in enumerate(w.customers) if c.stage == "施工" and i not in complained]
    for c, back in zip(building[:2], (0, 1)):
        day = w.today
        for _ in range(back):
            day -= DAY
            while not is_workday(day):
                day -= DAY
        if not is_workday(day):
            continue
        handle_on_time(w, new_complaint(w, c, datetime.combine(day, time(9, w.rng.randrange(10, 50))), "工期"))


# --- the file ------------------------------------------------------------------------------

def path(t: Complaint) -> str:
    return f"complaints/{t.received_at.year:04d}/{t.id}.yaml"


def render(t: Complaint) -> str:
    out = [f"id: {t.id}", f"customer: {t.customer.id}", f"received_at: {moment(t.received_at)}",
           f"channel: {t.channel}", f"category: {t.category}", f"description: {text(t.description)}"]
    if t.against:
        department, who = t.against
        out += ["against:", f"  department: {text(department)}"] + ([f"  staff: {who}"] if who else [])
    out += [f"handler: {t.handler}", f"status: {t.status}"]
    for key in ("investigation_started_at", "replied_at", "resolved_at"):
        value = getattr(t, key)
        if value is not None:
            out.append(f"{key}: {moment(value)}")
    if t.resolution:
        out.append(f"resolution: {text(t.resolution)}")
    if t.escalations:
        out += block_list("escalations", ([("level", level), ("at", moment(at)), ("by", by),
                                           ("note", text(note) if note else None)]
                                          for level, at, by, note in t.escalations))
    if t.follow_up:
        at, by, satisfied, comment = t.follow_up
        out += ["follow_up:", f"  at: {moment(at)}", f"  by: {by}"]
        if satisfied is not None:
            out.append(f"  satisfied: {boolean(satisfied)}")
        if comment:
            out.append(f"  comment: {text(comment)}")
    return "\n".join(out) + "\n"
