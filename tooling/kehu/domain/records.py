"""Readings of a record that rules, statistics and pages must agree on: when a contract was
signed, how complete the survey form is, how a staff member is named."""

from __future__ import annotations

from kehu.domain.vocabulary import POOL

EMPTY = (None, "", [])  # an unfilled survey field


def contract_signed(customer_data: dict):
    """When the contract was signed, as written (the milestone, else contract.signed_at), or None."""
    milestones = customer_data.get("milestones") or {}
    return milestones.get("contract_signed") or (customer_data.get("contract") or {}).get("signed_at")


def unfilled_survey_fields(customer_data: dict, required) -> list[str]:
    """The fields policy `survey_required` asks for that the 客户基本情况调查表 leaves empty."""
    survey = customer_data.get("survey") or {}
    return [field for field in required if survey.get(field) in EMPTY]


def survey_completeness(customer_data: dict, required) -> float:
    """The share of the required survey fields filled in (000 客户统计管理制度: it counts in
    the designer's evaluation); 1.0 when policy requires none."""
    if not required:
        return 1.0
    return (len(required) - len(unfilled_survey_fields(customer_data, required))) / len(required)


def staff_name(repo, staff_id):
    """A staff member's name, else what was written."""
    member = repo.ids("staff").get(staff_id) if isinstance(staff_id, str) else None
    return member.data.get("name", staff_id) if member is not None else staff_id


def staff_label(repo, staff_id) -> str:
    """王丽（wangli）; 公海 for the pool; the id alone for someone kehu does not know."""
    if staff_id == POOL:
        return "公海"
    member = repo.ids("staff").get(staff_id) if isinstance(staff_id, str) else None
    return f"{member.data.get('name')}（{staff_id}）" if member is not None else str(staff_id)
