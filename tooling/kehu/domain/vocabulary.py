"""What the business words mean: which stages belong together, which complaint statuses
are finished, how strict each confidentiality level is, which visit types the rules know.

The words themselves are the enums of schemas/common.schema.json (`Schemas.vocabulary`).
This module places each of them; a company that renames a stage or adds a level changes
the schema and the table here, and `unplaced(schemas)` names every word left without a
place (tests/test_domain.py fails until there is none).
"""

from __future__ import annotations

POOL = "pool"  # the reserved owner of a customer in the 公海 pool

# stage -> (phase, the milestone that records reaching it), in the order of the decoration
# process (003 装修流程): sales up to the contract, the building site, its acceptance,
# after-sales, and customers who went elsewhere.
STAGES = {
    "咨询": ("sales", "first_consult"),
    "量房": ("sales", "site_measured"),
    "方案": ("sales", "plan_delivered"),
    "报价": ("sales", "quoted"),
    "签约": ("sales", "contract_signed"),
    "施工": ("construction", "construction_started"),
    "验收": ("acceptance", "completed"),
    "结算": ("after_sales", "settled"),
    "保修": ("after_sales", None),
    "流失": ("lost", None),
}
PHASES = ("sales", "construction", "acceptance", "after_sales", "lost")


def stages_in(*phases: str) -> tuple[str, ...]:
    """The stages of these phases, in process order."""
    return tuple(stage for stage, (phase, _) in STAGES.items() if phase in phases)


FIRST_STAGE = next(iter(STAGES))  # where a new customer starts
SALES_STAGES = stages_in("sales")  # the conversion funnel 咨询 → 签约
# still take a manager's time (K302); after-sales and lost customers do not
ACTIVE_STAGES = stages_in("sales", "construction", "acceptance")
# the 公海 clock does not run: the work is contracted, or the customer is gone (K401, K402)
RECLAIM_EXEMPT_STAGES = stages_in("construction", "acceptance", "after_sales", "lost")
# visited on the after-sales schedule (1 week / month / quarter / year), not monthly (K403)
MONTHLY_VISIT_EXEMPT_STAGES = stages_in("after_sales", "lost")
CONSTRUCTION_STAGES = stages_in("construction")  # a site inspection every few days (K604)
LOST_STAGES = stages_in("lost")  # no design deadline runs any more (K601, K602)


def funnel() -> list[tuple[str, str | None]]:
    """(stage, milestone) along the funnel; the first step counts every customer (None)."""
    return [(stage, None if n == 0 else STAGES[stage][1]) for n, stage in enumerate(SALES_STAGES)]


# complaint status -> "open" | "done" (受理 → 调查中 → 已答复 → 已解决 → 已关闭)
COMPLAINT_STATUSES = {"受理": "open", "调查中": "open", "已答复": "open", "已解决": "done", "已关闭": "done"}
FIRST_STATUS = next(iter(COMPLAINT_STATUSES))  # a new complaint's status
OPEN_STATUSES = tuple(s for s, group in COMPLAINT_STATUSES.items() if group == "open")  # need a handler at work
DONE_STATUSES = tuple(s for s, group in COMPLAINT_STATUSES.items() if group == "done")  # need a 回访

# confidentiality levels, least strict first (002 客户管理制度4), and what a default
# (masked) output shows of a customer at each: None every field, phones masked and the
# street address left out; a tuple only those fields; () nothing, not even the customer.
CONFIDENTIALITY = {"秘密": None, "机密": ("id", "owner", "stage"), "绝密": ()}
DEFAULT_CONFIDENTIALITY = next(iter(CONFIDENTIALITY))


def strictness(level) -> int:
    """How strict a level is; a word the table does not know counts as the strictest."""
    levels = list(CONFIDENTIALITY)
    return levels.index(level) if level in levels else len(levels)


# visit types the rules single out
INSPECTION_VISIT = "工地巡检"  # the 质保巡检 of a building site (K604)
FOLLOWUP_VISIT = "回访"  # the 回访 after the first plan meeting (K404)
SURVEY_VISIT = "满意度调查"  # customer service asks how satisfied the customer is (reports)
NO_SALES_ACTION_TYPES = (SURVEY_VISIT,)  # not a sales action unless the visit says so (K401)
CONFIRMED_VISIT_TYPES = ("到店咨询", "量房")  # the 咨询记录 and 量工地记录 the customer signs (K607)

# schema vocabulary -> the words this module places
PLACED = {
    "stage": tuple(STAGES),
    "complaintStatus": tuple(COMPLAINT_STATUSES),
    "confidentiality": tuple(CONFIDENTIALITY),
    "visitType": (INSPECTION_VISIT, FOLLOWUP_VISIT, *NO_SALES_ACTION_TYPES, *CONFIRMED_VISIT_TYPES),
}
COMPLETE = ("stage", "complaintStatus", "confidentiality")  # every word of these needs a place


def unplaced(schemas) -> list[str]:
    """Words of the schema's vocabularies with no place here, and words placed here that
    the schema no longer has: empty when the two agree."""
    problems = []
    for name, placed in PLACED.items():
        words = schemas.vocabulary(name)
        if name in COMPLETE:
            problems += [f"{name} {word}: no group in kehu.domain" for word in words if word not in placed]
        problems += [f"{name} {word}: placed in kehu.domain, not in the schema" for word in placed if word not in words]
    return problems


def joined(values, lang: str = "zh") -> str:
    """A list as a sentence shows it: 市场总监、总经理 / 市场总监, 总经理."""
    return ("、" if lang == "zh" else ", ").join(str(v) for v in values)


def threshold(value, unit: str = "", lang: str = "zh") -> str:
    """A policy value as a sentence shows it: 60 天, A 90、B 60 天, 1 working day, 2 working days."""
    if isinstance(value, dict):
        text = joined((f"{key} {number}" for key, number in value.items()), lang)
    elif isinstance(value, (list, tuple)):
        text = joined(value, lang)
    else:
        text = str(value)
    if not unit:
        return text
    return f"{text} {unit}{'s' if lang == 'en' and value != 1 else ''}"
