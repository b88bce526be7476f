"""Facts derived from the records, computed once per run and shared by rules and outputs
(the pool list, the site, the reports): who owns a customer since when, their visits,
when the 公海 clock runs out, where a complaint stands on its deadlines. What the words
mean (stage groups, complaint statuses) is kehu.domain's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from kehu.domain import DONE_STATUSES, LOST_STAGES, NO_SALES_ACTION_TYPES, POOL, RECLAIM_EXEMPT_STAGES
from kehu.phones import phone_key
from kehu.timeutil import local_date, local_datetime


def _cached(function):
    def wrapper(repo, *args):
        key = (function.__name__, *args)
        if key not in repo.facts:
            repo.facts[key] = function(repo, *args)
        return repo.facts[key]

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


# --- walking records ---------------------------------------------------------------

def as_list(value) -> list:
    """A field that should hold a list, for code that also sees records no schema checked
    (kehu review reads both sides of a change as they are)."""
    return value if isinstance(value, list) else []


def as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def values_at(data, path: tuple, prefix: tuple = ()):
    """(concrete path, value) for a schema path where "*" stands for every list item."""
    if not path:
        yield prefix, data
        return
    step, rest = path[0], path[1:]
    if step == "*":
        if isinstance(data, list):
            for index, item in enumerate(data):
                yield from values_at(item, rest, prefix + (index,))
    elif isinstance(data, dict) and step in data:
        yield from values_at(data[step], rest, prefix + (step,))


# --- customers, visits and ownership --------------------------------------------------

@_cached
def visits_by_customer(repo) -> dict[str, list]:
    """Each customer's visits, oldest first, as (local datetime, visit record)."""
    table: dict[str, list] = defaultdict(list)
    for visit in repo.of("visit"):
        when = local_datetime(visit.data.get("at"))
        if when is not None:
            table[visit.data.get("customer")].append((when, visit))
    for visits in table.values():
        visits.sort(key=lambda pair: (pair[0], pair[1].id))
    return table


def counts_as_sales_action(visit) -> bool:
    explicit = visit.data.get("counts_as_sales_action")
    if isinstance(explicit, bool):
        return explicit
    return visit.data.get("type") not in NO_SALES_ACTION_TYPES


def assignment_date(customer) -> date | None:
    """Since when the current owner holds the customer: their last owner_history entry,
    else the registration (the first owner is whoever registered the customer)."""
    owner = customer.data.get("owner")
    for entry in reversed(customer.data.get("owner_history") or []):
        if entry.get("owner") == owner:
            return local_date(entry.get("from"))
    return local_date(customer.data.get("registered_at"))


def owner_on(customer, day: date):
    """Who held the customer at the end of `day` (a staff id or pool), by registered_by and
    the owner_history entries in force by then; None before it was registered."""
    registered = local_date(customer.data.get("registered_at"))
    if registered is None or registered > day:
        return None
    holder = customer.data.get("registered_by")
    for entry in as_list(customer.data.get("owner_history")):
        since = local_date(as_dict(entry).get("from"))
        if since is not None and since <= day:
            holder = entry.get("owner")
    return holder


def held_throughout(customer, first: date, last: date):
    """The person who held the customer on every day from `first` to `last`, else None."""
    holder = owner_on(customer, first)
    if holder is None or any(first < since <= last for since in
                             (local_date(as_dict(e).get("from")) for e in as_list(customer.data.get("owner_history")))
                             if since is not None):
        return None
    return holder


def lost_on(repo, customer) -> date | None:
    """When a customer at stage 流失 was lost: the day of its last visit (where the reason is
    written), else of its registration; None for a customer who is not lost. The records keep
    no date of their own for it."""
    if customer.data.get("stage") not in LOST_STAGES:
        return None
    visits = visits_by_customer(repo).get(customer.id)
    return visits[-1][0].date() if visits else local_date(customer.data.get("registered_at"))


