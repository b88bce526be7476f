"""The rule-violation stories of the demo (SPEC §4), each on named records.

Every builder below changes or adds records and tells their stories (demo.stories.Builder);
the same list becomes the table in docs/demo.md, so the documentation cannot drift from the data. A story
with fires=False shows the satisfied side of a rule (an exemption, a deadline just met).
"""

from __future__ import annotations

from datetime import date, datetime, time

from demo import tables as D
from demo.baseline import WANG_FANG_PHONE
from demo.complaints import new_complaint
from demo.customers import complete, realize, schedule
from demo.model import Appeal, Customer, Disposal
from demo.policy import RECLAIM_AFTER, VISITS_PER_MONTH
from demo.stories import Builder, Story
from demo.workdays import add_workdays, is_workday
from demo.world import DAY, WANG_FANG, World


def files(b: Builder) -> None:
    w, T = b.w, b.T
    # K001: broken YAML
    c = b.customer(-3, "zhoujie", "C", hour=15)
    c.no_refs = c.frozen = True
    b.plan(c, first_consult=-3)
    realize(w, c)
    c.notes = "客户周末再来看样板间"
    c.text_hook = lambda s: s.replace("notes: 客户周末再来看样板间", "notes: '客户周末再来看样板间，想要原木色")
    b.tell("K001", [c], "周杰手工编辑客户 {0} 的备注时只写了左引号，文件从那一行起不再是有效的 YAML")
    # K002: phones twice
    c = b.customer(-2, "lina", "B")
    c.frozen = True
    b.plan(c, first_consult=-2)
    complete(w, c)
    new = w.phone()
    c.extra_lines = ["phones:", f"  - '{new}'"]
    b.tell("K002", [c], "客户 {0} 换了新号码，李娜在文件末尾又写了一个 phones，而不是加进原来的列表；"
           "YAML 会悄悄只保留后一个")
    # K003: GBK
    c = b.customer(-1, "wujing", "C", hour=16)
    c.no_refs = c.frozen = True
    b.plan(c, first_consult=-1)
    realize(w, c)
    c.encoding = "gbk"
    b.tell("K003", [c], "吴静用 WPS 从旧的 Excel 客户登记表导出客户 {0}，文件存成了 GBK 编码；内容本身没有问题")
    # K004: a visit in the wrong month folder; a customer file whose name differs from its id
    month_start = T.replace(day=1)
    last_day = month_start - DAY
    c = b.pick(lambda c: b.active(c) and c.reg_dt.date() < last_day.replace(day=1)
               and c.owner_at(last_day) == c.owner_at(T) and c.stage != "签约", 11) or \
        b.pick(lambda c: c.stage in ("保修", "结算", "验收") and c.owner_at(last_day) == c.owner_at(T), 11)
    if c:
        v = w.visit(c, datetime.combine(last_day, time(21, 40)), c.owner_at(last_day), "电话",
                    "晚上客户来电，约下周到店看材料样板" if b.active(c) else "晚上客户来电，反映卫生间门吸松动，已约维修")
        v.folder = f"{month_start.year:04d}/{month_start.month:02d}"
        b.tell("K004", [v], f"{last_day.month} 月 {last_day.day} 日晚上的电话记录被放进了 "
               f"{month_start.month} 月的文件夹（visits/{month_start.year}/{month_start.month:02d}/）")
    c = b.pick(lambda c: c.stage in ("保修", "流失"), 12)
    if c:
        b.hooks.append(lambda c=c: setattr(c, "file_name", c.id.lower()))
        b.tell("K004", [c], "客户 {0} 的文件名被写成了小写（c….yaml），与编号不一致")


def schema(b: Builder) -> None:
    w = b.w
    c = b.pick(lambda c: c.stage in ("保修", "结算"), 21)
    if c:
        w.used_phones.add("13800138000")
        c.phones[0] = "13800138000"
        c.raw_phones = {0}
        b.tell("K101", [c], "客户 {0} 的电话从 Excel 粘贴过来没加引号，YAML 把 13800138000 读成了整数")
    c = b.pick(lambda c: c.stage == "流失", 22)
    if c:
        c.raw_fields["grade"] = "E"
        b.tell("K101", [c], "录入员把“待评估”记成了 grade: E（分级只有 A–D）")
    c = b.pick(lambda c: c.wechat is None and c.stage in ("保修", "施工", "流失"), 23)
    if c:
        c.wechat = "no"
        c.raw_fields["wechat"] = "no"
        b.tell("K101", [c], "客户 {0} 没有微信，录入员写了 wechat: no，YAML 把它读成了布尔值 false（应加引号或不写）")


def references(b: Builder) -> None:
    """K201-K202: a staff id and a customer id mistyped, one visit id used twice."""
    w, T = b.w, b.T
    c = b.pick(lambda c: b.active(c) and c.owner_at(T) == "liuyang" and c.reg_dt.date() < b.d(-10), 31)
    if c:
        v = w.visit(c, w.at(b.d(-6)), "liuyng", "电话", "电话跟进，客户下周出差回来再约到店")
        b.tell("K201", [v], "刘洋手输跟进人时把 liuyang 打成了 liuyng（员工不存在）")
    c = b.pick(lambda c: b.active(c) and c.reg_dt.year == T.year, 32)
    if c:
        v = w.visit(c, w.at(b.d(-4)), c.owner_at(b.d(-4)), "微信", "微信发送瓷砖样品图片，客户选了两款")
        v.sales = None

        def typo(v=v, c=c):
            ids = {x.id for x in w.customers}
            head, digits = c.id.split("-")
            candidates = [digits[:-2] + digits[-1] + digits[-2], digits[:-3] + digits[-2] + digits[-3] + digits[-1],
                          str(int(digits) + 5000).zfill(len(digits))]
            for cand in candidates:
                if f"{head}-{cand}" not in ids:
                    v.customer_id = f"{head}-{cand}"
                    return
        b.hooks.append(typo)
        b.tell("K201", [v], also=[lambda v=v: v.customer_id, c], story=
               "跟进记录 {0} 的客户编号两位数字颠倒，写成了不存在的 {1}（应为 {2}）")
    # K202: the same visit id in two month folders
    m1 = (T.replace(day=1) - DAY * 220).replace(day=1)
    m2 = (m1 + DAY * 32).replace(day=1)
    if m1.year == m2.year:
        def dup(m1=m1, m2=m2):
            a = next((v for c in w.customers for v in c.visits
                      if v.at.year == m1.year and v.at.month == m1.month and v.id and not c.frozen), None)
            bv = next((v for c in w.customers for v in c.visits
                       if v.at.year == m2.year and v.at.month == m2.month and v.id and not c.frozen
                       and (a is None or v.customer is not a.customer)), None)
            if a and bv:
                story.records[:] = [a, bv]
                bv.id = a.id
        story = Story("K202", [], f"{m2.month} 月补录跟进记录 {{1}} 时复制了 {m1.month} 月的旧文件作模板，忘了改编号："
                      f"同一编号同时出现在 visits/{m1.year}/{m1.month:02d}/ 和 visits/{m2.year}/{m2.month:02d}/")
        b.hooks.append(dup)
        b.stories.append(story)


