"""The per-person evaluation (员工考核表) behind `kehu report scorecard`: what each person did
in a period, by role, and the rating 优良 / 合格 / 差 that policy `scorecard_ratings` gives it.

The regulations tie these figures to 绩效考核: statistics duties (000 客户统计管理制度 五.1),
the survey form in the designer's evaluation (000 客户资源统计规定 二), sales targets and
amounts (001 市场部绩效考核制度), complaints (002 客户管理制度13 七: a complaint costs
绩效考评分), 回访 and satisfaction surveys as the basis of evaluation (002 客户管理制度14
1.7.2), and the three levels themselves (004 客户关系维护成效考核 B).

How each figure is read from the records (every customer the output may show: a masked
scorecard leaves 绝密 customers and their visits and complaints out, like the reports):

- customers_held: customers the person holds at the end of the period (registered_by, then
  owner_history entries in force by then);
- new_registrations: customers they registered in the period;
- visit_months / visit_months_met / visit_rate / visits_per_customer_month: for each calendar
  month lying wholly in the period, each customer they held all month (K403's reading: not
  in the pool, not lost or settled by the month's end) whose grade asks for visits
  (policy `visits_per_month`) is one customer-month; it is met when the customer had that
  many visits in the month;
- reclaims_suffered: owner_history entries in the period moving a customer from them to pool;
- collisions_won / collisions_lost (撞单): a customer registered in the period whose phone
  already belonged to an earlier customer registered by someone else (K301's pairing): the
  earlier registrant wins, the later one loses (002 3.1.3); a person's own duplicates are no
  撞单; appeals that changed the outcome are not read;
- complaints_against: complaints received in the period naming them in against.staff;
- complaints_handled / complaint_on_time_rate: complaints received in the period they handle,
  and the share of their deadlines (investigation, reply, resolution, in working days) met
  among those done or overdue (not yet due: not counted);
- survey_contracts / survey_completeness: for designers, contracts signed in the period and
  the average share of the 客户基本情况调查表 filled in (policy `survey_required`);
- contracts / contract_amount_wan (产值): contracts signed in the period (milestone, else
  contract.signed_at), counted for the customer's holder on that day and its designer;
- satisfaction_scores / satisfaction_average: visit scores (1–5) given in the period, for the
  customer's holder on that day and its designer;
- follow_ups / follow_up_satisfied_rate: complaint 回访 in the period with a satisfied answer,
  for the complaint's handler.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from kehu.domain import POOL, Period, Visibility, complete_months, contract_signed, stages_in, survey_completeness
from kehu.facts import (
    COMPLAINT_STEPS,
    as_dict,
    complaint_deadline,
    held_throughout,
    lost_on,
    owner_on,
    per_grade,
    phone_collisions,
    pool_releases,
    visits_by_customer,
)
from kehu.timeutil import local_date, local_datetime

LEVELS = ("优良", "合格", "差")
# measure -> (column label, which way is better: "higher", "lower" or None for a plain count)
MEASURES = {
    "customers_held": ("持有客户", None),
    "new_registrations": ("新登记客户", "higher"),
    "visit_months": ("应回访客户·月", None),
    "visit_months_met": ("回访达标客户·月", None),
    "visit_rate": ("回访达标率（%）", "higher"),
    "visits_per_customer_month": ("户均月回访次数", "higher"),
    "reclaims_suffered": ("被收回公海", "lower"),
    "collisions_won": ("撞单胜", None),
    "collisions_lost": ("撞单负", "lower"),
    "complaints_against": ("被投诉", "lower"),
    "complaints_handled": ("处理投诉", None),
    "complaint_on_time_rate": ("投诉按时处理率（%）", "higher"),
    "survey_contracts": ("随合同交调查表", None),
    "survey_completeness": ("调查表完整率（%）", "higher"),
    "contracts": ("签约份数", "higher"),
    "contract_amount_wan": ("产值（万元）", "higher"),
    "satisfaction_scores": ("满意度评分次数", None),
    "satisfaction_average": ("满意度均分（1–5）", "higher"),
    "follow_ups": ("投诉回访次数", None),
    "follow_up_satisfied_rate": ("回访满意率（%）", "higher"),
}
RATABLE = tuple(key for key, (_, better) in MEASURES.items() if better)
AFTER_SALES = stages_in("after_sales")


@dataclass
class Person:
    staff: str
    name: str
    role: str
    department: str
    active: bool
    measures: dict = field(default_factory=dict)
    rating: str | None = None  # 优良 | 合格 | 差 | None: nothing of theirs is rated
    rated: dict = field(default_factory=dict)  # measure -> level, for the measures that were rated

    def as_dict(self) -> dict:
        return {"staff": self.staff, "name": self.name, "role": self.role, "department": self.department,
                "active": self.active, "measures": self.measures, "rating": self.rating,
                "rating_by_measure": self.rated}


@dataclass
class Scorecard:
    period: Period
    people: list[Person]  # by role (the schema's order), then staff id
    thresholds: dict  # policy scorecard_ratings


def level(value, thresholds: dict, better: str) -> str:
    """优良 / 合格 / 差 for one measure against its {excellent, pass} thresholds."""
    def reaches(limit):
        return value >= limit if better == "higher" else value <= limit

    return LEVELS[0] if reaches(thresholds["excellent"]) else LEVELS[1] if reaches(thresholds["pass"]) else LEVELS[2]


def rate(measures: dict, thresholds: dict) -> tuple[str | None, dict]:
    """The person's rating: the worst level among the measures their role is rated on that
    have a value (a missed obligation is not averaged away by another measure: each one is
    a requirement of its own in the regulations); None when none has a value."""
    rated = {key: level(measures[key], limits, MEASURES[key][1])
             for key, limits in thresholds.items() if key in MEASURES and measures.get(key) is not None}
    return (max(rated.values(), key=LEVELS.index) if rated else None), rated


def scorecard(repo, period: Period, view: Visibility | None = None) -> Scorecard:
    view = view or Visibility(repo)
    tally = _Tally()
    customers = [c for c in repo.of("customer") if view.shows(c.id)]
    last_day = (period.end - timedelta(microseconds=1)).date()
    _customers(repo, customers, period, last_day, tally)
    _visits(repo, customers, period, tally)
    _collisions(repo, view, period, tally)
    _complaints(repo, view, period, tally)
    thresholds = repo.policy.get("scorecard_ratings") or {}
    roles = repo.schemas.vocabulary("role")
    people = []
    for member in repo.of("staff"):
        data = member.data
        joined = local_date(data.get("joined"))
        left = local_date(data.get("left"))
        if (not tally.any(member.id)) and ((joined and joined > last_day) or (left and left < period.start.date())
                                           or data.get("active") is False):
            continue  # not there in the period and nothing to show
        measures = tally.measures(member.id)
        role = data.get("role")
        rating, rated = rate(measures, thresholds.get(role) or {})
        people.append(Person(member.id, view.text(data.get("name")), role, view.text(data.get("department")),
                             data.get("active") is True, measures, rating, rated))
    people.sort(key=lambda p: (roles.index(p.role) if p.role in roles else len(roles), p.staff))
    return Scorecard(period, people, thresholds)


class _Tally:
    """Per person: counts, and lists of values to average."""

    def __init__(self):
        self.counts = defaultdict(lambda: defaultdict(float))
        self.values = defaultdict(lambda: defaultdict(list))

    def add(self, person, key, amount=1):
        if person and person != POOL:
            self.counts[person][key] += amount

    def sample(self, person, key, value):
        if person and person != POOL:
            self.values[person][key].append(value)

    def any(self, person) -> bool:
        return any(self.counts[person].values()) or any(self.values[person].values())

    def measures(self, person) -> dict:
        counts, values = self.counts[person], self.values[person]

        def count(key):
            return int(counts[key])

        def share(part, whole):
            return round(100 * counts[part] / counts[whole], 1) if counts[whole] else None

        def mean(key, digits=2, scale=1):
            items = values[key]
            return round(scale * sum(items) / len(items), digits) if items else None

        return {
            "customers_held": count("customers_held"),
            "new_registrations": count("new_registrations"),
            "visit_months": count("visit_months"),
            "visit_months_met": count("visit_months_met"),
            "visit_rate": share("visit_months_met", "visit_months"),
            "visits_per_customer_month": mean("visits_per_customer_month"),
            "reclaims_suffered": count("reclaims_suffered"),
            "collisions_won": count("collisions_won"),
            "collisions_lost": count("collisions_lost"),
            "complaints_against": count("complaints_against"),
            "complaints_handled": count("complaints_handled"),
            "complaint_on_time_rate": share("steps_on_time", "steps_measured"),
            "survey_contracts": len(values["survey_completeness"]),
            "survey_completeness": mean("survey_completeness", 1, 100),
            "contracts": count("contracts"),
            "contract_amount_wan": round(counts["contract_amount_wan"], 2),
            "satisfaction_scores": len(values["satisfaction"]),
            "satisfaction_average": mean("satisfaction"),
            "follow_ups": count("follow_ups"),
            "follow_up_satisfied_rate": share("follow_ups_satisfied", "follow_ups"),
        }


def _customers(repo, customers, period: Period, last_day, tally: _Tally) -> None:
    required = repo.policy["survey_required"]
    for customer in customers:
        data = customer.data
        tally.add(owner_on(customer, last_day), "customers_held")
        if local_datetime(data.get("registered_at")) in period:
            tally.add(data.get("registered_by"), "new_registrations")
        for _, holder, day in pool_releases(customer):
            if local_datetime(day) in period:
                tally.add(holder, "reclaims_suffered")
        signed = local_datetime(contract_signed(data))
        if signed in period:
            amount = as_dict(data.get("contract")).get("amount_wan")
            for person in {owner_on(customer, signed.date()), data.get("designer")} - {None}:
                tally.add(person, "contracts")
                if isinstance(amount, (int, float)) and not isinstance(amount, bool):
                    tally.add(person, "contract_amount_wan", amount)
            tally.sample(data.get("designer"), "survey_completeness", survey_completeness(data, required))


def _visits(repo, customers, period: Period, tally: _Tally) -> None:
    minimum = repo.policy["visits_per_month"]
    visits = visits_by_customer(repo)
    months = complete_months(period)
    for customer in customers:
        seen = visits.get(customer.id, ())
        for when, visit in seen:
            score = visit.data.get("satisfaction")
            if when in period and isinstance(score, int) and not isinstance(score, bool):
                for person in {owner_on(customer, when.date()), customer.data.get("designer")} - {None}:
                    tally.sample(person, "satisfaction", score)
        required = per_grade(minimum, customer.data.get("grade")) or 0
        if not required:
            continue
        for first, last in months:
            holder = held_throughout(customer, first, last)
            if holder is None or holder == POOL or _exempt(repo, customer, last):
                continue
            count = sum(1 for when, _ in seen if first <= when.date() <= last)
            tally.add(holder, "visit_months")
            tally.add(holder, "visit_months_met", count >= required)
            tally.sample(holder, "visits_per_customer_month", count)


def _exempt(repo, customer, last) -> bool:
    """Not on the monthly visit schedule that month (K403): lost by its end, or after-sales
    (settled by then; a customer in after-sales with no settlement date always)."""
    lost = lost_on(repo, customer)
    if lost is not None and lost <= last:
        return True
    settled = local_date(as_dict(customer.data.get("milestones")).get("settled"))
    return (settled is not None and settled <= last) or (settled is None and customer.data.get("stage") in AFTER_SALES)


def _collisions(repo, view: Visibility, period: Period, tally: _Tally) -> None:
    counted = set()
    for first, later, _ in phone_collisions(repo):
        if not (view.shows(first.id) and view.shows(later.id)) or (first.id, later.id) in counted:
            continue
        winner, loser = first.data.get("registered_by"), later.data.get("registered_by")
        if winner != loser and local_datetime(later.data.get("registered_at")) in period:
            counted.add((first.id, later.id))
            tally.add(winner, "collisions_won")
            tally.add(loser, "collisions_lost")


def _complaints(repo, view: Visibility, period: Period, tally: _Tally) -> None:
    for complaint in repo.of("complaint"):
        if not view.shows(complaint.id):
            continue
        data = complaint.data
        handler = data.get("handler")
        if local_datetime(data.get("received_at")) in period:
            tally.add(as_dict(data.get("against")).get("staff"), "complaints_against")
            tally.add(handler, "complaints_handled")
            for step in COMPLAINT_STEPS:
                deadline = complaint_deadline(repo, complaint, step)
                if deadline is not None and deadline.state in ("on_time", "late", "overdue"):
                    tally.add(handler, "steps_measured")
                    tally.add(handler, "steps_on_time", deadline.state == "on_time")
        follow_up = as_dict(data.get("follow_up"))
        if local_datetime(follow_up.get("at")) in period and isinstance(follow_up.get("satisfied"), bool):
            tally.add(handler, "follow_ups")
            tally.add(handler, "follow_ups_satisfied", follow_up["satisfied"])

