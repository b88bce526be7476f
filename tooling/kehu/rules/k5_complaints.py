"""K5xx: complaints — investigated, answered and resolved within working days, then a 回访."""

from __future__ import annotations

from kehu.domain import DONE_STATUSES
from kehu.facts import COMPLAINT_STEPS, complaint_deadline
from kehu.findings import Hit, Text
from kehu.rules.base import rule


def _deadline_hits(repo, step: str, what: Text):
    """A complaint whose step happened after, or has not happened by, its deadline."""
    fields = COMPLAINT_STEPS[step][1]
    calendar = repo.calendar
    for complaint in repo.of("complaint"):
        deadline = complaint_deadline(repo, complaint, step)
        if deadline is None or deadline.state not in ("late", "overdue"):
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
            yield Hit(Text(
                f"{received} 受理，应在 {workdays} 个工作日内（{due} 前）{what.zh}，至今未做，已超期 {late} 个工作日",
                f"received {received}; {what.en} was due within {workdays} working days (by {due}) and is "
                f"still not done: {late} working days overdue"), record=complaint, path=("status",))


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
    从 `received_at` 起 `complaint_resolve_wd`（默认 3）个工作日内，要有 `resolved_at`。

    ## 为什么
    售后投诉三个工作日内办结；三天仍未解决的，客户交由他人处理，并逐级上报
    （部门经理 → 品控中心 → 总经办，不得越级）。

    ## 出处
    002 客户管理制度 12（三个工作日内办结）、5（三天未解决转他人）；000 申诉程序

    ## 错误示例
    2026-11-10 受理，11-20 仍未解决，也没有升级记录。

    ## 正确示例
    超期前解决；或在 `escalations` 里记下升级到部门经理、品控中心。
    """
    return _deadline_hits(repo, "resolution", Text("解决", "resolution"))


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
