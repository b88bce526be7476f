"""K4xx: following customers up — the 公海 clock, visits per grade, the 回访 after a plan."""

from __future__ import annotations

from datetime import date, timedelta

from kehu.domain import FOLLOWUP_VISIT, MONTHLY_VISIT_EXEMPT_STAGES, POOL, joined, previous_month
from kehu.facts import assignment_date, per_grade, reclaim_clock, visits_by_customer
from kehu.findings import Hit, Text
from kehu.rules.base import rule
from kehu.timeutil import local_date


def _last(clock) -> Text:
    if clock.last_action is None:
        return Text("从未有过客户经理本人的销售跟进", "no sales action by the owner ever")
    return Text(f"最后一次本人销售跟进在 {clock.last_action}", f"last sales action by the owner on {clock.last_action}")


def whole_month_customers(repo, month: tuple[date, date] | None = None):
    """(customer, first and last day of the month) for the customers followed up all of a
    month (by default the last one) by their current owner: registered by then, not in the
    pool, not after-sales or lost, and held by the current owner since the month began
    (K403, K407; `kehu todo` asks about the month under way)."""
    start, end = month or previous_month(repo.today)
    for customer in repo.of("customer"):
        data = customer.data
        registered = local_date(data.get("registered_at"))
        assigned = assignment_date(customer)
        if (data.get("owner") == POOL or data.get("stage") in MONTHLY_VISIT_EXEMPT_STAGES
                or registered is None or registered > start or (assigned is not None and assigned > start)):
            continue
        yield customer, start, end


@rule("K401", "reclaimable", "warning", "公海：{reclaim_after_days:天}无销售动作，可收回",
      "公海: no sales action for {reclaim_after_days:day}, reclaimable")
def reclaimable(repo):
    """
    ## 它检查什么
    客户经理本人（`owner`）的销售跟进（计为销售动作的回访；满意度调查不算，别人的回访
    也不算）距今超过 `reclaim_after_days` 天（默认 60，可按分级设，如
    {A: 90, B: 60, C: 45, D: 30}），从“最后一次本人跟进”和“分配给他的日期”中较晚者算起。
    施工至保修阶段、流失客户、`locked: true` 的重点客户不计。

    ## 为什么
    客户资源要有人服务；长期不跟进的客户由市场总监收回公海、改派他人。

    ## 出处
    001 客户资源的调配 3（两个月未产生任何销售动作，市场总监有权收回）；
    002 客户管理制度 5（三个月服务不到位可转给他人）

    ## 错误示例
    B 级客户，客户经理最后一次跟进在 63 天前（设计师上周去过也不算）。

    ## 正确示例
    客户经理本人每两个月内至少有一次电话、上门或到店跟进，并记录在 visits/ 里。
    """
    assigners = joined(repo.policy["assigner_roles"])
    for clock in reclaim_clock(repo).values():
        if clock.days >= clock.limit:
            over = clock.days - clock.limit
            yield Hit(Text(
                f"已 {clock.days} 天无销售跟进，超出 {clock.limit} 天（逾期 {over} 天）；{_last(clock).zh}，"
                f"可由{assigners}收回公海",
                f"{clock.days} days without a sales action, over the {clock.limit}-day limit ({over} days overdue); "
                f"{_last(clock).en}; an assigner may take it back into the pool"),
                record=clock.customer, path=("owner",))


@rule("K402", "reclaim-soon", "warning", "公海：即将到期，快去跟进", "公海: the reclaim deadline is near")
def reclaim_soon(repo):
    """
    ## 它检查什么
    离 K401 的收回期限只剩 `reclaim_warning_days`（默认 7）天以内的客户。

    ## 为什么
    提前提醒，客户经理还来得及跟进，客户不必进公海。

    ## 出处
    001 客户资源的调配 3

    ## 错误示例
    B 级客户已 55 天无本人跟进：还剩 5 天。

    ## 正确示例
    这周内打个电话或约客户到店，并写一条回访记录。
    """
    warning = repo.policy["reclaim_warning_days"]
    for clock in reclaim_clock(repo).values():
        if 0 < clock.days_left <= warning:
            yield Hit(Text(
                f"还剩 {clock.days_left} 天就满 {clock.limit} 天无销售跟进（{_last(clock).zh}）：请尽快跟进",
                f"{clock.days_left} days left before {clock.limit} days without a sales action ({_last(clock).en})"),
                record=clock.customer, path=("owner",))


