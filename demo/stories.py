"""The machinery of the demo's rule stories: a Story names the records a finding of `kehu
check` lands on; the Builder makes and picks those records for demo.scenarios; once ids are
assigned, resolve() turns the stories into the Scenario rows of docs/demo.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from demo import appeals, complaints, customers, disposals, visits
from demo.customers import new_customer, two_years_after
from demo.model import Appeal, Complaint, Customer, Disposal, Scenario, Visit
from demo.policy import MAX_CUSTOMERS_PER_OWNER
from demo.world import DAY, WANG_FANG, World
from kehu.rules.k3_ownership import ACTIVE_STAGES

# customers made only for a story; the baseline makes that many fewer, so --customers N
# gives N customer files
DEDICATED_CUSTOMERS = 20


@dataclass
class Story:
    code: str
    records: list  # the records the finding lands on (Customer / Visit / Complaint / Disposal)
    story: str  # names the ids of records + also as {0}, {1}, ...
    fires: bool = True
    also: list = field(default_factory=list)  # other records (or callables giving an id) the story names


class Builder:
    def __init__(self, w: World):
        self.w = w
        self.rng = w.rng
        self.T = w.today
        self.used: set[int] = set()
        self.stories: list[Story] = []
        self.hooks: list = []  # run after ids are assigned
        self.disposals: list[Disposal] = []
        self.appeals: list[Appeal] = []
        self.made = 0

    def d(self, offset: int) -> date:
        return self.T + DAY * offset

    def dt(self, offset: int, hour: int = 10, minute: int = 0) -> datetime:
        return datetime.combine(self.d(offset), time(hour, minute))

    def tell(self, code, records, story, fires=True, also=()):
        self.stories.append(Story(code, list(records), story, fires, list(also)))

    def customer(self, reg_offset: int, by: str, grade: str, hour: int = 10, **kw) -> Customer:
        """A customer made for a story, registered `reg_offset` days from today."""
        self.made += 1
        c = new_customer(self.w, self.dt(reg_offset, hour, self.rng.randrange(60)), by, grade=grade, **kw)
        c.tags = []
        self.used.add(c.serial)  # never picked for another story
        return c

    def plan(self, c: Customer, **offsets) -> None:
        """The customer's milestones, each `offset` days from today."""
        c.plan = {name: self.d(o) for name, o in offsets.items()}
        if "completed" in c.plan and "settled" in c.plan:
            c.plan["warranty_until"] = two_years_after(c.plan["completed"])
        c.lost = None

    def pick(self, test, start: int = 0) -> Customer | None:
        """A baseline customer for a story: the first (from a seeded offset) that fits."""
        pool = self.w.customers
        n = len(pool)
        if not n:
            return None
        offset = (start * 7919) % n
        for i in range(n):
            c = pool[(offset + i) % n]
            if c.serial in self.used or c.frozen or c.no_refs or c.name == WANG_FANG:
                continue
            if test(c):
                self.used.add(c.serial)
                return c
        return None

    def active(self, c: Customer) -> bool:
        return c.stage in ("咨询", "量房", "方案", "报价", "签约") and c.owner_at(self.T) != "pool"

    def owner_visit(self, c: Customer, offset: int, summary: str, type_: str = "电话", **kw) -> Visit:
        day = self.d(offset)
        return self.w.visit(c, self.w.at(day, 9, 20), c.owner_at(day), type_, summary, **kw)


def resolve(builder: Builder) -> list[Scenario]:
    """The stories as rows, with the ids and files of their records, by code."""
    out = []
    for story in builder.stories:
        ids, files = [], []
        for r in story.records:
            ids.append(r.id)
            f = record_file(r)
            if f and f not in files:
                files.append(f)
        named = ids + [r() if callable(r) else r.id for r in story.also]
        unique = list(dict.fromkeys(i for i in ids if i))
        out.append(Scenario(story.code, unique, story.story.format(*named), files, story.fires))
    order = {code: i for i, code in enumerate(sorted({s.code for s in out}))}
    out.sort(key=lambda s: (order[s.code], not s.fires))
    return out


def record_file(r) -> str | None:
    for kind, module in ((Customer, customers), (Visit, visits), (Complaint, complaints), (Disposal, disposals),
                         (Appeal, appeals)):
        if isinstance(r, kind):
            return "records/" + module.path(r)
    return None


def overloaded_owners(w: World) -> list[Scenario]:
    """K302 follows from the whole book, not one story: whoever holds more active customers
    than the demo policy allows."""
    limit = MAX_CUSTOMERS_PER_OWNER
    counts = Counter(c.owner for c in w.customers if c.stage in ACTIVE_STAGES and c.owner != "pool")
    return [Scenario("K302", [owner], f"{owner} 名下有 {n} 位在跟进客户，超过本公司政策的上限 {limit} 位",
                     [f"records/staff/{owner}.yaml"], True)
            for owner, n in sorted(counts.items()) if n > limit]
