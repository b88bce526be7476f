"""Customers: who they are (demo/data/customers.yaml, places.yaml), the milestones of the
company's process each will reach (the plan), what is reached by today, and their YAML.
"""

from __future__ import annotations

import random
from datetime import date, datetime

from demo import tables as D
from demo import visits
from demo.model import MILESTONES, Customer
from demo.policy import LARGE_SQM, LARGE_TYPES
from demo.world import DAY, World, wchoice
from demo.yamltext import block_list, boolean, day, moment, number, quoted, text

# how far a customer goes with the company, by weight
OUTCOMES = (("consult", 35), ("measure", 9), ("plan", 15), ("quote", 19), ("sign", 22))
SURVEY_KEYS = ("household_size", "age_range", "occupation", "income_range", "decision_maker",
               "heard_from", "priorities", "filled_by", "filled_at")


# --- who the customer is ------------------------------------------------------------------

def new_customer(w: World, reg_dt: datetime, registered_by: str | None = None,
                 community: tuple | None = None, house_type: str | None = None,
                 area: float | None = None, grade: str | None = None) -> Customer:
    """A customer registered at `reg_dt`; what is not given is drawn."""
    rng = w.rng
    w.serial += 1
    c = Customer(w.serial)
    c.reg_dt = reg_dt
    c.gender = w.V.check("gender", rng.choice(("男", "女")))
    c.name = w.person_name(c.gender)
    street, kind = _house(w, c, community, house_type, area)
    _budget_and_grade(w, c, grade)
    styles = D.HOUSES[c.house_type].get("styles")
    c.style = rng.choice(styles) if styles else wchoice(rng, D.STYLES)
    c.address = _address(rng, c, street, kind)
    _contacts(w, c)
    _source(w, c)
    c.registered_by = registered_by or wchoice(rng, D.MANAGERS_WEIGHTED)
    c.large = c.area >= LARGE_SQM or c.house_type in LARGE_TYPES
    c.designer = wchoice(rng, D.DESIGNERS_LARGE if c.large else D.DESIGNERS_OTHER)
    if rng.random() < 0.3:
        c.tags = rng.sample(D.TAGS, rng.choice((1, 1, 2)))
    if rng.random() < 0.12:
        c.notes = rng.choice(D.NOTES)
    w.customers.append(c)
    return c


def _house(w: World, c: Customer, community, house_type, area) -> tuple[str, str]:
    """Where the customer's house is and what it is like; the estate's street and kind."""
    rng = w.rng
    c.community, c.district, street, kind = community or wchoice(rng, D.COMMUNITIES_WEIGHTED)
    if house_type is None:
        types = D.ESTATES[kind]["house_type"]
        house_type = types if isinstance(types, str) else wchoice(rng, tuple(types.items()))
    c.house_type = w.V.check("houseType", house_type)
    if area is None:
        area = rng.randint(*D.HOUSES[house_type]["area"])
        if rng.random() < 0.15:
            area += 0.5
    c.area = area
    c.condition = w.V.check("houseCondition", wchoice(rng, D.CONDITIONS[kind]))
    return street, kind


def _budget_and_grade(w: World, c: Customer, grade: str | None) -> None:
    rng = w.rng
    budget = max(5.0, min(120.0, c.area * rng.uniform(*D.HOUSES[c.house_type]["budget_per_sqm"])))
    c.budget = float(round(budget)) if budget >= 20 else round(budget * 2) / 2
    if grade is None:
        grade = wchoice(rng, next(weights for floor, weights in D.GRADES if c.budget >= floor))
    c.grade = w.V.check("grade", grade)


def _address(rng: random.Random, c: Customer, street: str, kind: str) -> str:
    if kind == "v":
        return f"{c.district}{street}{rng.randint(1, 260)}号"
    if kind == "s":
        return f"{c.district}{c.community}{rng.randint(1, 400)}号"
    if kind == "c":
        return f"{c.district}{street}{rng.randint(1, 3)}楼{rng.randint(101, 160)}室"
    if kind == "w":
        return f"{c.district}{street}{rng.randint(1, 12)}幢{rng.randint(2, 18)}楼"
    return f"{c.district}{street}{rng.randint(1, 40)}号{rng.randint(1, 28)}{rng.randint(1, 4):02d}室"