def leaver(b: Builder) -> None:
    """K203: the leaver still owns three customers and one open complaint."""
    w = b.w
    left = w.leaver_left
    mine = []

    def handed_over(c):
        return (c.registered_by == D.LEAVER and len(c.owner_history) == 1
                and c.owner_history[-1][0] != "pool" and c.owner_history[-1][1] == left)
    for stages in (("咨询", "量房", "方案", "报价", "签约", "施工"), ("验收", "结算", "保修")):
        for i in range(3 - len(mine)):
            c = b.pick(lambda c, stages=stages: handed_over(c) and c.stage in stages, 40 + i)
            if c:
                c.owner_history.pop()
                mine.append(c)
    if mine:
        b.tell("K203", mine, "徐磊 " + f"{left.month}-{left.day:02d}" + " 离职，市场总监还没来得及分配他名下的这几位客户"
               "（其余客户已在离职当天重新分配）")
        c = mine[0]
        day = left - DAY
        while not is_workday(day):
            day -= DAY
        t = new_complaint(w, c, datetime.combine(day, time(14, 10)), "服务效率")
        t.description = "客户点名要求原客户经理徐磊跟进橱柜返厂的事，等了两天没有进展"
        t.against = ("市场拓展部", D.LEAVER)
        t.handler = D.LEAVER
        t.investigation_started_at = datetime.combine(day, time(15, 0))
        t.replied_at = datetime.combine(left, time(10, 30))
        t.status = "已答复"
        b.tell("K203", [t], "客户点名由徐磊处理的投诉 {0}，他离职时还没解决，也没有移交给客服")
    fine = b.pick(lambda c: c.registered_by == D.LEAVER and c.owner_history
                  and c.owner_history[-1][1] == left and c.owner_history[-1][0] != "pool", 45)
    if fine:
        b.used.discard(fine.serial)
        b.tell("K203", [fine], "对照：徐磊的其他客户已由市场总监在离职当天重新分配并记入 owner_history，不报", fires=False)


def ownership(b: Builder) -> None:
    w, T = b.w, b.T
    wang = next((c for c in w.customers if c.name == WANG_FANG and WANG_FANG_PHONE in c.phones), None)
    if wang:
        c = b.customer(-66, "zhangwei", "B", hour=14,
                       community=D.community("万科城市花园"), house_type="普通", area=96)
        c.name, c.gender = "李建国", "男"
        c.address = wang.address
        c.phones = ["+86 139-1605-2231"]
        c.channel, c.referrer, c.intermediary = "到店", None, None
        schedule(w, c, outcome="plan", pause=0)
        c.lost = None
        c.plan.pop("quoted", None)
        complete(w, c)
        b.tell("K301", [c], also=[wang], story="王芳（{1}，刘洋 2025-03-04 登记）的丈夫李建国到店，张伟用同一个号码（写成 +86 139-1605-2231）"
               "又登记了一次 {0}：撞单，客户应归先登记的刘洋")
    # K303: owner changed without the director
    c = b.customer(-80, "zhangwei", "B")
    schedule(w, c, outcome="sign", pause=0)
    w.reassign(c, b.d(-40), "lina", "")
    c.hidden_history = True
    complete(w, c)
    b.tell("K303", [c], "张伟把客户 {0} 私下转给李娜，直接改了 owner，没有市场总监的分配记录（owner_history 为空）")
    c = b.customer(-75, "wujing", "C")
    schedule(w, c, outcome="sign", pause=0)
    w.reassign(c, b.d(-30), "zhoujie", "同事之间调换客户", by="wujing")
    complete(w, c)
    b.tell("K303", [c], "吴静自己在 owner_history 里写了一条把客户 {0} 转给周杰（by: wujing），但只有市场总监有分配权")
    fine = b.pick(lambda c: len(c.owner_history) == 1 and c.owner_history[0][2] == D.DIRECTOR
                  and c.owner_history[0][0] not in ("pool",) and c.owner_history[0][1] < w.leaver_left, 51)
    if fine:
        b.tell("K303", [fine], "对照：市场总监按规定重新分配的客户 {0}，owner_history 记录完整，不报", fires=False)
    # K304: released from liuyang and handed back to him ten days later
    c = b.customer(-200, "liuyang", "B")
    c.frozen = True
    b.plan(c, first_consult=-200, preplan_delivered=-195, deposit_paid=-185, site_measured=-183,
           plan_delivered=-179, first_plan_meeting=-178, quoted=-160)
    c.silent_from = b.d(-93)
    w.reassign(c, b.d(-31), "pool", D.RECLAIM_REASON.format(days=RECLAIM_AFTER[c.grade]))
    w.reassign(c, b.d(-21), "liuyang", "客户经理刘洋申请重新领回")
    complete(w, c)
    b.owner_visit(c, -93, "电话跟进，客户说报价还要再和家人商量")
    b.owner_visit(c, -21, "重新领回客户后首次联系，客户仍有装修意向，约下周看样板间")
    b.owner_visit(c, -8, "客户到店看了新的样板间，对报价调整后的方案比较满意", "到店咨询", confirmed=True)
    b.tell("K304", [c], f"刘洋两个多月没跟进客户 {{0}}，市场总监 {b.d(-31).month}-{b.d(-31).day:02d} 把它收回公海；"
           f"10 天后又分回给刘洋（冷却期 30 天内）：等于放出去再抢回来")
    pooled = [x for x in w.customers if x.owner_at(T) == "pool" and not x.frozen][:3]
    if pooled:
        b.tell("K401", pooled, "对照：已由市场总监收回公海（owner: pool）的客户，不再计算归属天数", fires=False)


