"""The demo company's policy: records/policy.yaml, and the numbers the generator keeps its
records inside. The company's own choices and the comment above each key are in
demo/data/policy.yaml; every other value is the policy schema's default, so the generator
obeys exactly the file it writes.
"""

from __future__ import annotations

from demo import tables as D
from demo.vocab import policy_schema
from kehu.edit import scalar

CHOICES: dict = D.POLICY["choices"]
VALUES = {key: CHOICES.get(key, spec["default"]) for key, spec in policy_schema().items() if "default" in spec}
RECLAIM_AFTER: dict[str, int] = VALUES["reclaim_after_days"]
VISITS_PER_MONTH: dict[str, int] = VALUES["visits_per_month"]
LARGE_SQM: int = VALUES["large_house_sqm"]
LARGE_TYPES: tuple[str, ...] = tuple(VALUES["large_house_types"])
MAX_CUSTOMERS_PER_OWNER: int = VALUES["max_customers_per_owner"]

# The generator's own habits, inside the policy:
# days between the owner's follow-ups before construction (well inside reclaim_after_days
# less reclaim_warning_days)
FOLLOW_GAP = {"A": (15, 30), "B": (15, 30), "C": (10, 16), "D": (12, 20)}
INSPECTION_STEPS = (4, 5, 5, 5)  # days between 工地巡检, at most inspection_every_days
assert max(INSPECTION_STEPS) <= VALUES["inspection_every_days"]


def render() -> str:
    """records/policy.yaml: every key of the schema that has a default, in the schema's order."""
    out = [f"# {D.POLICY['heading']}"]
    for key, spec in policy_schema().items():
        if "default" not in spec:
            continue
        out.append("")
        out.append(f"# {D.POLICY['comments'].get(key, spec.get('title', key))}")
        out.append(f"{key}:{_yaml_value(VALUES[key])}")
    return "\n".join(out) + "\n"


def _yaml_value(value, indent: str = "  ") -> str:
    if isinstance(value, dict):
        if not value:
            return " {}"
        if indent != "  " and not any(isinstance(v, (dict, list)) for v in value.values()):  # nested: one line
            return " {" + ", ".join(f"{k}:{_yaml_value(v)}" for k, v in value.items()) + "}"
        return "".join(f"\n{indent}{k}:{_yaml_value(v, indent + '  ')}" if isinstance(v, dict) or _block(v) else
                       f"\n{indent}{k}: {_yaml_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        if _block(value):
            return "".join(f"\n{indent}- {v}" for v in value)
        return " [" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, str):
        return f" {scalar(value)}"  # quoted where YAML 1.1 would misread it (10:00 is a number there)
    return f" {value}"


def _block(value) -> bool:
    """A list written one item per line (long lists of plain words)."""
    return isinstance(value, list) and len(value) > 3 and all(isinstance(v, str) and v.isascii() for v in value)
