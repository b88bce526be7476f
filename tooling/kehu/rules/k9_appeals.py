"""K9xx: appeals (申诉) — one level at a time, each level answers in working days, and the
owner change that settles a dispute cites an appeal decided 改判."""

from __future__ import annotations

from kehu.findings import Hit, Text
from kehu.rules.base import rule
from kehu.timeutil import local_date

OPEN = "处理中"
REVERSED = "改判"


def appeal_chain(repo) -> list[str]:
    """部门经理 → 品控中心 → 总经办: the appeal schema's level enum, in its order."""
    return list(repo.schemas.vocabulary("appealLevel"))


def _steps(appeal) -> list[tuple[int, dict]]:
    return [(i, s) for i, s in enumerate(appeal.data.get("steps") or ()) if isinstance(s, dict)]


@rule("K901", "appeal-skips-a-level", "error", "申诉越级", "an appeal skips a level")
def appeal_skips_a_level(repo):
    """
    ## 它检查什么
    申诉的 `steps` 按先后顺序，第一级必须是部门经理，之后每一级是上一级的下一级
    （部门经理 → 品控中心 → 总经办）：跳过一级、倒退或同一级写两次都报错。

    ## 为什么
    员工解决不了的先找本部门经理；部门经理协商不了再由部门经理提交品控中心；品控中心
    也解决不了才提报总经办。不允许私自越级申诉，各部门也不得越级、越权受理。

    ## 出处
    000 装饰公司客户资源管理办法 第五章（5.1 申请/申诉路线，5.2 不允许越级，5.3 越级受理罚款 500 元）

    ## 错误示例
    ```yaml
    steps:
      - {level: 部门经理, at: 2026-03-02 10:00:00, by: zhaomin, decision: 上报}
      - {level: 总经办, at: 2026-03-03 10:00:00}   # 跳过了品控中心
    ```

    ## 正确示例
    ```yaml
    steps:
      - {level: 部门经理, at: 2026-03-02 10:00:00, by: zhaomin, decision: 上报}
      - {level: 品控中心, at: 2026-03-03 10:00:00, by: luoqiang, decision: 改判}
    ```
    """
    chain = appeal_chain(repo)
    order = " → ".join(chain)
    for appeal in repo.of("appeal"):
        before = -1
        for i, step in _steps(appeal):
            level = step.get("level")
            if level not in chain:
                continue  # the schema says so
            at = chain.index(level)
            if at != before + 1:
                expected = chain[before + 1] if before + 1 < len(chain) else None
                what = (Text(f"应是{expected}", f"the next level is {expected}") if expected
                        else Text(f"{chain[-1]}已是最后一级", f"{chain[-1]} is the last level"))
                first = Text("第一级", "the first step") if before < 0 else Text(f"上一级是{chain[before]}", f"after {chain[before]}")
                yield Hit(Text(f"申诉越级：{first.zh}，这一级写的是{level}，{what.zh}（{order}）",
                               f"the appeal skips a level: {first.en} it goes to {level}; {what.en} ({order})"),
                          record=appeal, path=("steps", i, "level"))
            before = at


@rule("K902", "appeal-unanswered", "warning", "申诉在一级停留超过 {appeal_step_wd:个工作日}未答复",
      "an appeal unanswered at one level for more than {appeal_step_wd:working day}")
