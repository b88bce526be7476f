"""Visits (跟进/回访 records): those of the company's process, one or more per milestone a
customer reaches, the owner's follow-ups between them, and their YAML. What they say is in
demo/data/visits.yaml.
"""

from __future__ import annotations

from datetime import date

from demo import tables as D
from demo.model import Customer, Visit
from demo.policy import FOLLOW_GAP, INSPECTION_STEPS, VISITS_PER_MONTH
from demo.world import DAY, World, wchoice
from demo.yamltext import boolean, day, moment, text

SAID = D.VISITS


def process_visits(w: World, c: Customer, until: date | None = None) -> None:
    """The visits of the company's process up to `until` (default today)."""
    until = until or w.today
    _first_contact(w, c)
    for milestone, visit in STEPS:
        reached = c.plan.get(milestone)
        if reached is not None and reached <= until:
            visit(w, c, reached, until)
    if c.lost and c.lost <= until:
        w.visit(c, w.at(c.lost), c.owner_at(c.lost), "电话", w.rng.choice(SAID["lost"]))


def _first_contact(w: World, c: Customer) -> None:
    # a channel with several types draws one for every customer, whatever the customer's channel
    types = {channel: w.rng.choice(t) if isinstance(t, list) else t for channel, t in SAID["first_contact"].items()}
    type_ = types[c.channel]
    summary = SAID["first_summary"][type_]
    if type_ == "其他":
        summary = summary[c.channel]
    summary = summary.format(community=c.community, area=c.area, condition=c.condition, budget=c.budget,
                             style=c.style)
    w.visit(c, c.reg_dt, c.registered_by, type_, summary, confirmed=True if type_ == "到店咨询" else None)


def _preplan_delivered(w: World, c: Customer, d: date, until: date) -> None:
    rng = w.rng
    w.visit(c, w.at(d), c.designer, "微信", rng.choice(SAID["preplan_delivered"]))
    if rng.random() < 0.25:
        w.visit(c, w.at(d + DAY * rng.randint(0, 1)), c.owner_at(d), "电话", SAID["preplan_confirmed"])


def _deposit_paid(w: World, c: Customer, d: date, until: date) -> None:
    w.visit(c, w.at(d), c.owner_at(d), "到店咨询",
            SAID["deposit_paid"].format(amount=w.rng.choice(SAID["deposits"])), confirmed=True)


def _site_measured(w: World, c: Customer, d: date, until: date) -> None:
    w.visit(c, w.at(d), c.designer, "量房", w.rng.choice(SAID["site_measured"]), confirmed=True)


def _first_plan_meeting(w: World, c: Customer, d: date, until: date) -> None:
    rng = w.rng
    w.visit(c, w.at(d), c.designer, "方案沟通", rng.choice(SAID["first_plan_meeting"]))
    after = d + DAY * rng.randint(1, 2)
    if after <= until:
        w.visit(c, w.at(after), c.owner_at(after), "回访", rng.choice(SAID["after_plan_meeting"]))


def _quoted(w: World, c: Customer, d: date, until: date) -> None:
    amount = round(c.budget * w.rng.uniform(0.95, 1.25), 1)
    w.visit(c, w.at(d), c.owner_at(d), "报价", SAID["quoted"].format(amount=amount))


def _contract_signed(w: World, c: Customer, d: date, until: date) -> None:
    amount = c.contract[0] if c.contract else round(c.budget, 1)
    start = c.plan["construction_started"]
    w.visit(c, w.at(d), c.owner_at(d), "签约",
            SAID["contract_signed"].format(amount=amount, month=start.month, day=start.day), confirmed=True)


def _construction_started(w: World, c: Customer, d: date, until: date) -> None:
    w.visit(c, w.at(d, 8, 11), c.owner_at(d), "上门", SAID["construction_started"], confirmed=True)
    inspections(w, c, d, min(c.plan["completed"], until), c.inspection_gap)


def _completed(w: World, c: Customer, d: date, until: date) -> None:
    """The handover, customer service's survey, and the 回访 of the year after."""
    rng = w.rng
    w.visit(c, w.at(d), c.owner_at(d), "其他", SAID["completed"], confirmed=True)
    surveyed = d + DAY * rng.randint(3, 10)
    if surveyed <= until:
        w.visit(c, w.at(surveyed), rng.choice(D.SERVICE), "满意度调查", rng.choice(SAID["survey"]),
                satisfaction=wchoice(rng, D.SURVEY_SCORES), sales=False)
    for call in SAID["aftercare"]:
        on = d + DAY * (call["days"] + rng.randint(0, 3))
        if on <= until:
            who = rng.choice(D.SERVICE) if call["by"] == "service" else c.owner_at(on)
            w.visit(c, w.at(on), who, "回访", f"{call['label']}回访：" + rng.choice(SAID["aftercare_said"]))


def _settled(w: World, c: Customer, d: date, until: date) -> None:
    w.visit(c, w.at(d), c.owner_at(d), "其他", SAID["settled"], confirmed=True)


# the milestones that bring visits, in the order they are reached
STEPS = (("preplan_delivered", _preplan_delivered), ("deposit_paid", _deposit_paid),
         ("site_measured", _site_measured), ("first_plan_meeting", _first_plan_meeting), ("quoted", _quoted),
         ("contract_signed", _contract_signed), ("construction_started", _construction_started),
         ("completed", _completed), ("settled", _settled))


