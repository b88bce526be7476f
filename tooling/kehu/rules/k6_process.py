"""K6xx: the decoration process — pre-plan, plan, survey form, site inspections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kehu.domain import (
    CONFIRMED_VISIT_TYPES,
    CONSTRUCTION_STAGES,
    INSPECTION_VISIT,
    LOST_STAGES,
    SALES_STAGES,
    STAGES,
    contract_signed,
    joined,
    staff_label,
    unfilled_survey_fields,
)
from kehu.facts import large_house, visits_by_customer
from kehu.findings import Hit, Text
from kehu.rules.base import rule
from kehu.timeutil import local_date


@dataclass(frozen=True)
class DesignDeadline:
    customer: object
    start: date
    days: int
    due: date
    done: date | None
    large: bool
    open: bool  # not delivered, and still owed (not lost, no later milestone stands in for it)


# what each design deadline runs from and to: (start, delivered, later milestones that imply it, policy keys)
DESIGN_STEPS = {
    "preplan": ("first_consult", "preplan_delivered", ("plan_delivered", "first_plan_meeting", "contract_signed"),
                "preplan_days", "preplan_days_large", Text("设计预案", "the design pre-plan")),
    "plan": ("deposit_paid", "plan_delivered", ("contract_signed",), "plan_days", "plan_days_large",
             Text("设计方案", "the design plan")),
}


def design_deadlines(repo, step: str, customers=None):
    """Each customer's deadline for one design step (K601, K602 and `kehu todo`)."""
    start_key, done_key, later_keys, days_key, large_days_key, _ = DESIGN_STEPS[step]
    for customer in repo.of("customer") if customers is None else customers:
        milestones = customer.data.get("milestones") or {}
        start = local_date(milestones.get(start_key))
        if start is None:
            continue
        large = large_house(repo, customer)
        days = repo.policy[large_days_key if large else days_key]
        done = local_date(milestones.get(done_key))
        still_owed = customer.data.get("stage") not in LOST_STAGES and not any(milestones.get(k) for k in later_keys)
        yield DesignDeadline(customer, start, days, start + timedelta(days=days), done, large, done is None and still_owed)


def _milestone_hits(repo, step: str):
    start_key, done_key, *_, what = DESIGN_STEPS[step]
    large_house_text = Text(f"（{'/'.join(['大户型', *repo.policy['large_house_types']])}）", " (large house)")
    for d in design_deadlines(repo, step):
        start, days, deadline, done, customer = d.start, d.days, d.due, d.done, d.customer
        size = large_house_text if d.large else Text("", "")
        if done is not None:
            if done > deadline:
                yield Hit(Text(f"{what.zh}应在 {start} 后 {days} 天内{size.zh}交付，实际 {done}，晚了 {(done - deadline).days} 天",
                               f"{what.en} was due {days} days after {start}{size.en}; delivered {done}, "
                               f"{(done - deadline).days} days late"),
                          record=customer, path=("milestones", done_key), done_late=True)
        elif d.open and repo.today > deadline:
            yield Hit(Text(f"{what.zh}应在 {start} 后 {days} 天内{size.zh}交付，至今未交付，已超期 {(repo.today - deadline).days} 天",
                           f"{what.en} was due {days} days after {start}{size.en} and is not delivered: "
                           f"{(repo.today - deadline).days} days overdue"),
                      record=customer, path=("milestones", start_key))


@rule("K601", "preplan-late", "warning", "设计预案未按时交付", "design pre-plan not delivered in time")
def preplan_late(repo):
    """
    ## 它检查什么
    `milestones.first_consult`（首次咨询）后 `preplan_days`（默认 7）天内要有
    `preplan_delivered`；大户型（面积 ≥ `large_house_sqm`，默认 200 ㎡，或类型在
    `large_house_types`：复式、别墅）放宽到 `preplan_days_large`（默认 10）天。
    已有方案或签约日期、或已流失的客户不再提示“未交付”。

    ## 为什么
    首次咨询后 5–7 天提交设计预案，别墅、复式和 200 ㎡以上 7–10 天；超过 10 天既无预案
    又无联系属服务失职。

    ## 出处
    003 装修流程（咨询阶段、设计预案时限）

    ## 错误示例
    普通住宅 96 ㎡，3 月 1 日首次咨询，3 月 12 日仍无预案。

    ## 正确示例
    别墅 260 ㎡，3 月 1 日首次咨询，3 月 10 日交付预案（大户型 10 天内）。
    """
    return _milestone_hits(repo, "preplan")