def silent_owners(b: Builder) -> None:
    """K401: owners who stopped following up, and the customers exempt from it."""
    w = b.w
    # K401 (B): the owner's last sales action 64 days ago
    c = b.customer(-150, "wujing", "B")
    c.frozen = True
    b.plan(c, first_consult=-150, preplan_delivered=-146, deposit_paid=-120, site_measured=-118,
           plan_delivered=-113, first_plan_meeting=-112)
    c.silent_from = b.d(-64)
    complete(w, c)
    b.owner_visit(c, -64, "电话跟进，客户说方案还要再考虑，等国庆后再说")
    b.tell("K401", [c], "B 级客户 {0}（方案阶段），吴静 " + _md(b.d(-64)) + " 之后再没跟进，已超过 60 天：可收回公海")
    # K401 (C): 46 days
    c = b.customer(-120, "zhoujie", "C")
    c.frozen = True
    b.plan(c, first_consult=-120, preplan_delivered=-115, deposit_paid=-100, site_measured=-98,
           plan_delivered=-94, first_plan_meeting=-93, quoted=-80)
    c.silent_from = b.d(-56)
    complete(w, c)
    b.owner_visit(c, -49, "假期微信问候，客户说节后再谈报价", "微信")
    b.owner_visit(c, -46, "电话跟进报价，客户还在比较两家公司")
    b.tell("K401", [c], "C 级客户 {0}（报价阶段），周杰 " + _md(b.d(-46)) + " 之后没再联系，已超过 45 天")
    # K401: designer keeps in touch, the owner does not
    c = b.customer(-100, "lina", "B")
    c.frozen = True
    b.plan(c, first_consult=-100, preplan_delivered=-95, deposit_paid=-86, site_measured=-84,
           plan_delivered=-80, first_plan_meeting=-75)
    c.silent_from = b.d(-70)
    complete(w, c)
    b.owner_visit(c, -70, "电话跟进，客户要求设计师再改一版厨房")
    w.visit(c, w.at(b.d(-36)), c.designer, "微信", "把修改后的厨房方案发给客户")
    w.visit(c, w.at(b.d(-4)), c.designer, "方案沟通", "到店讲解第三版方案，客户基本满意")
    b.tell("K401", [c], "客户 {0} 最近只有设计师在联系，归属人李娜 70 天没有销售跟进：设计师的跟进不算归属人的销售行为，照样可收回")
    # exempt: under construction, the owner silent for 60 days
    c = b.customer(-130, "zhangwei", "C")
    c.frozen = True
    b.plan(c, first_consult=-130, preplan_delivered=-125, deposit_paid=-118, site_measured=-116,
           plan_delivered=-112, first_plan_meeting=-111, quoted=-100, contract_signed=-88,
           construction_started=-60, completed=40)
    c.inspectors = (D.QC, D.QC, c.designer)
    complete(w, c)
    b.tell("K401", [c], "对照：施工中的客户 {0} 由品控和设计师巡检，客户经理 60 天没有销售跟进，但施工–保修阶段不收回", fires=False)
    # exempt: locked key account
    c = b.customer(-300, "liuyang", "A", community=D.community("佘山月湖山庄"),
                   house_type="别墅", area=420)
    c.frozen = True
    c.locked = True
    c.budget = 120.0
    c.designer = "chenjing"
    b.plan(c, first_consult=-300, preplan_delivered=-292, deposit_paid=-270, site_measured=-268,
           plan_delivered=-258, first_plan_meeting=-256, quoted=-130)
    c.silent_from = b.d(-120)
    complete(w, c)
    b.owner_visit(c, -120, "客户出国半年，回国后再定开工时间")
    for off in (-112, -84, -56, -35, -7):
        w.visit(c, w.at(b.d(off)), D.DIRECTOR, "上门", "市场总监拜访重点客户，保持联系")
    b.tell("K401", [c], "对照：别墅重点客户 {0} 由市场总监锁定（locked: true）并每月亲自拜访；客户经理 120 天未跟进也不进公海",
           fires=False)


def visit_deadlines(b: Builder) -> None:
    """K402-K404: a reclaim due soon, a month short of visits, no 回访 after the plan."""
    w, T = b.w, b.T
    # K402 (D): due within 7 days
    c = b.customer(-60, "zhoujie", "D")
    c.frozen = True
    b.plan(c, first_consult=-60, preplan_delivered=-55)
    c.silent_from = b.d(-25)
    complete(w, c)
    b.owner_visit(c, -25, "电话跟进，客户说还在筹钱，下个月再联系")
    c.notes = "曾在别家装修时拖欠尾款，列为 D 级"
    b.tell("K402", [c], "D 级客户 {0}（30 天收回），周杰最后一次跟进是 " + _md(b.d(-25)) + "，5 天后到期")
    # K403 (C): one visit last month
    month = (T.replace(day=1) - DAY).replace(day=1)
    m = (month - T).days  # offset of the last month's first day (negative)
    c = b.customer(m - 60, "lina", "C")
    c.frozen = True
    b.plan(c, first_consult=m - 60, preplan_delivered=m - 55, deposit_paid=m - 30, site_measured=m - 28,
           plan_delivered=m - 24, first_plan_meeting=m - 20)
    c.silent_from = b.d(m - 16)
    complete(w, c)
    b.owner_visit(c, m - 3, "电话跟进，客户在等物业的装修许可")
    b.owner_visit(c, m + 13, "微信沟通方案细节，客户想把阳台改成书房", "微信")
    if T.day > 2:
        b.owner_visit(c, -(T.day - 2), "电话跟进，约客户周末到店")
    if T.day > 5:
        b.owner_visit(c, -1, "客户到店确认方案修改", "到店咨询", confirmed=True)
    b.tell("K403", [c], f"C 级客户 {{0}} 每月至少要跟进 2 次，{month.month} 月李娜只跟进了 1 次")
    # K404: no 回访 after the first plan meeting
    c = b.customer(-40, "zhangwei", "B")
    c.frozen = True
    b.plan(c, first_consult=-40, preplan_delivered=-35, deposit_paid=-25, site_measured=-23,
           plan_delivered=-19, first_plan_meeting=-10)
    c.silent_from = b.d(-10)
    complete(w, c)
    fpm = b.d(-10)
    c.visits = [v for v in c.visits if v.at.date() <= fpm]
    b.tell("K404", [c], "客户 {0} " + _md(fpm) + " 首次方案沟通后，张伟至今没有回访（制度要求 3 天内）")