def _contacts(w: World, c: Customer) -> None:
    rng = w.rng
    c.phones = [w.landline() if rng.random() < 0.01 else w.phone()]
    r = rng.random()
    if r < 0.05:
        c.phones.append(w.landline())
    elif r < 0.12:
        c.phones.append(w.phone())
    if rng.random() < 0.6:
        c.wechat = w.wechat()


def _source(w: World, c: Customer) -> None:
    rng = w.rng
    c.channel = w.V.check("channel", wchoice(rng, D.CHANNELS))
    if c.channel == "老客户介绍":
        earlier = [o for o in w.customers[-400:] if o.contract and not o.frozen]
        c.referrer = rng.choice(earlier) if earlier else "老业主（未建档）"
    elif c.channel == "中介":
        c.referrer = rng.choice(D.INTERMEDIARIES)
        c.intermediary = True
    elif c.channel == "合作伙伴":
        c.referrer = rng.choice(D.PARTNERS)


# --- the plan, and what of it is reached -----------------------------------------------------

def schedule(w: World, c: Customer, outcome: str | None = None, pause: int | None = None) -> None:
    """Every milestone this customer would reach (c.plan), and when it is lost, if ever."""
    rng = w.rng
    c.plan = plan = {"first_consult": c.reg_dt.date()}
    c.lost = None
    t = plan["preplan_delivered"] = c.reg_dt.date() + DAY * (rng.randint(5, 9) if c.large else rng.randint(3, 6))
    if outcome is None:
        outcome = wchoice(rng, OUTCOMES)
    if pause is None:
        pause = rng.randint(20, 100) if rng.random() < 0.15 else 0
    # a customer who pauses does so before the deposit or after the first plan meeting
    before, after = (pause, 0) if rng.random() < 0.5 else (0, pause)
    if outcome == "consult":
        c.lost = t + DAY * (rng.randint(5, 25) + pause)
        return
    meeting = _design(rng, c, t + DAY * (rng.randint(2, 10) + before))
    if outcome in ("measure", "plan"):
        base = meeting + DAY * 4
        if outcome == "measure":
            # the plan was delivered, but the customer went silent before the meeting
            del plan["first_plan_meeting"]
            base = plan["plan_delivered"]
        c.lost = base + DAY * (rng.randint(3, 25) + after)
        return
    plan["quoted"] = t = meeting + DAY * (rng.randint(5, 14) + after)
    if outcome == "quote":
        c.lost = t + DAY * rng.randint(5, 30)
        return
    _build(rng, c, t)


def _design(rng: random.Random, c: Customer, deposit: date) -> date:
    """From the deposit to the first plan meeting, which it returns."""
    c.plan["deposit_paid"] = deposit
    c.plan["site_measured"] = deposit + DAY * rng.randint(1, 3)
    delivered = c.plan["plan_delivered"] = deposit + DAY * (rng.randint(8, 12) if c.large else rng.randint(4, 6))
    meeting = c.plan["first_plan_meeting"] = delivered + DAY * rng.randint(0, 2)
    return meeting


def _build(rng: random.Random, c: Customer, quoted: date) -> None:
    """From the contract to the end of the warranty."""
    plan = c.plan
    plan["contract_signed"] = t = quoted + DAY * rng.randint(3, 15)
    plan["construction_started"] = t = t + DAY * rng.randint(7, 21)
    plan["completed"] = t = t + DAY * rng.randint(*D.HOUSES[c.house_type]["build_days"])
    plan["settled"] = t + DAY * rng.randint(5, 15)
    plan["warranty_until"] = two_years_after(t)


def two_years_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 2)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 2, day=28)


def realize(w: World, c: Customer, until: date | None = None) -> None:
    """Milestones reached by `until` (today), the stage, contract and survey."""
    until = until or w.today
    c.milestones = {}
    for name in MILESTONES:
        when = c.plan.get(name)
        if when is None:
            continue
        reached = c.plan.get("settled") if name == "warranty_until" else when
        if reached is not None and reached <= until:
            c.milestones[name] = when
    c.stage = w.V.check("stage", c.stage_on(until))
    signed = c.milestones.get("contract_signed")
    if signed and c.contract is None:
        c.contract = (round(c.budget * w.rng.uniform(0.9, 1.2), 1), signed)
        c.survey = _survey(w.rng, c, signed)


