"""K5xx: complaints — investigated, answered and resolved within working days, then a 回访."""

from __future__ import annotations

from kehu.domain import DONE_STATUSES
from kehu.facts import COMPLAINT_STEPS, complaint_deadline
from kehu.findings import Hit, Text
from kehu.rules.base import rule
from kehu.timeutil import local_date


def _escalations(complaint) -> list[dict]:
    return [e for e in complaint.data.get("escalations") or () if isinstance(e, dict)]


def escalated_by(complaint, due) -> bool:
    """An escalation (a handover to the next level) dated on or before `due`."""
    return any((d := local_date(e.get("at"))) is not None and d <= due for e in _escalations(complaint))


def next_level(repo, complaint) -> Text:
    """The level the complaint goes to next, by the policy's escalation_chain."""
    chain = list(repo.policy["escalation_chain"])
    levels = [e.get("level") for e in _escalations(complaint) if e.get("level") in chain]
    if not levels:
        return Text(f"交给他人处理或上报{chain[0]}", f"hand it to someone else or escalate to {chain[0]}")
    at = chain.index(levels[-1])
    if at + 1 < len(chain):
        return Text(f"上报{chain[at + 1]}", f"escalate to {chain[at + 1]}")
    return Text(f"已在最高一级（{chain[-1]}），请{chain[-1]}尽快解决", f"already at the top ({chain[-1]}): resolve it")


def _deadline_hits(repo, step: str, what: Text, excused=None):
    """A complaint whose step happened after, or has not happened by, its deadline
    (unless `excused(complaint, due)`)."""
    fields = COMPLAINT_STEPS[step][1]
    calendar = repo.calendar
    for complaint in repo.of("complaint"):
        deadline = complaint_deadline(repo, complaint, step)
        if deadline is None or deadline.state not in ("late", "overdue"):
            continue
        if excused is not None and excused(complaint, deadline.due):
            continue
        received, workdays, due = deadline.received, deadline.workdays, deadline.due
        if deadline.state == "late":
            late = calendar.workdays_between(due, deadline.done)
            own = fields[0] if complaint.data.get(fields[0]) is not None else "received_at"
            yield Hit(Text(
                f"{received} 受理，应在 {workdays} 个工作日内（{due} 前）{what.zh}，实际 {deadline.done}，晚了 {late} 个工作日",
                f"received {received}; {what.en} was due within {workdays} working days (by {due}), "
                f"done {deadline.done}: {late} working days late"), record=complaint, path=(own,), done_late=True)
        else:
            late = calendar.workdays_between(due, repo.today)
            then = next_level(repo, complaint) if step == "resolution" else None
            yield Hit(Text(
                f"{received} 受理，应在 {workdays} 个工作日内（{due} 前）{what.zh}，至今未做，已超期 {late} 个工作日"
                + (f"：请{then.zh}，记在 escalations 里" if then else ""),
                f"received {received}; {what.en} was due within {workdays} working days (by {due}) and is "
                f"still not done: {late} working days overdue" + (f": {then.en}, and record it in escalations" if then else "")),
                record=complaint, path=("status",))


@rule("K501", "complaint-investigation", "error", "投诉未在 {complaint_investigate_wd:个工作日}内开始调查",
      "complaint investigation not started within {complaint_investigate_wd:working day}")
def complaint_investigation(repo):
    """
    ## 它检查什么
    从 `received_at` 起 `complaint_investigate_wd`（默认 1）个工作日内，要有
    `investigation_started_at`（已有答复或解决时间的，以较早者视为已开始）。工作日按国务院
    放假调休安排计算，政策 `extra_holidays` / `extra_workdays` 可补充。

    ## 为什么
    接到投诉后一个工作日内必须展开调查。

    ## 出处
    002 客户管理制度 13（投诉一个工作日内调查，两个工作日内给予满意答复）

    ## 错误示例
    2025-09-30 受理，2025-10-14 才开始调查（国庆假期后的期限是 10-09）。

    ## 正确示例
    2025-09-30 受理，2025-10-08 前开始调查（10-01 至 10-08 放假，不算工作日）。
    """
    return _deadline_hits(repo, "investigation", Text("开始调查", "the investigation"))


@rule("K502", "complaint-reply", "error", "投诉未在 {complaint_reply_wd:个工作日}内答复客户",
      "no reply to the customer within {complaint_reply_wd:working day}")
def complaint_reply(repo):
    """
    ## 它检查什么
    从 `received_at` 起 `complaint_reply_wd`（默认 2）个工作日内，要有 `replied_at`
    （已解决的以 `resolved_at` 为准）。

    ## 为什么
    两个工作日内要给客户满意的答复。

    ## 出处
    002 客户管理制度 13

    ## 错误示例
    2026-11-10 受理，状态仍是“调查中”，没有答复时间。

    ## 正确示例
    ```yaml
    received_at: 2026-11-10 09:20:00
    replied_at: 2026-11-11 16:00:00
    ```
    """
    return _deadline_hits(repo, "reply", Text("答复客户", "a reply"))