def holiday_complaints(b: Builder) -> None:
    """K501-K503 across the National Day holiday: one late, one on time by working days."""
    w, T = b.w, b.T
    day = date(2025, 9, 30)
    if w.start < day and T > date(2025, 11, 1):
        def building(c):
            s, e = c.plan.get("construction_started"), c.plan.get("completed")
            return s and e and s <= day <= e
        c1 = b.pick(building, 61) or b.pick(lambda c: c.reg_dt.date() < day, 61)
        c2 = b.pick(building, 62) or b.pick(lambda c: c.reg_dt.date() < day, 62)
        if c1 and c2:
            t = new_complaint(w, c1, datetime(2025, 9, 30, 10, 20), "工期")
            t.channel = "电话"
            t.description = "国庆前工地已停工三天，客户要求说明复工时间"
            t.against = ("工程部", None)
            t.handler = "heli"
            t.investigation_started_at = datetime(2025, 10, 14, 9, 30)
            t.replied_at = datetime(2025, 10, 15, 16, 0)
            t.resolved_at = datetime(2025, 10, 16, 15, 0)
            t.resolution = "调整施工班组，10 月 20 日复工，延误天数按合同补偿"
            t.escalations = [("部门经理", datetime(2025, 10, 15, 17, 0), "heli", "客户对拖延不满，要求部门经理出面")]
            t.follow_up = (datetime(2025, 10, 20, 15, 0), "heli", False, "问题解决了，但处理太慢")
            t.status = "已解决"
            b.tell("K501", [t], "投诉 {0} 于 2025-09-30 受理，客服节后忘了处理，10-14 才开始调查（国庆 10-01 至 10-08 放假，最迟应在 10-09）")
            b.tell("K502", [t], "同一投诉 {0} 10-15 才答复客户（应在 10-10 前）")
            b.tell("K503", [t], "同一投诉 {0} 10-16 才解决（应在 10-11 前，10-11 是调休上班的周六）")
            t = new_complaint(w, c2, datetime(2025, 9, 30, 16, 40), "材料")
            t.channel = "到店"
            t.description = "送到工地的木地板颜色与样板不一致"
            t.against = ("工程部", None)
            t.handler = "machao"
            t.investigation_started_at = datetime(2025, 10, 8, 10, 0)
            t.replied_at = datetime(2025, 10, 9, 15, 0)
            t.resolved_at = datetime(2025, 10, 11, 11, 0)
            t.resolution = "联系厂家换货，10 月 11 日重新送货并铺装"
            t.follow_up = (datetime(2025, 10, 15, 10, 30), "machao", True, "对处理结果满意")
            t.status = "已关闭"
            for code in ("K501", "K502", "K503"):
                b.tell(code, [t], "对照：投诉 {0} 也是 2025-09-30 受理，节假日值班 10-08 开始调查、10-09 答复、"
                       "10-11（调休上班日）解决：按工作日计都没超时", fires=False)


def overdue_complaints(b: Builder) -> None:
    """K502-K504: a complaint stuck in investigation, one never called back."""
    w = b.w
    c = b.pick(lambda c: c.stage == "施工", 63)
    if c:
        day = b.d(-10)
        while not is_workday(day):
            day -= DAY
        t = new_complaint(w, c, datetime.combine(day, time(9, 30)), "工程质量")
        t.description = "卫生间墙砖空鼓，有两块已经脱落"
        t.against = ("工程部", None)
        t.handler = "machao"
        t.investigation_started_at = datetime.combine(day, time(14, 0))
        t.status = "调查中"
        b.tell("K502", [t], "投诉 {0}（" + _md(day) + " 受理）一直停在“调查中”，两个工作日内没有答复客户")
        b.tell("K503", [t], "同一投诉 {0} 三个工作日内没有解决，也没有升级")
    c = b.pick(lambda c: c.stage in ("保修", "结算", "验收") and c.plan.get("completed")
               and c.plan["completed"] < b.d(-100), 64)
    if c:
        day = b.d(-100)
        while not is_workday(day):
            day += DAY
        t = new_complaint(w, c, datetime.combine(day, time(11, 5)), "工程质量")
        t.description = "入住后发现主卧飘窗渗水"
        t.against = ("工程部", None)
        t.handler = "heli"
        t.investigation_started_at = datetime.combine(day, time(13, 0))
        t.replied_at = datetime.combine(day, time(17, 0))
        t.resolved_at = datetime.combine(add_workdays(day, 2), time(16, 0))
        t.resolution = "重新打胶并做淋水试验，不再渗水"
        t.status = "已解决"
        b.tell("K504", [t], "投诉 {0} 标为已解决后，客服一直没有回访客户")


def design(b: Builder) -> None:
    w = b.w
    # K601: no pre-plan after 12 days
    c = b.customer(-12, "wujing", "C", house_type="普通", area=89)
    b.plan(c, first_consult=-12)
    complete(w, c)
    b.tell("K601", [c], "客户 {0} " + _md(b.d(-12)) + " 首次咨询，12 天了还没交设计预案（普通户型 7 天）")
    c = b.customer(-70, "liuyang", "A", community=D.community("西郊庄园"),
                   house_type="别墅", area=260)
    c.designer = "chenjing"
    b.plan(c, first_consult=-70, preplan_delivered=-61, deposit_paid=-55, site_measured=-53,
           plan_delivered=-44, first_plan_meeting=-42, quoted=-30)
    complete(w, c)
    b.tell("K601", [c], "对照：260 平米别墅 {0} 第 9 天交设计预案（大户型 10 天），不报", fires=False)
    c = b.customer(-50, "zhoujie", "B", community=D.community("仁恒河滨花园"),
                   house_type="大户型", area=200)
    b.plan(c, first_consult=-50, preplan_delivered=-41, deposit_paid=-35, site_measured=-33,
           plan_delivered=-22, first_plan_meeting=-21)
    complete(w, c)
    b.tell("K601", [c], "对照：正好 200 平米的大户型 {0} 第 9 天交预案、定金后第 13 天交方案（达到 200 平米按大户型算），不报",
           fires=False)
    # K602: the plan 9 days after the deposit
    c = b.customer(-200, "liuyang", "B", house_type="普通", area=110)
    c.designer = "linfeng"
    b.plan(c, first_consult=-200, preplan_delivered=-195, deposit_paid=-185, site_measured=-183,
           plan_delivered=-176, first_plan_meeting=-175, quoted=-165, contract_signed=-155,
           construction_started=-140, completed=-70, settled=-60)
    complete(w, c)
    b.tell("K602", [c], "设计师林峰同时赶三个方案，客户 {0} 交定金后第 9 天才交设计方案（普通户型 7 天）")
    # K603
    c = b.pick(lambda c: c.survey is not None and c.stage in ("施工", "保修"), 71)
    if c:
        c.survey = None
        b.tell("K603", [c], "客户 {0} 已签约，设计师没有交客户基本情况调查表")
    c = b.pick(lambda c: c.survey is not None and c.stage in ("验收", "结算", "保修"), 72)
    if c:
        c.survey.pop("occupation", None)
        b.tell("K603", [c], "客户 {0} 的调查表缺“职业”（客户不愿透露，设计师留空）")
    # K604: a 12-day hole in the site inspections
    c = b.customer(-110, "lina", "B")
    b.plan(c, first_consult=-110, preplan_delivered=-105, deposit_paid=-98, site_measured=-96,
           plan_delivered=-92, first_plan_meeting=-91, quoted=-80, contract_signed=-55,
           construction_started=-40, completed=50)
    c.inspectors = (D.QC,)
    c.inspection_gap = (b.d(-30), 12)
    complete(w, c)
    gap = [v.at.date() for v in c.visits if v.type == "工地巡检"]
    hole = max(zip(gap, gap[1:]), key=lambda p: (p[1] - p[0]).days)
    b.tell("K604", [c], f"品控罗强休年假，客户 {{0}} 的工地 {_md(hole[0])} 到 {_md(hole[1])} 之间 "
           f"{(hole[1] - hole[0]).days} 天无人巡检（制度 5 天一次）")