def inspections(w: World, c: Customer, start: date, end: date, gap: tuple | None = None) -> None:
    """工地巡检 every 4-5 days from `start` to `end`; `gap` = (from, days) leaves a hole (K604)."""
    rng = w.rng
    phases = SAID["inspection_phases"]
    total = max((c.plan.get("completed", end) - start).days, 1)
    d = start + DAY * rng.randint(0, 2)
    while d <= end:
        phase = phases[min(len(phases) - 1, (d - start).days * len(phases) // total)]
        who = rng.choice(c.inspectors) if c.inspectors else \
            wchoice(rng, ((D.QC, 55), (c.designer, 20), (c.owner_at(d), 25)))
        w.visit(c, w.at(d, 9, 17), who, "工地巡检", rng.choice(SAID["inspection"]).format(phase=phase))
        if gap and d >= gap[0]:
            d = d + DAY * gap[1]
            gap = None
        else:
            d = d + DAY * rng.choice(INSPECTION_STEPS)


# --- the owner's follow-ups ------------------------------------------------------------------

def sales_end(w: World, c: Customer) -> tuple[date, bool]:
    """Last day of pre-construction follow-up, and whether the customer is still open then."""
    ends = [w.today] + [d for d in (c.lost, c.pool_from, c.silent_from, c.plan.get("construction_started")) if d]
    end = min(ends)
    keep_going = end == w.today and not (c.lost and c.lost <= end) and not c.pool_from and not c.silent_from
    return end, keep_going


def follow_ups(w: World, c: Customer, end: date, keep_going: bool) -> None:
    """The owner's calls and messages so that no gap before construction is too long.
    `end` is the last day of sales follow-up; `keep_going` when the customer is still
    open at `end` (then the last follow-up lands close to it)."""
    rng = w.rng
    lo, hi = FOLLOW_GAP[c.grade]
    touches = sorted(v.at.date() for v in c.visits
                     if v.counts and v.staff == c.owner_at(v.at.date()) and v.at.date() <= end)
    prev = c.reg_dt.date()
    for t in touches + ([None] if keep_going else []):
        while True:
            limit = t if t is not None else end
            if t is not None and (t - prev).days <= hi:
                break
            nxt = prev + DAY * rng.randint(lo, hi)
            if nxt >= limit and t is not None:
                break
            if t is None and nxt > end:
                break
            routine_visit(w, c, nxt)
            prev = nxt
        if t is not None:
            prev = max(prev, t)


def routine_visit(w: World, c: Customer, d: date) -> None:
    """The owner's call, message or site visit on `d`, saying what fits the stage then."""
    rng = w.rng
    stage = c.stage_on(d)
    summary = rng.choice(SAID["between_steps"].get(stage, SAID["between_steps_after"])).format(budget=c.budget)
    type_ = "回访" if stage in ("验收", "结算", "保修") else "上门" if stage == "施工" else \
        rng.choice(("电话", "电话", "微信"))
    nxt = d + DAY * rng.randint(3, 14) if rng.random() < 0.3 else None
    w.visit(c, w.at(d, 9, 21), c.owner_at(d), type_, summary, next_contact=nxt)


def monthly_minimum(w: World) -> None:
    """Top up the visits of the last full month to what each grade requires (K403)."""
    rng = w.rng
    first = (w.today.replace(day=1) - DAY).replace(day=1)
    last = w.today.replace(day=1) - DAY
    for c in w.customers:
        need = VISITS_PER_MONTH[c.grade]
        if not need or c.frozen or c.no_refs or c.reg_dt.date() >= last:
            continue
        if c.stage == "流失" or c.owner_at(w.today) == "pool" or (c.lost and c.lost <= last):
            continue
        have = sum(1 for v in c.visits if first <= v.at.date() <= last and v.counts)
        lo = max(first, c.reg_dt.date() + DAY)
        for _ in range(need - have):
            routine_visit(w, c, lo + DAY * rng.randrange((last - lo).days + 1))


# --- the file ------------------------------------------------------------------------------

def path(v: Visit) -> str:
    folder = v.folder or f"{v.at.year:04d}/{v.at.month:02d}"
    return f"visits/{folder}/{v.id}.yaml"


def render(v: Visit) -> str:
    summary = v.summary
    if v.refs:
        summary = summary.format(*(r.id for r in v.refs))
    parts = [f"id: {v.id}\ncustomer: {v.customer_id or v.customer.id}\nat: {moment(v.at)}\nstaff: {v.staff}\n"
             f"type: {v.type}\nsummary: {text(summary)}\n"]
    if v.next_contact is not None:
        parts.append(f"next_contact: {day(v.next_contact)}\n")
    if v.confirmed is not None:
        parts.append(f"customer_confirmed: {boolean(v.confirmed)}\n")
    if v.satisfaction is not None:
        parts.append(f"satisfaction: {v.satisfaction}\n")
    if v.sales is not None:
        parts.append(f"counts_as_sales_action: {boolean(v.sales)}\n")
    return "".join(parts)
