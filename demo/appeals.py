"""Appeal records (申诉): a dispute about a customer, handled one level at a time."""

from __future__ import annotations

from demo.model import Appeal
from demo.yamltext import block_list, moment, text


def path(a: Appeal) -> str:
    return f"appeals/{a.filed_at.year:04d}/{a.id}.yaml"


def render(a: Appeal) -> str:
    out = [f"id: {a.id}", f"customer: {a.customer.id}", f"filed_by: {a.filed_by}"]
    if a.against:
        out.append(f"against: {a.against}")
    out += [f"reason: {text(a.reason)}", f"filed_at: {moment(a.filed_at)}"]
    out += block_list("steps", ([("level", level), ("at", moment(at)), ("by", by), ("decision", decision),
                                 ("note", text(note) if note else None)]
                                for level, at, by, decision, note in a.steps))
    out.append(f"status: {a.status}")
    return "\n".join(out) + "\n"
