"""The demo's records while they are being made: plain objects, rendered to YAML at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

MILESTONES = (
    "first_consult", "preplan_delivered", "deposit_paid", "site_measured", "plan_delivered",
    "first_plan_meeting", "quoted", "contract_signed", "construction_started", "completed",
    "settled", "warranty_until",
)
# the stage a customer is in once a milestone is reached
STAGE_AFTER = {
    "first_consult": "咨询", "preplan_delivered": "咨询", "deposit_paid": "量房",
    "site_measured": "量房", "plan_delivered": "方案", "first_plan_meeting": "方案",
    "quoted": "报价", "contract_signed": "签约", "construction_started": "施工",
    "completed": "验收", "settled": "结算",
}


class Customer:
    __slots__ = (
        "serial", "id", "name", "phones", "raw_phones", "wechat", "gender", "district",
        "community", "address", "channel", "referrer", "intermediary", "house_type", "area",
        "condition", "budget", "style", "grade", "stage", "owner", "designer", "reg_dt",
        "registered_by", "confidentiality", "milestones", "plan", "lost", "contract", "survey",
        "owner_history", "hidden_history", "locked", "tags", "notes", "frozen", "no_refs",
        "pool_from", "silent_from", "file_name", "encoding", "text_hook", "extra_lines",
        "visits", "large", "raw_fields", "inspection_gap", "inspectors", "cites",
    )

    def __init__(self, serial: int):
        self.serial = serial
        self.id: str | None = None
        self.phones: list[str] = []
        self.raw_phones: set[int] = set()  # indexes of phones written unquoted (K101)
        self.wechat = None
        self.referrer = None  # a Customer, a staff id or text
        self.intermediary = None
        self.confidentiality = None
        self.milestones: dict[str, date] = {}
        self.plan: dict[str, date] = {}  # every milestone the customer would reach
        self.lost: date | None = None
        self.contract = None  # (amount_wan, signed_at)
        self.survey: dict | None = None
        self.owner_history: list[tuple] = []  # (owner, from, by, reason)
        self.hidden_history = False
        self.locked = False
        self.tags: list[str] = []
        self.notes = None
        self.frozen = False  # scenario record: the global fix-up passes leave it alone
        self.no_refs = False  # nothing may refer to it (the file will not load)
        self.pool_from: date | None = None
        self.silent_from: date | None = None  # the owner makes no sales action from here
        self.file_name = None
        self.encoding = "utf-8"
        self.text_hook = None  # str -> str, to break a file on purpose
        self.extra_lines: list[str] = []
        self.visits: list = []
        self.large = False
        self.raw_fields: dict[str, str] = {}  # field -> text written as is (K101)
        self.inspection_gap = None  # (from, days): a hole in the site inspections (K604)
        self.inspectors = None  # staff who inspect the site, if not the usual mix
        self.cites: dict[int, object] = {}  # owner_history index -> the Appeal that entry cites

    def owner_at(self, day: date) -> str:
        owner = self.registered_by
        for new_owner, start, _by, _reason in self.owner_history:
            if start <= day:
                owner = new_owner
        return owner

    def stage_on(self, day: date) -> str:
        if self.lost and self.lost <= day:
            return "流失"
        stage = "咨询"
        for name in MILESTONES:
            when = self.plan.get(name)
            if when is None or when > day:
                continue
            if name == "settled":
                stage = "结算" if (day - when).days < 15 else "保修"
            elif name in STAGE_AFTER:
                stage = STAGE_AFTER[name]
        return stage

    @property
    def year(self) -> int:
        return self.reg_dt.year


class Visit:
    __slots__ = ("customer", "at", "staff", "type", "summary", "next_contact", "confirmed",
                 "satisfaction", "sales", "id", "folder", "customer_id", "order", "refs")

    def __init__(self, customer, at: datetime, staff: str, type_: str, summary: str,
                 next_contact=None, confirmed=None, satisfaction=None, sales=None):
        self.customer = customer
        self.at = at
        self.staff = staff
        self.type = type_
        self.summary = summary
        self.next_contact = next_contact
        self.confirmed = confirmed
        self.satisfaction = satisfaction
        self.sales = sales  # None = default (true, false for 满意度调查); False written out
        self.id = None
        self.folder = None  # override of records/visits/YYYY/MM (K004)
        self.customer_id = None  # override of the customer reference (K201)
        self.order = 0
        self.refs = None  # objects whose ids fill {0}, {1} ... in the summary

    @property
    def counts(self) -> bool:
        if self.sales is not None:
            return self.sales
        return self.type != "满意度调查"


class Complaint:
    __slots__ = ("customer", "received_at", "channel", "category", "description", "against",
                 "handler", "status", "investigation_started_at", "replied_at", "resolved_at",
                 "resolution", "escalations", "follow_up", "id", "order")

    def __init__(self, customer, received_at: datetime):
        self.customer = customer
        self.received_at = received_at
        self.against = None  # (department, staff or None)
        self.investigation_started_at = None
        self.replied_at = None
        self.resolved_at = None
        self.resolution = None
        self.escalations: list[tuple] = []  # (level, at, by, note)
        self.follow_up = None  # (at, by, satisfied, comment)
        self.id = None
        self.order = 0


@dataclass
class Disposal:
    id: str
    records: list[str]
    reason: str
    approved_by: list[str]
    at: datetime


@dataclass
class Appeal:
    """A 申诉 about a customer; steps are (level, at, by, decision or None, note or None)."""

    id: str
    customer: Customer
    filed_by: str
    against: str | None
    reason: str
    filed_at: datetime
    steps: list[tuple]
    status: str


@dataclass
class Scenario:
    """One story of the demo: which records show a rule, and whether the rule fires there."""

    code: str
    record_ids: list[str]
    story_zh: str
    files: list[str] = field(default_factory=list)
    fires: bool = True  # False: the record is the "satisfied" side of the rule


@dataclass
class Manifest:
    out: str
    seed: int
    today: date
    customers: int
    visits: int
    complaints: int
    staff: int
    disposals: int
    files: int
    seconds: float
    scenarios: list[Scenario]