@rule("K503", "complaint-resolution", "error", "投诉未在 {complaint_resolve_wd:个工作日}内解决：升级或换人处理",
      "complaint not resolved within {complaint_resolve_wd:working day}: escalate or reassign")
def complaint_resolution(repo):
    """
    ## 它检查什么
    从 `received_at` 起 `complaint_resolve_wd`（默认 3）个工作日内，要有 `resolved_at`；
    或者在期限内（当天或之前）已经上报上一级、交给他人处理——`escalations` 里有一条
    `at` 不晚于期限的记录。投诉没有单独的“换人”字段：换人处理也记成一条上报。
    超期未解决也未上报的，提示下一步该上报到哪一级（政策 `escalation_chain`）。

    ## 为什么
    售后投诉三个工作日内办结；三天仍未解决的，客户交由他人处理，并逐级上报
    （部门负责人 → 分管副总 → 总经理，不得越级，见 K505）。

    ## 出处
    002 客户管理制度 12（六.二 三个工作日内办结；六.一 逐级请示）、制度 5（三天未解决转他人）

    ## 错误示例
    2026-11-10 受理，11-20 仍未解决，也没有上报记录。

    ## 正确示例
    超期前解决；或在期限内在 `escalations` 里记下上报部门经理：
    ```yaml
    escalations:
      - {level: 部门经理, at: 2026-11-13 10:00:00, by: sunli, note: 三个工作日未解决，转部门经理}
    ```
    """
    return _deadline_hits(repo, "resolution", Text("解决", "resolution"), excused=escalated_by)


@rule("K505", "complaint-escalation-order", "error", "投诉越级上报或倒退", "complaint escalation skips a level or goes back")
def complaint_escalation_order(repo):
    """
    ## 它检查什么
    投诉 `escalations` 按先后顺序，层级必须沿政策 `escalation_chain`（默认 部门经理 →
    分管副总 → 总经理）一级一级往上：第一条是第一级，之后每条是同一级或上一条的下一级。
    跳级、倒退，或写了不在上报顺序里的层级，都报错。

    ## 为什么
    客户仍不满意时由部门负责人请示分管副总，再由分管副总请示总经理；越级上报会让
    中间一级不知情，也打乱权限。

    ## 出处
    002 客户管理制度 12（六.一 逐级向上级请示处理）；000 第五章 5.2（不允许私越级）

    ## 错误示例
    ```yaml
    escalations:
      - {level: 部门经理, at: 2026-11-11 10:00:00, by: sunli}
      - {level: 总经理, at: 2026-11-12 10:00:00, by: sunli}   # 跳过了分管副总
    ```

    ## 正确示例
    ```yaml
    escalations:
      - {level: 部门经理, at: 2026-11-11 10:00:00, by: sunli}
      - {level: 分管副总, at: 2026-11-12 10:00:00, by: sunli}
    ```
    """
    chain = list(repo.policy["escalation_chain"])
    order = " → ".join(chain)
    for complaint in repo.of("complaint"):
        before = -1
        for i, entry in enumerate(complaint.data.get("escalations") or ()):
            level = entry.get("level") if isinstance(entry, dict) else None
            if not isinstance(level, str):
                continue
            path = ("escalations", i, "level")
            if level not in chain:
                yield Hit(Text(f"“{level}”不是上报层级；上报顺序是 {order}（政策 escalation_chain）",
                               f"{level!r} is not an escalation level; the chain is {order} (policy escalation_chain)"),
                          record=complaint, path=path)
                continue
            at = chain.index(level)
            expected = chain[min(before + 1, len(chain) - 1)]
            if at > before + 1:
                yield Hit(Text(f"越级上报到{level}：应先上报{expected}（{order}）",
                               f"escalated to {level}, skipping {expected} ({order})"), record=complaint, path=path)
            elif at < before:
                yield Hit(Text(f"上报倒退到{level}：上一条已是{chain[before]}，下一步应是{expected}（{order}）",
                               f"escalation goes back to {level} after {chain[before]}; next is {expected} ({order})"),
                          record=complaint, path=path)
            before = max(before, at)


@rule("K504", "complaint-followup", "warning", "投诉已解决但没有回访", "complaint resolved or closed without a 回访")
def complaint_followup(repo):
    """
    ## 它检查什么
    状态为“已解决”或“已关闭”的投诉，要有 `follow_up`（回访：谁、何时、客户是否满意）。

    ## 为什么
    每件投诉处理后都要回访客户，确认满意再归档。

    ## 出处
    002 客户管理制度 12（投诉处理后回访、归档）

    ## 错误示例
    ```yaml
    status: 已解决
    resolved_at: 2026-10-12 17:00:00
    # 没有 follow_up
    ```

    ## 正确示例
    ```yaml
    follow_up: {at: 2026-10-15 10:00:00, by: zhouhui, satisfied: true, comment: 客户表示满意}
    ```
    """
    for complaint in repo.of("complaint"):
        if complaint.data.get("status") in DONE_STATUSES and not complaint.data.get("follow_up"):
            yield Hit(Text(f"投诉{complaint.data['status']}，但没有回访记录（follow_up）",
                           "resolved or closed without a follow-up (follow_up)"),
                      record=complaint, path=("status",))