def privacy(b: Builder) -> None:
    w = b.w
    c = b.pick(lambda c: b.active(c) and c.reg_dt.date() < b.d(-20), 81) or \
        b.pick(lambda c: c.stage not in ("流失", "施工") and c.owner_at(b.T) != "pool" and c.reg_dt.date() < b.d(-20), 81)
    if c:
        v = w.visit(c, w.at(b.d(-9)), c.owner_at(b.d(-9)), "电话", "客户说新号码是13812345678，以后打这个号码")
        b.tell("K701", [v], "跟进记录 {0} 的摘要里写了客户的新手机号（应加到客户档案的 phones 里）")
    c = b.pick(lambda c: c.survey is not None and c.stage == "保修", 82)
    if c:
        body = "31011019850723441"
        weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
        check = "10X98765432"[sum(int(a) * b_ for a, b_ in zip(body, weights)) % 11]
        c.notes = f"签合同时客户提供身份证号{body}{check}，已复印存档"
        b.tell("K701", [c], "客户 {0} 的备注里写了 18 位身份证号")
    c = b.pick(lambda c: c.stage in ("结算", "保修") and c.owner_at(b.T) != "pool", 83)
    if c:
        earlier = c.visits[0]
        v = w.visit(c, w.at(b.d(-2)), c.owner_at(b.d(-2)), "回访",
                    "接首次跟进{0}：" + f"{b.d(-2).isoformat()} 与客户核对增项费用1.85万（定金5000元已抵扣），"
                    f"约定{(b.d(11)).isoformat()}上门检修，客户编号{{1}}")
        v.refs = (earlier, c)
        b.tell("K701", [v], "对照：摘要里有日期、金额（1.85万、5000元）和记录编号，都不是电话或身份证号，不报", fires=False)


def disposal(b: Builder) -> None:
    at = datetime(b.T.year, 3, 2, 10, 0)
    if at.date() > b.T:
        at = datetime(b.T.year - 1, 3, 2, 10, 0)
    old = at.year - 11
    d = Disposal(f"D{at.year}-0001", [f"C{old}-0007", f"V{old}-000031", f"V{old}-000032", f"T{old}-0002"],
                 f"{old} 年客户档案已满 10 年保管期，经总经理和市场总监批准销毁", [D.GM, D.DIRECTOR], at)
    b.disposals.append(d)
    b.tell("K803", [d], f"销毁记录 {{0}}：总经理和市场总监批准销毁 {old} 年的客户 C{old}-0007 及其跟进、投诉记录，"
           "这些文件已不在仓库里（kehu review 的 K803 据此放行删除）", fires=False)


def consequences(b: Builder) -> None:
    """A story customer whose silence also leaves last month short of visits (K403): say so."""
    T = b.T
    first = (T.replace(day=1) - DAY).replace(day=1)
    last = T.replace(day=1) - DAY
    told = {(s.code, id(r)) for s in b.stories for r in s.records}
    for s in list(b.stories):
        if not s.fires:
            continue
        for c in s.records:
            if not isinstance(c, Customer) or not c.frozen or c.no_refs or ("K403", id(c)) in told:
                continue
            need = VISITS_PER_MONTH[c.grade]
            if not need or c.stage == "流失" or c.owner_at(T) == "pool" or c.reg_dt.date() >= last \
                    or _held_since(c, T) > first:
                continue
            have = sum(1 for v in c.visits if first <= v.at.date() <= last and v.counts)
            if have < need:
                told.add(("K403", id(c)))
                b.tell("K403", [c], f"{s.code} 故事里的客户 {{0}}（{c.grade} 级）上个月只有 {have} 次跟进，"
                       f"不到每月 {need} 次：同一段沉默的连带结果")


def referrals(b: Builder) -> None:
    name = {s["id"]: s["name"] for s in D.STAFF}
    managers = [m for m in D.MANAGERS if m != D.LEAVER]
    # K305: the customer named a manager, the one on duty kept the customer
    c = b.pick(lambda c: b.active(c) and not c.owner_history and c.channel in ("到店", "电话")
               and c.registered_by in managers, 81)
    if c:
        c.referrer = next(m for m in managers if m != c.registered_by)
        b.tell("K305", [c], f"客户 {{0}} 登记时点名找{name[c.referrer]}（source.referrer: {c.referrer}），"
               f"当班的{name[c.registered_by]}却登记在自己名下，没有市场总监的分配记录")
    fine = b.pick(lambda c: len(c.owner_history) == 1 and c.owner_history[0][2] == D.DIRECTOR
                  and c.owner_history[0][0] in managers and c.registered_by in managers
                  and c.channel != "中介", 82)
    if fine:
        fine.referrer = fine.registered_by
        b.tell("K305", [fine], f"对照：客户 {{0}} 点名找{name[fine.registered_by]}，后由市场总监改派，"
               "owner_history 有记录，不报", fires=False)
    # K306: an agency's customer with neither the agency nor the mark
    c = b.pick(lambda c: c.channel == "中介" and b.active(c), 83) or b.pick(lambda c: c.channel == "中介", 83)
    if c:
        c.referrer = c.intermediary = None
        b.tell("K306", [c], "客户 {0} 是中介带来的，登记时只选了渠道“中介”，没写是哪家中介，也没注明 intermediary: true")
    fine = b.pick(lambda c: c.channel == "中介" and c.intermediary and c.referrer, 84)
    if fine:
        b.tell("K306", [fine], f"对照：客户 {{0}} 注明了中介（{fine.referrer}，intermediary: true），不报", fires=False)


