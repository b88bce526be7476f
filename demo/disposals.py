"""Disposal records (销毁记录): which expired records were destroyed, approved by whom."""

from __future__ import annotations

from demo.model import Disposal
from demo.yamltext import moment, text


def path(d: Disposal) -> str:
    return f"disposals/{d.at.year:04d}/{d.id}.yaml"


def render(d: Disposal) -> str:
    out = [f"id: {d.id}", "records:"]
    out.extend(f"  - {r}" for r in d.records)
    out.append(f"reason: {text(d.reason)}")
    out.append("approved_by:")
    out.extend(f"  - {a}" for a in d.approved_by)
    out.append(f"at: {moment(d.at)}")
    return "\n".join(out) + "\n"