def _survey(rng: random.Random, c: Customer, signed: date) -> dict:
    """The survey the designer fills in at signing."""
    table = D.SURVEY
    return {
        "household_size": rng.choice(table["household_sizes"]),
        "age_range": rng.choice(table["age_ranges"]),
        "occupation": rng.choice(table["occupations"]),
        "income_range": rng.choice(table["income_ranges"]) if rng.random() < 0.8 else None,
        "decision_maker": rng.choice(table["decision_makers"]),
        "heard_from": table["heard_from_by_channel"].get(c.channel) or rng.choice(table["heard_from"]),
        "priorities": rng.sample(table["priorities"], rng.randint(1, 3)),
        "filled_by": c.designer,
        "filled_at": signed,
    }


def complete(w: World, c: Customer, until: date | None = None) -> None:
    """A scheduled customer's milestones, process visits and follow-ups up to `until` (today)."""
    realize(w, c, until)
    visits.process_visits(w, c, until)
    end, keep_going = visits.sales_end(w, c)
    if until:
        end, keep_going = min(end, until), False
    visits.follow_ups(w, c, end, keep_going)


# --- the file ------------------------------------------------------------------------------

def path(c: Customer) -> str:
    return f"customers/{c.year:04d}/{c.file_name or c.id}.yaml"


def render(c: Customer) -> str:
    out = [f"id: {c.id}", f"name: {text(c.name)}", "phones:"]
    out += [f"  - {phone}" if i in c.raw_phones else f"  - {quoted(phone)}" for i, phone in enumerate(c.phones)]
    if c.wechat is not None:
        out.append(f"wechat: {c.raw_fields.get('wechat') or text(c.wechat)}")
    out += [f"gender: {c.gender}", f"district: {text(c.district)}", f"community: {text(c.community)}",
            f"address: {text(c.address)}"]
    out += _source_lines(c)
    out += ["house:", f"  type: {c.house_type}", f"  area_sqm: {number(c.area)}", f"  condition: {c.condition}",
            f"budget_wan: {number(c.budget)}", f"style: {text(c.style)}",
            f"grade: {c.raw_fields.get('grade') or c.grade}", f"stage: {c.stage}", f"owner: {c.owner}"]
    if c.designer:
        out.append(f"designer: {c.designer}")
    out += [f"registered_at: {moment(c.reg_dt)}", f"registered_by: {c.registered_by}"]
    if c.confidentiality:
        out.append(f"confidentiality: {c.confidentiality}")
    out += _progress_lines(c)
    if c.owner_history and not c.hidden_history:
        out += block_list("owner_history", ([("owner", owner), ("from", day(since)), ("by", by),
                                             ("reason", text(reason) if reason else None),
                                             ("appeal", c.cites[i].id if i in c.cites else None)]
                                            for i, (owner, since, by, reason) in enumerate(c.owner_history)))
    if c.locked:
        out.append("locked: true")
    if c.tags:
        out.append("tags:")
        out.extend(f"  - {text(t)}" for t in c.tags)
    if c.notes:
        out.append(f"notes: {text(c.notes)}")
    out.extend(c.extra_lines)
    return "\n".join(out) + "\n"


def _source_lines(c: Customer) -> list[str]:
    out = ["source:", f"  channel: {c.channel}"]
    if c.referrer is not None:
        referrer = c.referrer.id if isinstance(c.referrer, Customer) else c.referrer
        out.append(f"  referrer: {text(referrer)}")
    if c.intermediary is not None:
        out.append(f"  intermediary: {boolean(c.intermediary)}")
    return out


def _progress_lines(c: Customer) -> list[str]:
    """milestones, contract and survey."""
    out = []
    if c.milestones:
        out.append("milestones:")
        out += [f"  {name}: {day(c.milestones[name])}" for name in MILESTONES if name in c.milestones]
    if c.contract:
        out += ["contract:", f"  amount_wan: {number(c.contract[0])}", f"  signed_at: {day(c.contract[1])}"]
    if c.survey:
        out.append("survey:")
        for key in SURVEY_KEYS:
            value = c.survey.get(key)
            if value is None:
                continue
            if key == "priorities":
                out.append("  priorities:")
                out.extend(f"    - {text(p)}" for p in value)
            elif key == "household_size":
                out.append(f"  household_size: {value}")
            elif key == "filled_at":
                out.append(f"  filled_at: {day(value)}")
            else:
                out.append(f"  {key}: {text(value)}")
    return out