def process_records(b: Builder) -> None:
    name = {s["id"]: s["name"] for s in D.STAFF}
    # K605: a planned date written as a milestone; a stage with a milestone missing
    c = b.pick(lambda c: c.stage == "施工" and "construction_started" in c.milestones and c.plan.get("completed"), 91)
    if c:
        c.milestones["completed"] = max(c.plan["completed"], b.d(20))
        b.tell("K605", [c], f"客户 {{0}} 还在施工，项目经理把预计竣工日 {_md(c.milestones['completed'])} "
               "提前写进了里程碑 completed")
    c = b.pick(lambda c: c.stage == "保修" and "construction_started" in c.milestones, 92)
    if c:
        del c.milestones["construction_started"]
        b.tell("K605", [c], "客户 {0} 已在保修期，档案里却没有开工日期（construction_started），统计报表的开工数少了一户")
    fine = b.pick(lambda c: c.stage == "保修" and all(k in c.milestones for k in
                                                    ("contract_signed", "construction_started", "completed")), 93)
    if fine:
        b.tell("K605", [fine], "对照：保修期客户 {0} 签约、开工、竣工日期齐全，不报", fires=False)
    # K606: the survey form by someone other than the designer, or long after the contract
    c = b.pick(lambda c: c.survey and c.designer and c.stage in ("保修", "结算")
               and c.survey.get("filled_by") == c.designer and c.owner_at(c.survey["filled_at"]) in D.MANAGERS, 94)
    if c:
        who = c.owner_at(c.survey["filled_at"])
        c.survey["filled_by"] = who
        b.tell("K606", [c], f"客户 {{0}} 的调查表是客户经理{name[who]}替设计师{name[c.designer]}填的（制度：本表由设计师填写）")
    c = b.pick(lambda c: c.survey and c.designer and c.stage in ("保修", "结算", "施工"), 95)
    if c:
        c.survey["filled_at"] = c.survey["filled_at"] + DAY * 12
        b.tell("K606", [c], f"设计师{name[c.designer]}签约时没交调查表，12 天后才补填客户 {{0}} 的调查表（应在 3 天内）")
    fine = b.pick(lambda c: c.survey and c.designer and c.survey.get("filled_by") == c.designer, 96)
    if fine:
        b.tell("K606", [fine], "对照：客户 {0} 的调查表由设计师在签约当天填写，不报", fires=False)
    # K607: a measuring record the customer never signed
    c = b.pick(lambda c: any(v.type == "量房" and v.confirmed for v in c.visits), 97)
    if c:
        v = next(v for v in c.visits if v.type == "量房" and v.confirmed)
        v.confirmed = None
        b.tell("K607", [v], f"{name.get(v.staff, v.staff)}量房后忘了请客户签字，客户 {{1}} 的量工地记录 {{0}} "
               "没有 customer_confirmed", also=[c])
    c = b.pick(lambda c: any(v.type == "到店咨询" and v.confirmed for v in c.visits), 98)
    if c:
        v = next(v for v in c.visits if v.type == "到店咨询" and v.confirmed)
        b.tell("K607", [v], "对照：到店咨询记录 {0} 客户已签字确认（customer_confirmed: true），不报", fires=False)


def _md(day: date) -> str:
    return f"{day.month}-{day.day:02d}"


# --- K405-K408: contacts owed to a customer --------------------------------------------------

LEADERSHIP = (D.DIRECTOR, "wangli", "sunhao")  # 市场总监, 总经理, 店面经理 (policy leadership_roles)


def _held_since(c: Customer, day: date) -> date:
    """Since when the owner on `day` holds the customer (kehu.facts.assignment_date)."""
    owner = c.owner_at(day)
    return next((start for who, start, _by, _reason in reversed(c.owner_history) if who == owner),
                c.reg_dt.date())


def contacts(b: Builder) -> None:
    """K405 a missed 1-month 回访, K407 an A customer no leader visited, K408 a hand-over without a call;
    K406 (a broken next-contact promise) is told by a hook once the visits are final."""
    w, T = b.w, b.T
    window = 7
    c = b.pick(lambda c: "completed" in c.plan and T - DAY * 360 <= c.plan["completed"] <= T - DAY * 120, 61)
    if c:
        due = c.plan["completed"] + DAY * 30
        c.visits = [v for v in c.visits if not due <= v.at.date() <= due + DAY * window]
        b.tell("K405", [c], f"客户 {{0}} {_md(c.plan['completed'])} 竣工，客服本该在 {_md(due)} 至 "
               f"{_md(due + DAY * window)} 之间做 1 个月回访，没有任何联系记录")
    c = b.pick(lambda c: "completed" in c.plan and c.plan["completed"] <= T - DAY * 380, 62)
    if c:
        b.tell("K405", [c], "对照：客户 {0} 竣工后 1 周、1 个月、1 个季度、1 年的回访都按时做了，不报", fires=False)
    first = (T.replace(day=1) - DAY).replace(day=1)
    last = T.replace(day=1) - DAY

    def followed(c):
        return (c.grade == "A" and c.reg_dt.date() <= first and c.owner_at(T) != "pool"
                and c.stage not in ("结算", "保修", "流失") and _held_since(c, T) <= first)

    def led(c):
        return any(first <= v.at.date() <= last and v.staff in LEADERSHIP for v in c.visits)
    story = b.pick(followed, 65) or next((c for c in w.customers if followed(c) and not c.frozen and not led(c)), None)
    if story:
        story.visits = [v for v in story.visits if not (first <= v.at.date() <= last and v.staff in LEADERSHIP)]
        b.tell("K407", [story], f"A 级客户 {{0}} {first.month} 月只有客户经理的跟进，公司领导没有走访")
    for c in w.customers:
        if c is not story and followed(c) and not led(c):
            day = first + DAY * (3 + c.serial % 20)
            w.visit(c, w.at(day), D.DIRECTOR, "上门", "市场总监走访 A 类客户，了解装修打算，客户对服务满意")
    fine = b.pick(followed, 66) or next((c for c in w.customers if c is not story and followed(c) and led(c)), None)
    if fine:
        b.tell("K407", [fine], f"对照：{first.month} 月公司领导上门走访了 A 级客户 {{0}}，不报", fires=False)
    handover(b)
    b.hooks.append(lambda: broken_promises(b))