@rule("K602", "plan-late", "warning", "交定金后设计方案未按时交付", "design plan not delivered in time after the deposit")
def plan_late(repo):
    """
    ## 它检查什么
    `milestones.deposit_paid`（交定金）后 `plan_days`（默认 7）天内要有
    `plan_delivered`；大户型 `plan_days_large`（默认 14）天。

    ## 为什么
    收取定金后一周内提交设计方案，大户型两周。

    ## 出处
    003 装修流程（设计阶段）

    ## 错误示例
    普通住宅，5 月 2 日交定金，5 月 11 日才交方案。

    ## 正确示例
    5 月 2 日交定金，5 月 8 日交方案。
    """
    return _milestone_hits(repo, "plan")


@rule("K603", "survey-missing", "error", "已签约但客户基本情况调查表缺失或不完整",
      "contract signed but the survey form is missing or incomplete")
def survey_missing(repo):
    """
    ## 它检查什么
    有签约（`milestones.contract_signed` 或 `contract.signed_at`）的客户，必须有
    `survey`（客户基本情况调查表），且政策 `survey_required` 列出的各项都已填写。

    ## 为什么
    设计师签约时须同时上交《客户基本情况调查表》，填写完整程度纳入设计师考核。

    ## 出处
    000 客户统计管理制度 一、二（签约时上交调查表，填写情况纳入考核）

    ## 错误示例
    ```yaml
    contract: {amount_wan: 32, signed_at: 2026-06-18}
    survey: {household_size: 3, filled_by: chenjing}   # 缺职业、年龄段……
    ```

    ## 正确示例
    `survey` 填齐 household_size、age_range、occupation、decision_maker、heard_from、
    priorities、filled_by、filled_at。
    """
    required = repo.policy["survey_required"]
    for customer in repo.of("customer"):
        data = customer.data
        signed = contract_signed(data)
        if not signed:
            continue
        survey = data.get("survey")
        if not survey:
            yield Hit(Text(f"{local_date(signed)} 已签约，但没有客户基本情况调查表（survey）",
                           f"contract signed on {local_date(signed)} but no survey form"),
                      record=customer, path=("contract",) if data.get("contract") else ("stage",))
            continue
        missing = unfilled_survey_fields(data, required)
        if missing:
            yield Hit(Text(f"调查表缺少：{'、'.join(missing)}", f"survey form lacks: {', '.join(missing)}"),
                      record=customer, path=("survey",))


def inspection_points(repo, customer) -> list[date]:
    """A building site's start and its inspections up to today, in order (K604, `kehu todo`);
    [] when the customer is not under construction."""
    if customer.data.get("stage") not in CONSTRUCTION_STAGES:
        return []
    inspections = sorted({when.date() for when, v in visits_by_customer(repo).get(customer.id, ())
                          if v.data.get("type") == INSPECTION_VISIT and when.date() <= repo.today})
    started = local_date((customer.data.get("milestones") or {}).get("construction_started"))
    return ([started] if started and (not inspections or started < inspections[0]) else []) + inspections


