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

from kehu.domain.vocabulary import CONFIDENTIALITY, DEFAULT_CONFIDENTIALITY, strictness
from kehu.phones import mask_numbers, mask_phone

FULL_ONLY = ("address",)  # fields only a full output shows, whatever the level


class Visibility:
    """What one output may show of each customer."""

    def __init__(self, repo, full: bool = False):
        self.full = full
        self.levels: dict[str, str] = {}
        for customer in repo.of("customer", valid_only=False):
            level = customer.data.get("confidentiality", DEFAULT_CONFIDENTIALITY)
            level = level if isinstance(level, str) else None  # a level the table does not know: the strictest
            if customer.id is not None and (customer.id not in self.levels
                                            or strictness(level) > strictness(self.levels[customer.id])):
                self.levels[customer.id] = level
        shown = {i: _shown_fields(level) for i, level in self.levels.items()}
        self.hidden_customers = set() if full else {i for i, fields in shown.items() if fields == ()}
        self.restricted = set() if full else {i for i, fields in shown.items() if fields}
        self.unshown = self.hidden_customers | self.restricted  # customers a message may not name
        self.hidden = set(self.hidden_customers)  # and their visits and complaints
        for kind in ("visit", "complaint"):
            for record in repo.of(kind, valid_only=False):
                if record.data.get("customer") in self.hidden_customers and record.id is not None:
                    self.hidden.add(record.id)

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
        than the output may: about a 机密 customer, or naming one it hides or restricts."""
        if finding.record in self.restricted or any(customer_id in finding.message.zh for customer_id in self.unshown):
            return title
        return self.text(finding.message.zh)


def _shown_fields(level):
    """None: every field (masked); a tuple: only those; (): nothing."""
    return CONFIDENTIALITY[level] if level in CONFIDENTIALITY else ()