def handover(b: Builder) -> None:
    """K408: two of the leaver's customers handed over during his notice period."""
    w = b.w
    left = w.leaver_left
    moved = left - DAY * 12

    def handed_over(c):
        return (c.registered_by == D.LEAVER and len(c.owner_history) == 1 and c.owner_history[-1][0] != "pool"
                and c.owner_history[-1][1] == left and c.stage != "流失")
    for n, fires in ((63, True), (64, False)):
        c = b.pick(handed_over, n)
        if not c:
            continue
        new, _, by, reason = c.owner_history[-1]
        c.owner_history[-1] = (new, moved, by, "徐磊提前办理离职交接")
        c.visits = [v for v in c.visits if not (v.staff == new and moved <= v.at.date() <= moved + DAY * 7)]
        if fires:
            b.tell("K408", [c], f"徐磊离职前交接，客户 {{0}} {_md(moved)} 分配给 {new}，{new} 7 天内没有联系客户告知更换")
        else:
            w.visit(c, w.at(moved + DAY * 2), new, "电话", "新客户经理电话告知客户：原客户经理离职，今后由我负责跟进")
            b.tell("K408", [c], f"对照：客户 {{0}} {_md(moved)} 交接给 {new}，两天后 {new} 就打电话告知客户，不报",
                   fires=False)


def broken_promises(b: Builder) -> None:
    """K406: one promised next contact nobody made; the others of the baseline are kept or dropped."""
    broken, kept = [], None
    for c in b.w.customers:
        if c.owner == "pool" or c.stage == "流失" or not c.visits:
            continue
        latest = max(v.at.date() for v in c.visits)
        for v in c.visits:
            if v.next_contact is None or v.next_contact >= b.T:
                continue
            if latest < v.next_contact:
                broken.append((c, v))
            elif kept is None and not c.frozen:
                kept = v
    story = next(((c, v) for c, v in broken if not c.frozen), None)
    for c, v in broken:
        if (c, v) != story:
            v.next_contact = None
    if story:
        v = story[1]
        b.tell("K406", [v], f"{_md(v.at.date())} 的回访 {{0}} 约好 {_md(v.next_contact)} 再联系客户，之后再没有任何联系记录")
    if kept:
        b.tell("K406", [kept], f"对照：回访 {{0}} 约好 {_md(kept.next_contact)} 再联系，到期前后按时有了联系记录，不报", fires=False)


# in this order: each draws from the same random sequence
BUILDERS = (files, schema, references, leaver, ownership, silent_owners, visit_deadlines, holiday_complaints,
            overdue_complaints, design, privacy, disposal, contacts, consequences, referrals, process_records)


def inject(w: World) -> Builder:
    b = Builder(w)
    for build in BUILDERS:
        build(b)
    return b


def complaint_escalations(b: Builder) -> None:
    """K503 met by escalating in time; K505 an escalation that skips a level, and one that does not."""
    w = b.w
    c = b.pick(lambda c: c.stage == "施工", 91)
    if c:
        day = b.d(-40)
        while not is_workday(day):
            day -= DAY
        t = new_complaint(w, c, datetime.combine(day, time(10, 15)), "工期")
        t.description = "油漆工迟迟不进场，工期已拖一周"
        t.against = ("工程部", None)
        t.handler = "heli"
        t.investigation_started_at = datetime.combine(day, time(14, 0))
        t.replied_at = datetime.combine(add_workdays(day, 1), time(11, 0))
        due = add_workdays(day, 3)
        t.escalations = [("部门经理", datetime.combine(due, time(16, 30)), "heli", "三个工作日未能协调油漆班组，转工程部经理处理")]
        t.resolved_at = datetime.combine(add_workdays(day, 5), time(15, 0))
        t.resolution = "工程部经理调来另一个油漆班组，次日进场"
        t.follow_up = (datetime.combine(add_workdays(day, 7), time(10, 0)), "heli", True, "对处理结果满意")
        t.status = "已关闭"
        b.tell("K503", [t], "对照：投诉 {0} 第 5 个工作日才解决，但第 3 个工作日已转部门经理处理（逐级上报、换人），不报",
               fires=False)
    c = b.pick(lambda c: c.stage in ("验收", "保修"), 92)
    if c:
        day = b.d(-25)
        while not is_workday(day):
            day -= DAY
        t = new_complaint(w, c, datetime.combine(day, time(9, 40)), "工程质量")
        t.description = "厨房吊柜安装不牢，柜门下沉"
        t.against = ("工程部", None)
        t.handler = "machao"
        t.investigation_started_at = datetime.combine(day, time(11, 0))
        t.replied_at = datetime.combine(day, time(17, 0))
        t.escalations = [("部门经理", datetime.combine(add_workdays(day, 1), time(10, 0)), "machao", "客户对答复不满意"),
                         ("总经理", datetime.combine(add_workdays(day, 1), time(15, 0)), "machao", "客户要求直接见总经理")]
        t.resolved_at = datetime.combine(add_workdays(day, 2), time(16, 0))
        t.resolution = "重新加固吊柜并更换铰链"
        t.follow_up = (datetime.combine(add_workdays(day, 4), time(10, 0)), "machao", True, "对处理结果满意")
        t.status = "已关闭"
        b.tell("K505", [t], "投诉 {0} 部门经理处理后，客服直接上报了总经理，跳过了分管副总")
        t = new_complaint(w, c, datetime.combine(add_workdays(day, 6), time(14, 20)), "服务态度")
        t.description = "维修师傅上门时态度生硬"
        t.against = ("工程部", None)
        t.handler = "machao"
        at = t.received_at.date()
        t.investigation_started_at = datetime.combine(at, time(15, 0))
        t.replied_at = datetime.combine(add_workdays(at, 1), time(10, 0))
        t.escalations = [("部门经理", datetime.combine(add_workdays(at, 1), time(14, 0)), "machao", "客户对答复不满意"),
                         ("分管副总", datetime.combine(add_workdays(at, 2), time(9, 30)), "machao", "部门经理处理后客户仍不满意")]
        t.resolved_at = datetime.combine(add_workdays(at, 2), time(16, 0))
        t.resolution = "分管副总上门致歉，维修师傅停岗培训"
        t.follow_up = (datetime.combine(add_workdays(at, 4), time(10, 0)), "machao", True, "对处理结果满意")
        t.status = "已关闭"
        b.tell("K505", [t], "对照：同一客户的另一件投诉 {0} 部门经理 → 分管副总，逐级上报，不报", fires=False)