@rule("K403", "visits-per-month", "warning", "上个月回访次数少于分级要求", "fewer visits last month than the grade requires")
def visits_per_month(repo):
    """
    ## 它检查什么
    上一个完整自然月里，每位客户的回访次数不少于政策 `visits_per_month` 按分级的要求
    （默认 A ≥ 1、B ≥ 1、C ≥ 2、D 不要求）。只看整月都由现在的客户经理跟进的客户：当月开始前
    已登记、当月开始前已分配给现在的客户经理（在公海里的月份、从公海分出来的那个月不算；
    离职交接后的联系由 K408 管）；公海、流失客户不计；售后（结算、保修）客户也不计，
    由 K405 按竣工后 1 周 / 1 月 / 1 季 / 1 年的日程检查回访。

    ## 为什么
    分级管理：A 类由公司领导每月走访 1–2 次，B 类部门经理每月 1–2 次，C 类员工每月 2–4 次。

    ## 出处
    001 客户资源（暂行）管理办法（客户分级与走访频次）

    ## 错误示例
    C 级客户 10 月只有 1 次回访。

    ## 正确示例
    C 级客户 10 月有 2 次电话或上门回访记录。
    """
    required_by_grade = repo.policy["visits_per_month"]
    visits = visits_by_customer(repo)
    for customer, start, end in whole_month_customers(repo):
        data = customer.data
        required = per_grade(required_by_grade, data.get("grade")) or 0
        if not required:
            continue
        count = sum(1 for when, _ in visits.get(customer.id, ()) if start <= when.date() <= end)
        if count < required:
            month = f"{start.year} 年 {start.month} 月"
            yield Hit(Text(f"{data.get('grade')} 级客户 {month}只有 {count} 次回访，至少应有 {required} 次",
                           f"grade {data.get('grade')} customer had {count} visits in {start:%Y-%m}; "
                           f"at least {required} required"),
                      record=customer, path=("grade",))


@rule("K404", "post-plan-followup", "warning", "首次方案沟通后没有及时回访", "no 回访 soon after the first plan meeting")
def post_plan_followup(repo):
    """
    ## 它检查什么
    `milestones.first_plan_meeting`（首次方案沟通）之后 `post_plan_followup_days`
    （默认 3）天内，要有一条类型为“回访”的记录（当天也算）。

    ## 为什么
    首次方案沟通后，客户经理须对客户进行回访，了解客户对方案的意见。

    ## 出处
    003 客户经理岗位职责（首次方案沟通后须回访）

    ## 错误示例
    2026-11-05 首次方案沟通，至 11-20 没有回访记录。

    ## 正确示例
    2026-11-07 一条 `type: 回访` 的记录：“客户对平面布局满意，希望厨房改开放式”。
    """
    days = repo.policy["post_plan_followup_days"]
    visits = visits_by_customer(repo)
    for customer in repo.of("customer"):
        meeting = local_date((customer.data.get("milestones") or {}).get("first_plan_meeting"))
        if meeting is None:
            continue
        deadline = meeting + timedelta(days=days)
        if repo.today <= deadline:
            continue
        followups = [when.date() for when, v in visits.get(customer.id, ())
                     if v.data.get("type") == FOLLOWUP_VISIT and when.date() >= meeting]
        if followups and followups[0] <= deadline:
            continue
        late = Text(f"（{followups[0]} 才回访，晚了 {(followups[0] - deadline).days} 天）",
                    f" (the 回访 came on {followups[0]}, {(followups[0] - deadline).days} days late)") if followups else Text(
            "，至今没有回访记录", "; none recorded since")
        yield Hit(Text(f"{meeting} 首次方案沟通后 {days} 天内应回访{late.zh}",
                       f"a 回访 was due within {days} days of the first plan meeting on {meeting}{late.en}"),
                  record=customer, path=("milestones", "first_plan_meeting"), done_late=bool(followups))