@rule("K604", "inspection-gap", "warning", "施工中工地巡检间隔过长", "site inspections too far apart during construction")
def inspection_gap(repo):
    """
    ## 它检查什么
    阶段为“施工”的客户，从 `milestones.construction_started` 到今天，相邻两次
    “工地巡检”记录的间隔不超过 `inspection_every_days`（默认 5）天（开工到第一次、
    最后一次到今天也算）。

    ## 为什么
    质保巡检制：每个工地每五天巡检一次。

    ## 出处
    003 施工阶段（质保巡检制）

    ## 错误示例
    10 月 3 日巡检后，下一次在 10 月 15 日（间隔 12 天）。

    ## 正确示例
    10 月 3 日、10 月 7 日、10 月 11 日……
    """
    every = repo.policy["inspection_every_days"]
    for customer in repo.of("customer"):
        points = inspection_points(repo, customer)
        if not points:
            continue
        points.append(repo.today)
        gaps = [(b - a).days for a, b in zip(points, points[1:])]
        worst = max(range(len(gaps)), key=lambda i: gaps[i])
        if gaps[worst] > every:
            long_gaps = sum(g > every for g in gaps)
            yield Hit(Text(f"工地巡检间隔最长 {gaps[worst]} 天（{points[worst]} 至 {points[worst + 1]}），"
                           f"应每 {every} 天一次；共 {long_gaps} 处超期",
                           f"longest gap between site inspections is {gaps[worst]} days ({points[worst]} to "
                           f"{points[worst + 1]}); one every {every} days is required; {long_gaps} gaps too long"),
                      record=customer, path=("stage",))


# stage -> the milestones it implies (K605): from the contract (the last sales stage) on, the
# milestone of every stage reached, up to the acceptance; an after-sales stage needs the work
# completed, not yet settled (结算 is settling underway). 流失 implies nothing.
_ORDER = list(STAGES)
_CONTRACT_AT = _ORDER.index(SALES_STAGES[-1])
STAGE_MILESTONES = {
    stage: tuple(STAGES[s][1] for s in _ORDER[_CONTRACT_AT:i + 1] if STAGES[s][1] and STAGES[s][0] != "after_sales")
    for i, stage in enumerate(_ORDER) if i >= _CONTRACT_AT and stage not in LOST_STAGES
}
NOT_EVENTS = ("warranty_until",)  # a milestone that is an end date, rightly in the future


@rule("K605", "stage-milestones", "error", "阶段与里程碑日期不一致", "the stage and the milestone dates disagree")
def stage_milestones(repo):
    """
    ## 它检查什么
    签约及以后的阶段要有对应的里程碑日期：签约要有 `contract_signed`（或 `contract.signed_at`），
    施工还要有 `construction_started`，验收、结算、保修还要有 `completed`。任何里程碑
    （`warranty_until` 保修截止日除外）都不能晚于今天。

    ## 为什么
    阶段决定了客户走哪条时钟（公海、巡检、售后回访），里程碑是这些时钟的起点；两者对不上，
    统计报表和各项期限都会算错。未来的日期是预计而不是已发生的事，不应写进里程碑。

    ## 出处
    003 装修流程（签定合同 → 施工 → 竣工验收 → 结算 → 保修）

    ## 错误示例
    ```yaml
    stage: 施工
    milestones: {contract_signed: 2026-09-01}   # 何时开工？
    ```

    ## 正确示例
    ```yaml
    stage: 施工
    milestones: {contract_signed: 2026-09-01, construction_started: 2026-09-20}
    ```
    """
    for customer in repo.of("customer"):
        data = customer.data
        milestones = data.get("milestones") or {}
        stage = data.get("stage")
        have = {**milestones, "contract_signed": contract_signed(data)}
        missing = [key for key in STAGE_MILESTONES.get(stage, ()) if not have.get(key)]
        if missing:
            yield Hit(Text(f"阶段是{stage}，但没有里程碑 {'、'.join(missing)}：请补上日期，或把阶段改回实际所处的阶段",
                           f"the stage is {stage} but milestones lack {', '.join(missing)}: add the dates or correct the stage"),
                      record=customer, path=("stage",))
        for key, value in milestones.items():
            when = local_date(value)
            if key not in NOT_EVENTS and when is not None and when > repo.today:
                yield Hit(Text(f"里程碑 {key} 是 {when}，晚于今天：只记已经发生的日期，预计日期写在备注里",
                               f"milestone {key} is {when}, after today: record only what has happened"),
                          record=customer, path=("milestones", key))


