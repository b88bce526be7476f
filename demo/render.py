"""Records -> YAML text, with string templates (no yaml.dump: 200,000 files must be quick)."""

from __future__ import annotations

from demo import data as D
from demo.model import MILESTONES, Complaint, Customer, Disposal, Visit
from demo.yamltext import boolean, day, moment, number, quoted, text

SURVEY_KEYS = ("household_size", "age_range", "occupation", "income_range", "decision_maker",
               "heard_from", "priorities", "filled_by", "filled_at")


def block_list(key: str, items) -> list[str]:
    """A list of mappings in block style; each item is (key, rendered value) pairs, None left out."""
    lines = [f"{key}:"]
    for pairs in items:
        present = [(k, v) for k, v in pairs if v is not None]
        lines += [f"{'  - ' if i == 0 else '    '}{k}: {v}" for i, (k, v) in enumerate(present)]
    return lines


def modeline(relative: str, kind: str) -> str:
    depth = relative.count("/") + 1
    return f"# yaml-language-server: $schema={'../' * depth}schemas/{kind}.schema.json\n"


def ref(value) -> str:
    return value.id if isinstance(value, Customer) else value


def customer_path(c: Customer) -> str:
    return f"customers/{c.year:04d}/{c.file_name or c.id}.yaml"


def visit_path(v: Visit) -> str:
    folder = v.folder or f"{v.at.year:04d}/{v.at.month:02d}"
    return f"visits/{folder}/{v.id}.yaml"


def complaint_path(t: Complaint) -> str:
    return f"complaints/{t.received_at.year:04d}/{t.id}.yaml"


def customer(c: Customer) -> str:
    out = [f"id: {c.id}", f"name: {text(c.name)}", "phones:"]
    for i, phone in enumerate(c.phones):
        out.append(f"  - {phone}" if i in c.raw_phones else f"  - {quoted(phone)}")
    raw = c.raw_fields
    if c.wechat is not None:
        out.append(f"wechat: {raw.get('wechat') or text(c.wechat)}")
    out.append(f"gender: {c.gender}")
    out.append(f"district: {text(c.district)}")
    out.append(f"community: {text(c.community)}")
    out.append(f"address: {text(c.address)}")
    out.append("source:")
    out.append(f"  channel: {c.channel}")
    if c.referrer is not None:
        out.append(f"  referrer: {text(ref(c.referrer))}")
    if c.intermediary is not None:
        out.append(f"  intermediary: {boolean(c.intermediary)}")
    out.append("house:")
    out.append(f"  type: {c.house_type}")
    out.append(f"  area_sqm: {number(c.area)}")
    out.append(f"  condition: {c.condition}")
    out.append(f"budget_wan: {number(c.budget)}")
    out.append(f"style: {text(c.style)}")
    out.append(f"grade: {raw.get('grade') or c.grade}")
    out.append(f"stage: {c.stage}")
    out.append(f"owner: {c.owner}")
    if c.designer:
        out.append(f"designer: {c.designer}")
    out.append(f"registered_at: {moment(c.reg_dt)}")
    out.append(f"registered_by: {c.registered_by}")
    if c.confidentiality:
        out.append(f"confidentiality: {c.confidentiality}")
    if c.milestones:
        out.append("milestones:")
        for name in MILESTONES:
            if name in c.milestones:
                out.append(f"  {name}: {day(c.milestones[name])}")
    if c.contract:
        out.append("contract:")
        out.append(f"  amount_wan: {number(c.contract[0])}")
        out.append(f"  signed_at: {day(c.contract[1])}")
    if c.survey:
        out.append("survey:")
        s = c.survey
        for key in SURVEY_KEYS:
            value = s.get(key)
            if value is None:
                continue
            if key == "priorities":
                out.append("  priorities:")
                out.extend(f"    - {text(p)}" for p in value)
            elif key == "household_size":
                out.append(f"  household_size: {value}")
            elif key == "filled_at":
                out.append(f"  filled_at: {day(value)}")
            else:
                out.append(f"  {key}: {text(value)}")
    if c.owner_history and not c.hidden_history:
        out += block_list("owner_history", ([("owner", owner), ("from", day(since)), ("by", by),
                                             ("reason", text(reason) if reason else None)]
                                            for owner, since, by, reason in c.owner_history))
    if c.locked:
        out.append("locked: true")
    if c.tags:
        out.append("tags:")
        out.extend(f"  - {text(t)}" for t in c.tags)
    if c.notes:
        out.append(f"notes: {text(c.notes)}")
    out.extend(c.extra_lines)
    return "\n".join(out) + "\n"


def visit(v: Visit) -> str:
    summary = v.summary
    if v.refs:
        summary = summary.format(*(r.id for r in v.refs))
    cust = v.customer_id or v.customer.id
    parts = [f"id: {v.id}\ncustomer: {cust}\nat: {moment(v.at)}\nstaff: {v.staff}\n"
             f"type: {v.type}\nsummary: {text(summary)}\n"]
    if v.next_contact is not None:
        parts.append(f"next_contact: {day(v.next_contact)}\n")
    if v.confirmed is not None:
        parts.append(f"customer_confirmed: {boolean(v.confirmed)}\n")
    if v.satisfaction is not None:
        parts.append(f"satisfaction: {v.satisfaction}\n")
    if v.sales is not None:
        parts.append(f"counts_as_sales_action: {boolean(v.sales)}\n")
    return "".join(parts)