def appeal_unanswered(repo):
    """
    ## 它检查什么
    处理中（`status: 处理中`）的申诉，最后一级从提交（`at`）起 `appeal_step_wd`（默认 3）
    个工作日内要有 `decision`（维持、改判或上报）。工作日按国务院放假调休安排计算。

    ## 为什么
    申诉一级一级往上走，任何一级压着不答复，争议（例如撞单的归属）就一直悬着，
    客户也没人跟进。

    ## 出处
    000 装饰公司客户资源管理办法 第五章 5.1（各级协商解决、逐级提报）

    ## 错误示例
    ```yaml
    status: 处理中
    steps:
      - {level: 品控中心, at: 2026-03-02 10:00:00, by: luoqiang}   # 一周过去了仍无决定
    ```

    ## 正确示例
    ```yaml
    steps:
      - {level: 品控中心, at: 2026-03-02 10:00:00, by: luoqiang, decision: 改判, note: 到店记录在先}
    ```
    """
    calendar = repo.calendar
    limit = repo.policy["appeal_step_wd"]
    for appeal in repo.of("appeal"):
        steps = _steps(appeal)
        if appeal.data.get("status") != OPEN or not steps:
            continue
        i, step = steps[-1]
        since = local_date(step.get("at"))
        if step.get("decision") is not None or since is None:
            continue
        due = calendar.add_workdays(since, limit)
        if repo.today <= due:
            continue
        late = calendar.workdays_between(due, repo.today)
        level = step.get("level")
        yield Hit(Text(f"申诉 {since} 提交到{level}，应在 {limit} 个工作日内（{due} 前）答复，已超期 {late} 个工作日："
                       f"请{level}作出维持、改判或上报的决定，写进 decision",
                       f"the appeal went to {level} on {since} and was due an answer within {limit} working days "
                       f"(by {due}): {late} working days overdue; {level} must decide (维持, 改判 or 上报) in `decision`"),
                  record=appeal, path=("steps", i, "at"))


# it compares a customer with an appeal that may name another customer: across the repository
@rule("K903", "owner-change-cites-appeal", "error", "归属变更引用的申诉不是本客户已改判的申诉",
      "an owner change cites an appeal that is not this customer's or was not decided 改判",
      reads=("owner_history", "customer", "steps"))
def owner_change_cites_appeal(repo):
    """
    ## 它检查什么
    客户 `owner_history` 里写了 `appeal` 的一条，引用的申诉必须是这位客户的申诉，并且
    有一级的决定是“改判”：撞单等归属争议以申诉改判为准，维持原判或还在处理中的申诉
    不能作为变更归属的依据。申诉编号不存在的由 K201 报告。

    ## 为什么
    撞单的客户归谁，由申诉逐级裁决；归属变更写明依据的申诉，才能查到是谁、在哪一级
    改判的。

    ## 出处
    000 装饰公司客户资源管理办法 第五章；001 客户资源的调配（撞单归属的裁决）

    ## 错误示例
    ```yaml
    owner_history:
      - {owner: lina, from: 2026-03-05, by: chenjing, appeal: A2026-0001}   # 这件申诉维持原判
    ```

    ## 正确示例
    ```yaml
    owner_history:
      - {owner: lina, from: 2026-03-05, by: chenjing, appeal: A2026-0002}   # 品控中心改判归 lina
    ```
    """
    appeals = {a.id: a for a in repo.of("appeal") if a.id}
    for customer in repo.of("customer"):
        for i, entry in enumerate(customer.data.get("owner_history") or ()):
            cited = entry.get("appeal") if isinstance(entry, dict) else None
            appeal = appeals.get(cited) if isinstance(cited, str) else None
            if appeal is None:
                continue  # none cited, or K201
            if appeal.data.get("customer") != customer.id:
                yield Hit(Text(f"申诉 {cited} 是客户 {appeal.data.get('customer')} 的申诉，不是 {customer.id} 的",
                               f"appeal {cited} concerns customer {appeal.data.get('customer')}, not {customer.id}"),
                          record=customer, path=("owner_history", i, "appeal"))
            elif not any(step.get("decision") == REVERSED for _, step in _steps(appeal)):
                yield Hit(Text(f"申诉 {cited} 没有任何一级改判（{_decisions(appeal)}），不能作为变更归属的依据",
                               f"appeal {cited} was not decided 改判 at any level ({_decisions(appeal)}): "
                               "it does not support an owner change"),
                          record=customer, path=("owner_history", i, "appeal"))


def _decisions(appeal) -> str:
    said = [f"{s.get('level')}{s.get('decision') or '未决定'}" for _, s in _steps(appeal)]
    return "、".join(said) or "还没有处理"
