"""The baseline demo: customers following the company's process, their visits, and complaints
handled inside the deadlines. Every rule of `kehu check` is satisfied here; the violations
come from demo.scenarios, so each finding in the demo is a documented story.
"""

from __future__ import annotations

from datetime import datetime, time

from demo import tables as D
from demo.complaints import file_complaints
from demo.customers import complete, new_customer, schedule
from demo.model import Customer
from demo.policy import RECLAIM_AFTER
from demo.staff import leaver_goes
from demo.world import DAY, WANG_FANG, World

# 王芳, registered by 刘洋 then; her husband is registered again in the K301 story
WANG_FANG_AT = datetime(2025, 3, 4, 10, 30)
WANG_FANG_PHONE = "13916052231"


def baseline(w: World, n: int, complaints_target: int) -> None:
    rng = w.rng
    times = registration_times(w, n)
    wang_fang = _wang_fang_slot(w, times)
    quiet = _pool_slots(w, times, wang_fang)
    for i, registered in enumerate(times):
        if i == wang_fang:
            c = _register_wang_fang(w, registered)
        else:
            c = new_customer(w, registered)
            if i in quiet:
                schedule(w, c, outcome="sign", pause=0)
                c.pool_from = c.plan["preplan_delivered"] + DAY * rng.randint(3, 20)
            else:
                schedule(w, c)
        if c.pool_from:
            _reclaim(w, c)
        elif i != wang_fang and rng.random() < 0.03:
            _reassign_midway(w, c)
        complete(w, c)
        if c.budget >= 60 and c.grade == "A" and rng.random() < 0.08:
            c.locked = True
    _confidential(w)
    leaver_goes(w)
    file_complaints(w, complaints_target)


def registration_times(w: World, n: int) -> list[datetime]:
    rng = w.rng
    span = (w.today - w.start).days
    out = []
    for _ in range(n):
        # the company grows: half of the customers spread evenly, half weighted to recent months
        u = rng.random()
        if rng.random() < 0.5:
            u = u ** 0.5
        d = w.start + DAY * min(span - 1, int(u * span))
        out.append(datetime.combine(d, time(rng.randint(9, 20), rng.randrange(60))))
    out.sort()
    return out


def _wang_fang_slot(w: World, times: list[datetime]) -> int | None:
    """The registration nearest to 王芳's becomes hers, if the demo's two years include it."""
    if not (w.start <= WANG_FANG_AT.date() < w.today and times):
        return None
    index = min(range(len(times)), key=lambda i: abs(times[i] - WANG_FANG_AT))
    times[index] = WANG_FANG_AT
    return index


def _pool_slots(w: World, times: list[datetime], wang_fang: int | None) -> set[int]:
    """About 1 % of the customers, registered 120-400 days ago, go quiet after the pre-plan."""
    n = len(times)
    wanted = max(3, n // 100) if n >= 50 else 0
    candidates = [i for i, t in enumerate(times) if 120 <= (w.today - t.date()).days <= 400 and i != wang_fang]
    if not (candidates and wanted):
        return set()
    return set(w.rng.sample(candidates, min(wanted, len(candidates))))


def _register_wang_fang(w: World, registered: datetime) -> Customer:
    c = new_customer(w, registered, "liuyang", community=D.community("万科城市花园"), house_type="普通", area=96,
                     grade="B")
    c.name, c.gender, c.condition, c.budget, c.style = WANG_FANG, "女", "毛坯", 18.0, "现代简约"
    c.address = "闵行区七莘路3333弄12号601室"
    c.channel, c.referrer, c.intermediary = "小区推广", None, None
    c.designer = "chenjing"
    w.used_phones.add(WANG_FANG_PHONE)
    c.phones = [WANG_FANG_PHONE]
    schedule(w, c, outcome="sign", pause=0)
    return c


def _reclaim(w: World, c: Customer) -> None:
    """A customer gone cold after the pre-plan (nothing else was reached): the director
    releases it to the pool once the policy allows."""
    c.plan = {k: c.plan[k] for k in ("first_consult", "preplan_delivered")}
    c.lost = None
    days = RECLAIM_AFTER[c.grade]
    released = c.pool_from + DAY * (days + w.rng.randint(2, 12))
    if released >= w.today:
        released = w.today - DAY * 3
    w.reassign(c, released, "pool", D.RECLAIM_REASON.format(days=days))


def _reassign_midway(w: World, c: Customer) -> None:
    """The director moves a customer to another manager mid-way."""
    rng = w.rng
    last = min([w.today - DAY * 5] + [d for d in (c.lost, c.plan.get("construction_started")) if d])
    first = c.reg_dt.date() + DAY * 10
    if last > first:
        day = first + DAY * rng.randrange((last - first).days)
        new = rng.choice([m for m in D.MANAGERS if m not in (c.registered_by, D.LEAVER)])
        w.reassign(c, day, new, rng.choice(D.REASSIGN_REASONS))


def _confidential(w: World) -> None:
    """A few well-known customers in villas, and every 97th customer a little."""
    villas = [c for c in w.customers if c.house_type == "别墅" and not c.pool_from]
    for c in villas[:3]:
        c.confidentiality = "机密"
        c.notes = D.CONFIDENTIAL_NOTES["机密"]
    if len(villas) > 3:
        villas[3].confidentiality = "绝密"
        villas[3].notes = D.CONFIDENTIAL_NOTES["绝密"]
    for c in w.customers[5::97]:
        if c.confidentiality is None:
            c.confidentiality = "秘密"