DEPT_MANAGER = "sunhao"  # the 店面经理 hears the sales staff's appeals first


def _reassigned(b: Builder, c) -> bool:
    """A customer the director moved from one salesperson to another, a while after it started."""
    if not c.owner_history:
        return False
    owner, since, by, _ = c.owner_history[-1]
    before = c.owner_at(since - DAY)
    return (by == D.DIRECTOR and "pool" not in (owner, before) and owner != before and D.LEAVER not in (owner, before)
            and b.w.start + DAY * 30 < since < b.d(-20))


def _held(b: Builder, c) -> bool:
    """A customer someone still on the staff holds, registered over a month ago."""
    return c.owner_at(b.T) not in ("pool", D.LEAVER) and c.stage != "流失" and c.reg_dt.date() < b.d(-30)


def _before(day: date, workdays: int) -> date:
    """The working day `workdays` working days before `day`."""
    at = day
    for _ in range(workdays):
        at -= DAY
        while not is_workday(at):
            at -= DAY
    return at


def _appeal(b: Builder, c, filed_by, against, reason, first: date, steps, status) -> Appeal:
    """An appeal filed at 9:00 on `first`; steps are (level, working days after `first`, hour, by, decision, note)."""
    a = Appeal("", c, filed_by, against, reason, datetime.combine(first, time(9, 0)),
               [(level, datetime.combine(add_workdays(first, wd) if wd else first, time(hour, 0)), by, decision, note)
                for level, wd, hour, by, decision, note in steps], status)
    b.appeals.append(a)
    return a


def appeals(b: Builder) -> None:
    """K901-K903: 撞单 appeals, one settled by 改判 and cited by the owner change."""
    c = b.pick(lambda c: _reassigned(b, c), 101)
    if c:
        owner, since, by, _ = c.owner_history[-1]
        before = c.owner_at(since - DAY)
        a = _appeal(b, c, owner, before, "撞单：客户两周前已由我接待并留有到店记录，登记在后不影响归属", _before(since, 4), [
            ("部门经理", 0, 10, DEPT_MANAGER, "上报", "双方各有记录，本部门无法协调，上报品控中心"),
            ("品控中心", 1, 14, D.QC, "改判", "到店记录在先，客户改归申诉人")], "已裁决")
        c.owner_history[-1] = (owner, since, by, "撞单申诉经品控中心改判")
        c.cites[len(c.owner_history) - 1] = a
        b.tell("K901", [a], "对照：申诉 {0} 部门经理 → 品控中心，逐级处理，不报", fires=False)
        b.tell("K903", [c], "对照：客户 {0} 的归属变更写明依据申诉 {1}，品控中心已改判，不报", fires=False, also=[a])
    c = b.pick(lambda c: _reassigned(b, c), 102)
    if c:
        owner, since, by, reason = c.owner_history[-1]
        before = c.owner_at(since - DAY)
        a = _appeal(b, c, before, owner, "客户由我长期跟进，不同意改归他人", _before(since, 3), [
            ("部门经理", 0, 11, DEPT_MANAGER, "维持", "原分配有据，维持")], "已裁决")
        c.cites[len(c.owner_history) - 1] = a
        b.tell("K903", [c], "客户 {0} 的归属变更写的依据是申诉 {1}，可那件申诉部门经理维持了原判，并没有改判",
               also=[a])
    c = b.pick(lambda c: b.active(c) and c.reg_dt.date() < b.d(-30), 103)
    if c:
        other = next(m for m in D.MANAGERS if m not in (c.owner_at(b.T), D.LEAVER))
        first = _before(b.d(-15), 1)
        a = _appeal(b, c, other, c.owner_at(b.T), "撞单：客户是我的老客户介绍来的，应归我", first, [
            ("部门经理", 0, 10, DEPT_MANAGER, "上报", "申诉人要求直接见总经理"),
            ("总经办", 1, 15, D.GM, "维持", "维持原归属")], "已裁决")
        b.tell("K901", [a], "申诉 {0} 部门经理处理后直接上报了总经办，跳过了品控中心")
    c = b.pick(lambda c: _held(b, c), 104)
    if c:
        other = next(m for m in reversed(D.MANAGERS) if m not in (c.owner_at(b.T), D.LEAVER))
        first = _before(b.d(-12), 1)
        a = _appeal(b, c, other, c.owner_at(b.T), "签约业绩归属有争议：客户前期一直由我接待，签约时才转给对方", first, [
            ("部门经理", 0, 10, DEPT_MANAGER, "上报", "本部门无法判定，上报品控中心"),
            ("品控中心", 1, 11, D.QC, None, None)], "处理中")
        b.tell("K902", [a], "申诉 {0} 提交到品控中心后一直没有答复（每级 3 个工作日内）")
    c = b.pick(lambda c: _held(b, c), 105)
    if c:
        other = next(m for m in D.MANAGERS if m not in (c.owner_at(b.T), D.LEAVER))
        first = _before(b.T, 1)
        a = _appeal(b, c, other, c.owner_at(b.T), "客户是我的老客户介绍来的，业绩应归我", first, [
            ("部门经理", 0, 16, DEPT_MANAGER, None, None)], "处理中")
        b.tell("K902", [a], "对照：申诉 {0} 上一个工作日才提交到部门经理，还在答复期限内，不报", fires=False)
    numbered: dict[int, int] = {}
    for a in sorted(b.appeals, key=lambda a: a.filed_at):
        numbered[a.filed_at.year] = numbered.get(a.filed_at.year, 0) + 1
        a.id = f"A{a.filed_at.year}-{numbered[a.filed_at.year]:04d}"


# registered here, after their definitions; before `consequences`, which looks back at every story
_AT = BUILDERS.index(consequences)
BUILDERS = (*BUILDERS[:_AT], complaint_escalations, appeals, *BUILDERS[_AT:])
