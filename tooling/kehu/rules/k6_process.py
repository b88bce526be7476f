"""K6xx: the decoration process — pre-plan, plan, survey form, site inspections."""

from __future__ import annotations

from datetime import timedelta

from kehu.domain import CONSTRUCTION_STAGES, INSPECTION_VISIT, LOST_STAGES, contract_signed, unfilled_survey_fields
from kehu.facts import large_house, visits_by_customer
from kehu.findings import Hit, Text
from kehu.rules.base import rule
from kehu.timeutil import local_date


def _milestone_hits(repo, start_key, done_key, later_keys, days_key, large_days_key, what: Text):
    large_house_text = Text(f"（{'/'.join(['大户型', *repo.policy['large_house_types']])}）", " (large house)")
    for customer in repo.of("customer"):
        milestones = customer.data.get("milestones") or {}
        start = local_date(milestones.get(start_key))
        if start is None:
            continue
        large = large_house(repo, customer)
        days = repo.policy[large_days_key if large else days_key]
        deadline = start + timedelta(days=days)
        done = local_date(milestones.get(done_key))
        size = large_house_text if large else Text("", "")
        if done is not None:
            if done > deadline:
                yield Hit(Text(f"{what.zh}应在 {start} 后 {days} 天内{size.zh}交付，实际 {done}，晚了 {(done - deadline).days} 天",
                               f"{what.en} was due {days} days after {start}{size.en}; delivered {done}, "
                               f"{(done - deadline).days} days late"),
                          record=customer, path=("milestones", done_key), done_late=True)
        elif (repo.today > deadline and customer.data.get("stage") not in LOST_STAGES
              and not any(milestones.get(k) for k in later_keys)):
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
    return _milestone_hits(repo, "first_consult", "preplan_delivered",
                           ("plan_delivered", "first_plan_meeting", "contract_signed"),
                           "preplan_days", "preplan_days_large", Text("设计预案", "the design pre-plan"))


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
    return _milestone_hits(repo, "deposit_paid", "plan_delivered", ("contract_signed",),
                           "plan_days", "plan_days_large", Text("设计方案", "the design plan"))


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
    visits = visits_by_customer(repo)
    for customer in repo.of("customer"):
        if customer.data.get("stage") not in CONSTRUCTION_STAGES:
            continue
        inspections = sorted({when.date() for when, v in visits.get(customer.id, ())
                              if v.data.get("type") == INSPECTION_VISIT and when.date() <= repo.today})
        started = local_date((customer.data.get("milestones") or {}).get("construction_started"))
        points = ([started] if started and (not inspections or started < inspections[0]) else []) + inspections
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
