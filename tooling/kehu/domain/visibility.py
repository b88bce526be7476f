"""The one privacy policy of every output that shows customers: the site, the export and
the reports (SPEC §6, §10; 002 客户管理制度4).

A default output masks: phones as 138****8000, no street address (the community stays),
phone and ID-card numbers typed into any text (notes, summaries, names, commit subjects) as
138****8000 and 110105********002X (`text`), 机密 customers as id, owner and stage only,
绝密 customers and their visits and complaints left out entirely (no page, row, count or
search entry). A `full` output, for management, shows everything. When two files share a
customer id, the stricter level applies.
"""

from __future__ import annotations

import re
from collections import defaultdict

from kehu.domain.vocabulary import CONFIDENTIALITY, DEFAULT_CONFIDENTIALITY, strictness
from kehu.phones import mask_numbers, mask_phone

FULL_ONLY = ("address",)  # fields only a full output shows, whatever the level
# a customer with sealed values this output cannot open shows no more than this level does
SEALED_SHOWN_AS = next(level for level, fields in CONFIDENTIALITY.items() if fields)  # 机密
CUSTOMER_ID = re.compile(r"C\d{4}-\d{4,}")  # how a message names a customer


class Visibility:
    """What one output may show of each customer."""

    def __init__(self, repo, full: bool = False):
        self.full = full
        self.levels: dict[str, str] = {}
        names = defaultdict(set)  # customer id -> the names its files give it
        for customer in repo.of("customer", valid_only=False):
            level = customer.data.get("confidentiality", DEFAULT_CONFIDENTIALITY)
            level = level if isinstance(level, str) else None  # a level the table does not know: the strictest
            if customer.withheld and strictness(level) < strictness(SEALED_SHOWN_AS):
                level = SEALED_SHOWN_AS  # sealed values this build cannot open: shown like a 机密 customer
            if customer.id is not None and (customer.id not in self.levels
                                            or strictness(level) > strictness(self.levels[customer.id])):
                self.levels[customer.id] = level
            if isinstance(customer.data.get("name"), str):  # an invalid record may hold anything there
                names[customer.id].add(customer.data["name"])
        shown = {i: _shown_fields(level) for i, level in self.levels.items()}
        self.hidden_customers = set() if full else {i for i, fields in shown.items() if fields == ()}
        self.restricted = set() if full else {i for i, fields in shown.items() if fields}
        self.unshown = self.hidden_customers | self.restricted  # customers a message may not name
        self.hidden = set(self.hidden_customers)  # and their visits and complaints
        self.about_restricted = set()  # visits and complaints of a 机密 customer: their messages tell about it
        for kind in ("visit", "complaint"):
            for record in repo.of(kind, valid_only=False):
                customer_id = record.data.get("customer")
                if record.id is not None and isinstance(customer_id, str) and customer_id in self.unshown:
                    (self.hidden if customer_id in self.hidden_customers else self.about_restricted).add(record.id)
        self.mentions_unshown = _Mentions(self.unshown, {name for i in self.unshown for name in names[i]})

    def level(self, customer_id) -> str | None:
        return self.levels.get(customer_id)

    def shows(self, record_id) -> bool:
        """False for a 绝密 customer and the records about it: the output leaves them out."""
        return record_id not in self.hidden

    def restricts(self, customer_id) -> bool:
        """A 机密 customer: only id, owner and stage are shown."""
        return customer_id in self.restricted

    def phone(self, phone) -> str:
        return str(phone) if self.full else mask_phone(phone)

    def text(self, value):
        """Any value as this output shows it: in text, phone and ID-card numbers masked
        (客户新号码 138****5678); other values, and everything in a full output, as they are."""
        return mask_numbers(value) if isinstance(value, str) and not self.full else value

    def customer(self, record) -> dict | None:
        """The customer's fields as this output may show them; None when it shows none."""
        if not self.shows(record.id):
            return None
        data = record.data
        if self.full:
            return data
        fields = _shown_fields(self.level(record.id))
        if fields:
            return {key: data[key] for key in fields if key in data}
        shown = {key: self._masked(value) for key, value in data.items() if key not in FULL_ONLY}
        if isinstance(data.get("phones"), list):
            shown["phones"] = [mask_phone(p) for p in data["phones"]]
        return shown

    def _masked(self, value):
        if isinstance(value, dict):
            return {key: self._masked(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._masked(item) for item in value]
        return self.text(value)

    def message(self, finding, title: str) -> str:
        """A finding's message, or the rule's `title` where the message would tell more
        than the output may: about a 机密 customer (or its visits and complaints), or naming
        -- by id or by name -- a customer it hides or restricts."""
        text = finding.message.zh
        if finding.record in self.restricted or finding.record in self.about_restricted or self.mentions_unshown(text):
            return title
        return self.text(text)


class _Mentions:
    """Whether a text names one of some customers, by id or by name (of two characters or
    more: a one-character name would match half the messages). Quick at company size: ids
    are looked up whole, names by their first two characters."""

    def __init__(self, ids, names):
        self.ids = {i for i in ids if isinstance(i, str)}
        self.odd_ids = [i for i in self.ids if not CUSTOMER_ID.fullmatch(i)]  # an invalid record's id, written oddly
        self.names = defaultdict(set)
        for name in names:
            if isinstance(name, str) and len(name) >= 2:
                self.names[name[:2]].add(name)

    def __call__(self, text: str) -> bool:
        if any(m.group() in self.ids for m in CUSTOMER_ID.finditer(text)) or any(i in text for i in self.odd_ids):
            return True
        if self.names:
            for at in range(len(text) - 1):
                if any(text.startswith(name, at) for name in self.names.get(text[at:at + 2], ())):
                    return True
        return False


def _shown_fields(level):
    """None: every field (masked); a tuple: only those; (): nothing."""
    return CONFIDENTIALITY[level] if level in CONFIDENTIALITY else ()
