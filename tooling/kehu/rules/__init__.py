"""The rule registry: an explicit list of rule modules, and RULES = {code: Rule}.

Codes are never reused: a retired code stays in RETIRED so nobody takes it again.
"""

from __future__ import annotations

from kehu.rules import (
    k0_files,
    k1_schema,
    k2_references,
    k3_ownership,
    k4_contacts,
    k4_followup,
    k5_complaints,
    k6_process,
    k7_privacy,
    k8_review,
    k8_sealing,
    k9_appeals,
)
from kehu.rules.base import DOC_SECTIONS, Rule, rule

MODULES = (k0_files, k1_schema, k2_references, k3_ownership, k4_followup, k4_contacts, k5_complaints, k6_process,
           k7_privacy, k8_review, k8_sealing, k9_appeals)
RETIRED: dict[str, str] = {}


def _collect() -> dict[str, Rule]:
    found: dict[str, Rule] = {}
    for module in MODULES:
        for value in vars(module).values():
            spec = getattr(value, "rule", None)
            if isinstance(spec, Rule):
                if spec.code in found or spec.code in RETIRED:
                    raise RuntimeError(f"rule code {spec.code} is used twice")
                found[spec.code] = spec
    return dict(sorted(found.items()))


RULES: dict[str, Rule] = _collect()

__all__ = ["DOC_SECTIONS", "RULES", "RETIRED", "Rule", "rule"]
