"""K405-K408: contacts the company owes a customer — the after-sales 回访, the promised next
contact, the leadership's monthly visit to A customers, the new owner's call after a hand-over."""

from __future__ import annotations

from datetime import date, timedelta

from kehu.domain import LOST_STAGES, POOL, joined
from kehu.facts import staff_role, visits_by_customer
from kehu.findings import Hit, Text
from kehu.rules.base import rule
from kehu.rules.k4_followup import whole_month_customers
from kehu.timeutil import local_date

CUSTOMER_SERVICE = "客服专员"
NOTICE_DAYS = 30  # an employee gives 30 days' notice (劳动合同法 第三十七条): hand-overs start then
PERIOD_NAMES = {7: ("1 周", "1-week"), 30: ("1 个月", "1-month"), 90: ("1 个季度", "1-quarter"), 365: ("1 年", "1-year")}


def owner_on(customer, day: date):
    """Who held the customer on `day`: the registrar, then each owner_history entry from its date."""
    holder = customer.data.get("registered_by")
    for entry in customer.data.get("owner_history") or []:
        start = local_date(entry.get("from"))
        if start is not None and start <= day:
            holder = entry.get("owner")
    return holder


def _period(days: int) -> Text:
    zh, en = PERIOD_NAMES.get(days, (f"{days} 天", f"{days}-day"))
    return Text(zh, en)


def aftersales_slots(repo, customer, completed: date):
    """(due day, the contact that filled it or None) per slot of the schedule; each contact
    fills the earliest open slot whose window holds it."""
    window = repo.policy["aftersales_window_days"]
    slots = {days: None for days in sorted(set(repo.policy["aftersales_schedule_days"]))}
    for when, visit in visits_by_customer(repo).get(customer.id, ()):
        day = when.date()
        staff = visit.data.get("staff")
        if staff != owner_on(customer, day) and staff_role(repo, staff) != CUSTOMER_SERVICE:
            continue
        for days, filled in slots.items():
            due = completed + timedelta(days=days)
            if filled is None and due <= day <= due + timedelta(days=window):
                slots[days] = day
                break
    return slots


@rule("K405", "aftersales-contact", "warning", "竣工后没有按期回访（第 {aftersales_schedule_days:天}）",
      "no after-sales contact on schedule (days {aftersales_schedule_days} after completion)")
def aftersales_contact(repo):
    """
    ## 它检查什么
    `milestones.completed`（竣工验收）之后第 `aftersales_schedule_days` 天（默认 7、30、90、365，
    即 1 周、1 个月、1 个季度、1 年），各要有一次客户经理本人（当时的归属人）或客服专员
    的联系（任何一条回访记录），在那天起 `aftersales_window_days`（默认 7）天内。一次联系
    只算一次，算给窗口里最早还空着的那一次；窗口过完还没有联系才报。
    K403 不管售后阶段（结算、保修）的每月回访：售后客户由本规则按这个日程管。

    ## 为什么
    定期售后服务让客户感到被关心，也能及早发现质量问题、带来转介绍。

    ## 出处
    001 客户资源（暂行）管理办法 3.2.2（提供定期售后服务：1 周、1 月、1 季度、1 年）

    ## 错误示例
    2026-06-01 竣工，6-08 客服回访过，7-01 至 7-08 之间没有任何联系（1 个月回访漏了）。

    ## 正确示例
    2026-07-03 客服专员周慧电话回访：“厨房水槽不渗水了，客户很满意”。
    """
    window = repo.policy["aftersales_window_days"]
    for customer in repo.of("customer"):
        completed = local_date((customer.data.get("milestones") or {}).get("completed"))
        if completed is None:
            continue
        for days, filled in aftersales_slots(repo, customer, completed).items():
            due = completed + timedelta(days=days)
            last = due + timedelta(days=window)
            if filled is None and repo.today > last:
                name = _period(days)
                yield Hit(Text(
                    f"{completed} 竣工，{name.zh}回访应在 {due} 至 {last} 之间，没有客户经理或客服专员的联系记录；"
                    f"请补一次回访并记录",
                    f"completed on {completed}: the {name.en} after-sales contact was due {due} to {last}; "
                    f"none by the owner or customer service is recorded"),
                    record=customer, path=("milestones", "completed"))


@rule("K406", "next-contact-missed", "warning", "约定的下次联系日期已过，没有联系",
      "the agreed next contact date passed without a contact")
def next_contact_missed(repo):
    """
    ## 它检查什么
    回访记录写了 `next_contact`（约定的下次联系日期），这一天已过（早于今天），却没有
    任何一条这位客户的回访记录在那天或之后。公海客户和流失客户不计。

    ## 为什么
    和客户约好的联系要兑现；失约会让客户觉得不被重视。

    ## 出处
    001 客户资源（暂行）管理办法（每次联系完客户都须填写客户维护表，按约定跟进）；
    003 客户经理岗位职责（按计划跟进客户）

    ## 错误示例
    11-03 的电话记录写着 `next_contact: 2026-11-10`，到 11-20 还没有新的回访记录。

    ## 正确示例
    11-10 当天打电话并记录；或在约定日前联系，再约下一次。
    """
    visits = visits_by_customer(repo)
    customers = repo.ids("customer")
    for customer_id, seen in visits.items():
        customer = customers.get(customer_id)
        if customer is None or customer.data.get("owner") == POOL or customer.data.get("stage") in LOST_STAGES:
            continue
        last_contact = max(when.date() for when, _ in seen)
        for _, visit in seen:
            promised = local_date(visit.data.get("next_contact"))
            if promised is None or promised >= repo.today or last_contact >= promised:
                continue
            late = (repo.today - promised).days
            yield Hit(Text(f"约定 {promised} 再联系客户，已过 {late} 天，此后没有任何回访记录；请尽快联系并记录",
                           f"the next contact was agreed for {promised}, {late} days ago; no visit recorded since"),
                      record=visit, path=("next_contact",))