@rule("K606", "survey-form", "warning", "调查表不是设计师填写，或签约后超过 {survey_after_contract_days:天}才填",
      "the survey form is not by the designer, or filled too long after the contract")
def survey_form(repo):
    """
    ## 它检查什么
    有 `survey`（客户基本情况调查表）的客户：`survey.filled_by` 应是该客户的 `designer`；
    `survey.filled_at` 不晚于签约（`milestones.contract_signed`，或 `contract.signed_at`）后
    `survey_after_contract_days`（默认 3）天。

    ## 为什么
    调查表由设计师填写，以免客户误会；设计师交合同时同时交调查表，填写情况计入设计师考核。

    ## 出处
    000 客户资源统计规定 一、二、五.1（设计师交合同时交调查表；本表由设计师填写）

    ## 错误示例
    ```yaml
    designer: chenjing
    milestones: {contract_signed: 2026-06-18}
    survey: {filled_by: liuyang, filled_at: 2026-06-30, ...}
    ```

    ## 正确示例
    `survey: {filled_by: chenjing, filled_at: 2026-06-18, ...}`
    """
    days = repo.policy["survey_after_contract_days"]
    for customer in repo.of("customer"):
        data = customer.data
        survey = data.get("survey")
        if not isinstance(survey, dict):
            continue
        designer, filled_by = data.get("designer"), survey.get("filled_by")
        if designer and filled_by and filled_by != designer:
            yield Hit(Text(f"调查表由 {staff_label(repo, filled_by)} 填写，应由设计师 {staff_label(repo, designer)} 填写："
                           "请设计师核对后在 filled_by 署名",
                           f"the survey form was filled in by {filled_by}; the designer {designer} should fill it in"),
                      record=customer, path=("survey", "filled_by"))
        signed, filled = local_date(contract_signed(data)), local_date(survey.get("filled_at"))
        if signed is not None and filled is not None and (filled - signed).days > days:
            yield Hit(Text(f"{signed} 签约，调查表 {filled} 才填（晚了 {(filled - signed).days - days} 天，应在 {days} 天内）："
                           "设计师交合同时应同时交调查表",
                           f"contract signed {signed}, survey filled {filled}: {(filled - signed).days - days} days "
                           f"later than the {days} days allowed"),
                      record=customer, path=("survey", "filled_at"))


@rule("K607", "visit-unconfirmed", "warning", "咨询记录、量工地记录没有客户签字确认",
      "a consultation or measuring record lacks the customer's confirmation")
def visit_unconfirmed(repo):
    """
    ## 它检查什么
    类型为到店咨询（咨询记录）和量房（量工地记录）的跟进记录，要写 `customer_confirmed: true`
    （客户已签字确认）。

    ## 为什么
    每次咨询后的《咨询记录》和丈量工地的《量工地记录》都请客户签字，确认提出的要求已全部
    记录在案；日后对方案有争议时以此为据。

    ## 出处
    003 装修流程（咨询阶段：请客户务必在《咨询记录》上签字；设计阶段：量工地记录客户签字确认）

    ## 错误示例
    ```yaml
    type: 量房
    summary: 丈量工地，客户要求主卧加衣帽间
    ```

    ## 正确示例
    ```yaml
    type: 量房
    summary: 丈量工地，客户要求主卧加衣帽间
    customer_confirmed: true
    ```
    """
    types = joined(CONFIRMED_VISIT_TYPES)
    for visit in repo.of("visit"):
        kind = visit.data.get("type")
        if kind in CONFIRMED_VISIT_TYPES and visit.data.get("customer_confirmed") is not True:
            yield Hit(Text(f"{kind}记录没有客户签字确认（{types}记录须客户签字）：请客户确认后写 customer_confirmed: true",
                           f"this {kind} record lacks the customer's confirmation: write customer_confirmed: true once signed"),
                      record=visit,
                      path=("customer_confirmed",) if "customer_confirmed" in visit.data else ("type",))