@_cached
def phone_collisions(repo) -> list[tuple]:
    """撞单 (002 3.1.3): (earlier customer, later customer, index of the shared phone in the
    later one's phones) for every later registration whose phone, written the same way after
    normalising, belongs to an earlier one; the earliest registration wins (K301, reports)."""
    by_phone: dict[str, list] = defaultdict(list)
    for customer in repo.of("customer"):
        registered = local_datetime(customer.data.get("registered_at"))
        seen = set()
        for index, phone in enumerate(customer.data.get("phones") or []):
            key = phone_key(phone)
            if key not in seen:
                seen.add(key)
                by_phone[key].append((registered, customer.id, index, customer))
    pairs = []
    for entries in by_phone.values():
        if len(entries) < 2:
            continue
        entries.sort(key=lambda e: (e[0], e[1]))
        first = entries[0][3]
        pairs += [(first, later, index) for _, _, index, later in entries[1:]]
    return pairs


def pool_releases(customer):
    """(index in owner_history, the person who lost the customer, date) per move into the pool."""
    holder = customer.data.get("registered_by")
    for index, entry in enumerate(customer.data.get("owner_history") or []):
        if entry.get("owner") == POOL:
            yield index, holder, local_date(entry.get("from"))
        holder = entry.get("owner")


def staff_role(repo, staff_id) -> str | None:
    member = repo.ids("staff").get(staff_id)
    return member.data.get("role") if member is not None else None


def is_assigner(repo, staff_id) -> bool:
    return staff_role(repo, staff_id) in repo.policy["assigner_roles"]


def large_house(repo, customer) -> bool:
    house = customer.data.get("house") or {}
    area = house.get("area_sqm")
    return (isinstance(area, (int, float)) and area >= repo.policy["large_house_sqm"]) or (
        house.get("type") in repo.policy["large_house_types"])


def per_grade(value, grade):
    return value.get(grade) if isinstance(value, dict) else value


# --- complaints -------------------------------------------------------------------------

# step -> (policy key, the fields that show it happened: its own first, then later steps that imply it)
COMPLAINT_STEPS = {
    "investigation": ("complaint_investigate_wd", ("investigation_started_at", "replied_at", "resolved_at")),
    "reply": ("complaint_reply_wd", ("replied_at", "resolved_at")),
    "resolution": ("complaint_resolve_wd", ("resolved_at",)),
}


@dataclass(frozen=True)
class Deadline:
    received: date
    workdays: int
    due: date
    done: date | None
    state: str  # "on_time" | "late" | "overdue" (not done, past due) | "pending" | "unknown"


def complaint_deadline(repo, complaint, step: str) -> Deadline | None:
    """Where one complaint stands on one of its working-day deadlines."""
    policy_key, fields = COMPLAINT_STEPS[step]
    data = complaint.data
    received = local_date(data.get("received_at"))
    if received is None:
        return None
    workdays = repo.policy[policy_key]
    due = repo.calendar.add_workdays(received, workdays)
    done = next((d for d in (local_date(data.get(f)) for f in fields) if d is not None), None)
    if done is not None:
        state = "on_time" if done <= due else "late"
    elif data.get("status") in DONE_STATUSES:
        state = "unknown"  # closed without the dates: nothing to measure
    else:
        state = "overdue" if repo.today > due else "pending"
    return Deadline(received, workdays, due, done, state)


@dataclass(frozen=True)
class Reclaim:
    """Where a customer stands on the 公海 clock."""

    customer: object
    limit: int  # days allowed without a sales action by the owner
    since: date  # the later of the last sales action and the assignment
    last_action: date | None
    days: int  # days since `since`

    @property
    def days_left(self) -> int:
        return self.limit - self.days


@_cached
def reclaim_clock(repo) -> dict[str, Reclaim]:
    """The 公海 clock of every customer it runs for (owned, not exempt, not locked)."""
    clocks: dict[str, Reclaim] = {}
    visits = visits_by_customer(repo)
    for customer in repo.of("customer"):
        data = customer.data
        owner = data.get("owner")
        if owner == POOL or data.get("stage") in RECLAIM_EXEMPT_STAGES or data.get("locked") is True:
            continue
        limit = per_grade(repo.policy["reclaim_after_days"], data.get("grade"))
        assigned = assignment_date(customer)
        if not isinstance(limit, int) or assigned is None:
            continue
        actions = [when.date() for when, visit in visits.get(customer.id, ())
                   if visit.data.get("staff") == owner and counts_as_sales_action(visit) and when.date() <= repo.today]
        last = actions[-1] if actions else None
        since = max(assigned, last) if last else assigned
        clocks[customer.id] = Reclaim(customer, limit, since, last, (repo.today - since).days)
    return clocks