@rule("K407", "leadership-visit", "warning", "A 类客户上个月没有公司领导走访",
      "no visit by the company's leadership to an A customer last month")
def leadership_visit(repo):
    """
    ## 它检查什么
    A 级客户在上一个完整自然月里，要有至少一次由公司领导（政策 `leadership_roles`，默认
    店面经理、市场总监、总经理）做的回访。只看整月都在跟进的客户：当月开始前已登记、
    不在公海、不在售后或流失阶段、当月开始前已归现在的客户经理（分级的变化没有记录，
    按现在的分级算）。

    ## 为什么
    A 类是公司最重要的客户，由公司领导亲自维护关系。

    ## 出处
    001 客户资源（暂行）管理办法 3.1.1（A 类客户原则上由公司领导每月至少走访 1–2 次）

    ## 错误示例
    A 级别墅客户 10 月只有客户经理的两次电话。

    ## 正确示例
    10 月市场总监孙敏上门拜访一次，记为 `staff: sunmin` 的回访记录。
    """
    roles = repo.policy["leadership_roles"]
    visits = visits_by_customer(repo)
    for customer, start, end in whole_month_customers(repo):
        if customer.data.get("grade") != "A":
            continue
        if any(start <= when.date() <= end and staff_role(repo, v.data.get("staff")) in roles
               for when, v in visits.get(customer.id, ())):
            continue
        yield Hit(Text(f"A 级客户 {start.year} 年 {start.month} 月没有公司领导（{joined(roles)}）的走访记录；"
                       f"请安排领导拜访并记录",
                       f"grade A customer: no visit by the leadership ({joined(roles, 'en')}) in {start:%Y-%m}"),
                  record=customer, path=("grade",))


def handovers(repo, customer):
    """(index in owner_history, leaver, new owner, date) per reassignment away from a staff
    member who has left, dated at most NOTICE_DAYS before their leaving day or later (any date
    if it is unknown)."""
    staff = repo.ids("staff")
    holder = customer.data.get("registered_by")
    for index, entry in enumerate(customer.data.get("owner_history") or []):
        new, day = entry.get("owner"), local_date(entry.get("from"))
        member = staff.get(holder)
        if member is not None and member.data.get("active") is False and new not in (POOL, holder) and day:
            left = local_date(member.data.get("left"))
            if left is None or day >= left - timedelta(days=NOTICE_DAYS):
                yield index, holder, new, day
        holder = new


@rule("K408", "handover-contact", "warning", "离职交接后新客户经理没有在 {handover_contact_days:天}内联系客户",
      "the new owner did not contact the customer within {handover_contact_days:day} of a hand-over")
def handover_contact(repo):
    """
    ## 它检查什么
    客户经理离职（员工记录 `active: false`，`left` 离职日期）后，他的客户在 `owner_history`
    里重新分配给新客户经理（离职前 30 天的提前通知期内或离职之后的那一条），新客户经理须在分配后
    `handover_contact_days`（默认 7）天内联系客户一次（一条他本人的回访记录，当天也算），
    告诉客户以后由他负责。

    ## 为什么
    员工离职时由公司通知客户，并指派其他员工迅速与客户建立联系，客户才不会流失。

    ## 出处
    002 客户管理制度14（负责与客户联系的员工调离时，应及时通知客户，指派其他员工迅速
    与客户建立联系）；002 客户管理制度1（离职时向接办人员交接清楚）

    ## 错误示例
    徐磊 10-31 离职，客户 11-01 分配给王丽，到 11-20 王丽还没有联系过客户。

    ## 正确示例
    11-03 王丽打电话：“我是新的客户经理王丽，之前的方案我都看过了，周末方便到店吗？”
    """
    days = repo.policy["handover_contact_days"]
    visits = visits_by_customer(repo)
    for customer in repo.of("customer"):
        for index, leaver, new, day in handovers(repo, customer):
            deadline = day + timedelta(days=days)
            if repo.today <= deadline:
                continue
            contacts = [when.date() for when, v in visits.get(customer.id, ())
                        if v.data.get("staff") == new and when.date() >= day]
            if contacts and contacts[0] <= deadline:
                continue
            late = Text(f"（{contacts[0]} 才联系，晚了 {(contacts[0] - deadline).days} 天）",
                        f" (first contact on {contacts[0]}, {(contacts[0] - deadline).days} days late)") if contacts else Text(
                "，至今没有联系记录；请尽快联系客户，告知更换客户经理", "; none recorded yet")
            yield Hit(Text(f"{leaver} 离职后客户于 {day} 分配给 {new}，应在 {days} 天内联系客户{late.zh}",
                           f"reassigned from {leaver}, who left, to {new} on {day}: a contact was due within "
                           f"{days} days{late.en}"),
                      record=customer, path=("owner_history", index), done_late=bool(contacts))