def complaint(t: Complaint) -> str:
    out = [f"id: {t.id}", f"customer: {t.customer.id}", f"received_at: {moment(t.received_at)}",
           f"channel: {t.channel}", f"category: {t.category}", f"description: {text(t.description)}"]
    if t.against:
        dept, who = t.against
        out.append("against:")
        out.append(f"  department: {text(dept)}")
        if who:
            out.append(f"  staff: {who}")
    out.append(f"handler: {t.handler}")
    out.append(f"status: {t.status}")
    for key in ("investigation_started_at", "replied_at", "resolved_at"):
        value = getattr(t, key)
        if value is not None:
            out.append(f"{key}: {moment(value)}")
    if t.resolution:
        out.append(f"resolution: {text(t.resolution)}")
    if t.escalations:
        out += block_list("escalations", ([("level", level), ("at", moment(at)), ("by", by),
                                           ("note", text(note) if note else None)]
                                          for level, at, by, note in t.escalations))
    if t.follow_up:
        at, by, satisfied, comment = t.follow_up
        out.append("follow_up:")
        out.append(f"  at: {moment(at)}")
        out.append(f"  by: {by}")
        if satisfied is not None:
            out.append(f"  satisfied: {boolean(satisfied)}")
        if comment:
            out.append(f"  comment: {text(comment)}")
    return "\n".join(out) + "\n"


def staff(row, left=None) -> str:
    sid, name, role, dept, joined, handle = row
    out = [f"id: {sid}", f"name: {name}", f"role: {role}", f"department: {dept}", "git:",
           "  emails:", f"    - {sid}@{D.EMAIL_DOMAIN}", f"  handle: {handle}",
           f"active: {boolean(left is None)}", f"joined: {joined}"]
    if left is not None:
        out.append(f"left: {day(left)}")
    return "\n".join(out) + "\n"


def disposal(d: Disposal) -> str:
    out = [f"id: {d.id}", "records:"]
    out.extend(f"  - {r}" for r in d.records)
    out.append(f"reason: {text(d.reason)}")
    out.append("approved_by:")
    out.extend(f"  - {a}" for a in d.approved_by)
    out.append(f"at: {moment(d.at)}")
    return "\n".join(out) + "\n"


# The demo company's choices; every other key gets the policy schema's default.
DEMO_POLICY = {
    # a small branch: a manager works on at most 10 customers at a time (default 300)
    "max_customers_per_owner": 10,
    "reclaim_after_days": {"A": 90, "B": 60, "C": 45, "D": 30},
}
# the comment written above each key (the schema's own title is used for any other key)
COMMENTS = {
    "max_customers_per_owner": "每名归属人名下在跟进客户的上限，超过时提示（K302）；默认 300，本公司规模小，定为 10",
    "assigner_roles": "有权分配客户、收回公海和锁定重点客户的岗位（只有市场总监分配客户）",
    "admin_roles": "可以批准修改制度文件、schemas 和员工档案的岗位（K805）",
    "reclaim_cooldown_days": "从某人名下收回公海的客户，多少天内不得再分回给同一人（K304）",
    "reclaim_after_days": "多少天没有归属人的销售跟进即可收回公海，按客户分级设置（K401；默认一律 60）",
    "reclaim_warning_days": "距离可收回还剩多少天时开始预警（K402）",
    "visits_per_month": "各级客户每个自然月最少跟进次数：A、B 每月至少 1 次，C 至少 2 次，D 不要求（K403）",
    "post_plan_followup_days": "首次方案沟通后多少天内必须回访客户（K404）",
    "complaint_investigate_wd": "投诉受理后多少个工作日内开始调查（K501）",
    "complaint_reply_wd": "投诉受理后多少个工作日内给客户满意答复（K502）",
    "complaint_resolve_wd": "投诉受理后多少个工作日内解决，否则逐级上报或换人处理（K503）",
    "preplan_days": "首次咨询后多少天内交设计预案（K601）",
    "preplan_days_large": "大户型（见下两项）交设计预案的天数",
    "plan_days": "交定金后多少天内交设计方案（K602）",
    "plan_days_large": "大户型交设计方案的天数",
    "large_house_sqm": "建筑面积达到多少平方米按大户型计算设计期限",
    "large_house_types": "无论面积多少都按大户型计算的房屋类型",
    "survey_required": "签约时客户基本情况调查表必须填写的项目（K603）",
    "inspection_every_days": "施工期间两次工地巡检之间最多间隔几天（质保巡检制，K604）",
    "extra_holidays": "日历库尚未收录的放假日期（按国务院办公厅通知补充）",
    "extra_workdays": "日历库尚未收录的调休上班日期",
    "retention_years": "档案保管年限，期满经批准方可销毁（K803）",
    "registration_grace_hours": "接触客户后最迟多少小时内必须登记（当天登记，最迟次日上午）",
    "max_file_kb": "单个记录文件的大小上限（KB），超过的文件不读取",
    "rules": "按规则代码关闭规则或改变严重级别，例如 {K404: 'off'}；演示数据不做改动",
}


def _yaml_value(value) -> str:
    if isinstance(value, dict):
        return "".join(f"\n  {k}: {_yaml_value(v)}" for k, v in value.items()) if value else " {}"
    if isinstance(value, list):
        if value and all(isinstance(v, str) and v.isascii() for v in value) and len(value) > 3:
            return "".join(f"\n  - {v}" for v in value)
        return " [" + ", ".join(str(v) for v in value) + "]"
    return f" {value}"


def policy(schema_props: dict) -> str:
    out = ["# 规则阈值：kehu check 按这里的数值检查。修改本文件须经 admin_roles 中的人批准。"]
    for key, spec in schema_props.items():
        if "default" not in spec:
            continue
        value = DEMO_POLICY.get(key, spec["default"])
        out.append("")
        out.append(f"# {COMMENTS.get(key, spec.get('title', key))}")
        out.append(f"{key}:{_yaml_value(value)}")
    return "\n".join(out) + "\n"
