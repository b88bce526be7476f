"""K3xx: who owns a customer — 撞单, load per owner, the owner_history trail, 公海 abuse."""

from __future__ import annotations

import re
from collections import Counter

from kehu.domain import ACTIVE_STAGES, joined, staff_label
from kehu.facts import is_assigner, phone_collisions, pool_releases, staff_role
from kehu.findings import Hit, Text
from kehu.phones import mask_phone
from kehu.rules.base import rule
from kehu.timeutil import local_date, local_datetime

CUSTOMER_ID = re.compile(r"C[0-9]{4}-[0-9]{4,}$")  # a referrer that is a customer, not an agency (K306)


@rule("K301", "phone-collision", "error", "撞单：两位客户共用一个电话号码", "collision: two customers share a phone number",
      reads=("id", "phones", "registered_at", "name", "owner"))
def phone_collision(repo):
    """
    ## 它检查什么
    电话号码先统一写法再比较（`+86 138-0013-8000`、`0086 13800138000`、
    `138 0013 8000` 是同一个号；座机保留区号）。两位客户共用一个号码时，提示落在**后登记**
    的那位客户上，并点名先登记的客户、其客户经理和登记时间；先登记的那位不受影响。

    ## 为什么
    客户冲撞时，以《客户信息登记表》的登记时间判断归属：先登记者得。

    ## 出处
    002 客户管理制度 3.1.3（客户冲撞以登记时间判断归属）

    ## 错误示例
    `C2026-0107`（liuyang，2026-05-02 登记）与 `C2026-0031`（wangli，2026-03-15 登记）
    都写着 `'139 1605 2231'`。

    ## 正确示例
    后登记的客户经理与先登记者核实：同一客户则删除重复档案（走销毁审批），由先登记者跟进。
    """
    for first, later, index in phone_collisions(repo):
        when = local_datetime(first.data.get("registered_at")).strftime("%Y-%m-%d %H:%M")
        owner = staff_label(repo, first.data.get("owner"))
        masked = mask_phone(later.data["phones"][index])
        yield Hit(Text(
            f"撞单：电话 {masked} 已属于先登记的客户 {first.id}（{first.data.get('name')}，"
            f"客户经理 {owner}，{when} 登记）；按登记时间归先登记者，请与其核实",
            f"collision: phone {masked} already belongs to {first.id} ({first.data.get('name')}, "
            f"owner {owner}, registered {when}); the earlier registration wins"),
            record=later, path=("phones", index))


@rule("K302", "owner-overloaded", "warning", "客户经理名下在跟进客户过多", "an owner holds too many active customers",
      reads=("owner", "stage"))
def owner_overloaded(repo):
    """
    ## 它检查什么
    每位员工名下处于跟进中（咨询至验收阶段）的客户数，不超过政策
    `max_customers_per_owner`（默认 300）。提示落在该员工的 staff 文件上。

    ## 为什么
    一个人跟不过来的客户得不到服务，两个月后也会被收回公海；不如早点由市场总监调配。

    ## 出处
    001 客户资源的调配 1（市场总监统一调配客户资源）

    ## 错误示例
    `wangli` 名下 312 位在跟进客户，上限 300。

    ## 正确示例
    市场总监把部分客户改派给其他客户经理，每次改派记入 `owner_history`。
    """
    limit = repo.policy["max_customers_per_owner"]
    assigners = joined(repo.policy["assigner_roles"])
    counts = Counter(c.data.get("owner") for c in repo.of("customer") if c.data.get("stage") in ACTIVE_STAGES)
    staff = repo.ids("staff")
    for owner, count in sorted(counts.items()):
        if owner in staff and count > limit:
            yield Hit(Text(f"名下有 {count} 位在跟进客户，超过上限 {limit}：请{assigners}调配",
                           f"holds {count} active customers, more than {limit}: ask an assigner to rebalance"),
                      record=staff[owner], path=("id",))


@rule("K303", "ownership-trail", "error", "归属变更没有{assigner_roles}的 owner_history 记录",
      "owner changed without an assigner's owner_history entry")
def ownership_trail(repo):
    """
    ## 它检查什么
    第一位归属人是登记人（`registered_by`）。之后每次改变 `owner`，都要在 `owner_history`
    末尾追加一条 `{owner, from, by, reason}`，最后一条必须指向现在的 `owner`；每条的
    `by` 必须是政策 `assigner_roles`（默认：市场总监）里的角色。

    ## 为什么
    客户资源由市场总监统一调配，任何人不得私下互换客户。

    ## 出处
    001 客户资源的调配 1–2

    ## 错误示例
    ```yaml
    owner: wangli
    registered_by: liuyang
    # 没有 owner_history：wangli 是怎么拿到的？
    ```

    ## 正确示例
    ```yaml
    owner: wangli
    registered_by: liuyang
    owner_history:
      - {owner: wangli, from: 2026-04-01, by: sunmin, reason: 刘洋休产假，市场总监改派}
    ```
    """
    assigners = joined(repo.policy["assigner_roles"])
    for customer in repo.of("customer"):
        data = customer.data
        owner, history = data.get("owner"), data.get("owner_history") or []
        if history and history[-1].get("owner") != owner:
            last = history[-1].get("owner")
            yield Hit(Text(f"owner 是 {owner}，但 owner_history 最后一条交给了 {last}：两者应一致",
                           f"owner is {owner} but the last owner_history entry names {last}"),
                      record=customer, path=("owner",))
        elif not history and owner != data.get("registered_by"):
            yield Hit(Text(f"owner（{owner}）不是登记人（{data.get('registered_by')}），却没有 owner_history："
                           f"请由{assigners}补记分配记录",
                           f"owner ({owner}) is not the registrant ({data.get('registered_by')}) and there is "
                           "no owner_history: an assigner must record the assignment"),
                      record=customer, path=("owner",))
        for index, entry in enumerate(history):
            by = entry.get("by")
            role = staff_role(repo, by)
            if role is not None and not is_assigner(repo, by):
                yield Hit(Text(f"{staff_label(repo, by)}是{role}，无权分配客户（只有 {assigners} 可以）",
                               f"{by} is a {role} and may not assign customers (only {joined(repo.policy['assigner_roles'], 'en')})"),
                          record=customer, path=("owner_history", index, "by"))


@rule("K304", "release-and-regrab", "error", "收回公海后又在冷却期内分回原客户经理",
      "a customer released to the pool is given back to the same person within the cooldown")
def release_and_regrab(repo):
    """
    ## 它检查什么
    客户从某人名下收回公海（`owner_history` 里一条 `owner: pool`）后，
    `reclaim_cooldown_days`（默认 30）天内又分回同一个人，视为“放了再抢”。

    ## 为什么
    收回公海是为了让别人接手服务；原客户经理先放后抢，等于重置了两个月的考核时钟。

    ## 出处
    001 客户资源的调配 3（两个月无销售动作，市场总监有权收回、改派其他客户经理）

    ## 错误示例
    ```yaml
    owner_history:
      - {owner: pool, from: 2026-09-01, by: sunmin, reason: 60 天未跟进}
      - {owner: liuyang, from: 2026-09-10, by: sunmin}
    registered_by: liuyang
    ```

    ## 正确示例
    公海客户改派给另一位客户经理，或冷却期满后再分回。
    """
    cooldown = repo.policy["reclaim_cooldown_days"]
    for customer in repo.of("customer"):
        history = customer.data.get("owner_history") or []
        for released_at, person, released in pool_releases(customer):
            back = next((j for j in range(released_at + 1, len(history)) if history[j].get("owner") == person), None)
            when = local_date(history[back].get("from")) if back is not None else None
            if released is None or when is None or (when - released).days >= cooldown:
                continue
            gap = (when - released).days
            yield Hit(Text(
                f"{released} 从 {staff_label(repo, person)} 名下收回公海，{gap} 天后又分回给他/她"
                f"（冷却期 {cooldown} 天）：请改派他人",
                f"released from {person} to the pool on {released} and given back after {gap} days "
                f"(cooldown {cooldown} days): assign someone else"),
                record=customer, path=("owner_history", back, "owner"))


@rule("K305", "referral-owner", "error", "客户点名的介绍人不是客户经理，也没有{assigner_roles}的分配记录",
      "a customer who named a staff member is owned by someone else without an assigner's entry")
def referral_owner(repo):
    """
    ## 它检查什么
    `source.referrer` 写的是一位员工（员工 id）时，客户应归这位员工；`owner` 是别人时，
    `owner_history` 里必须有一条把客户交给现在的 `owner`、`by` 是政策 `assigner_roles`
    （默认：市场总监）里角色的记录。

    ## 为什么
    老客户带来的新客户，指定由原客户经理接待的，客户归原客户经理；当班人员不能把点名
    找别人的客户留给自己，改派只能由市场总监决定。

    ## 出处
    002 客户管理制度 3.1.4–3.1.5（客户能说出联系过的经理、老客户指定原经理的，归原经理）

    ## 错误示例
    ```yaml
    source: {channel: 老客户介绍, referrer: liuyang}
    owner: wangli
    registered_by: wangli   # 当班的王丽登记给了自己
    ```

    ## 正确示例
    `owner: liuyang`；或市场总监改派并记入
    `owner_history: [{owner: wangli, from: 2026-04-01, by: sunmin, reason: 刘洋休假}]`。
    """
    assigners = joined(repo.policy["assigner_roles"])
    staff = repo.ids("staff")
    for customer in repo.of("customer"):
        data = customer.data
        referrer, owner = (data.get("source") or {}).get("referrer"), data.get("owner")
        if not isinstance(referrer, str) or referrer not in staff or owner == referrer:
            continue
        if any(entry.get("owner") == owner and is_assigner(repo, entry.get("by"))
               for entry in data.get("owner_history") or []):
            continue
        yield Hit(Text(f"source.referrer 写明客户点名找 {staff_label(repo, referrer)}，却归了 {staff_label(repo, owner)}，"
                       f"没有{assigners}的分配记录：请把 owner 改回 {referrer}，或由{assigners}改派并记入 owner_history",
                       f"the customer named {referrer} (source.referrer) but is owned by {owner} without an "
                       f"assigner's owner_history entry: give the customer back to {referrer} or have an assigner record the move"),
                  record=customer, path=("owner",))


@rule("K306", "intermediary-unmarked", "warning", "中介介绍的客户没有注明中介",
      "a customer from an agency does not name the agency")
def intermediary_unmarked(repo):
    """
    ## 它检查什么
    来源渠道为“中介”（`source.channel: 中介`）的客户，`source` 要写 `intermediary: true`，
    并在 `referrer` 写明是哪家中介（一段文字，不是员工 id 或客户编号）。

    ## 为什么
    有中介介绍的客户，填写客户信息登记表时应注明是否有中介人；统计报表也按中介占比分析客源。

    ## 出处
    002 客户管理制度 3.1.6（有中介介绍的客户应注明中介人）

    ## 错误示例
    ```yaml
    source: {channel: 中介}
    ```

    ## 正确示例
    ```yaml
    source: {channel: 中介, referrer: 链家古北店, intermediary: true}
    ```
    """
    staff = repo.ids("staff")
    for customer in repo.of("customer"):
        source = customer.data.get("source") or {}
        if source.get("channel") != "中介":
            continue
        referrer = source.get("referrer")
        if source.get("intermediary") is not True:
            yield Hit(Text("来源是中介，但没有注明 intermediary: true：请在 source 里补上",
                           "the channel is 中介 but source does not say intermediary: true: add it"),
                      record=customer, path=("source", "intermediary") if "intermediary" in source else ("source", "channel"))
        if not isinstance(referrer, str) or not referrer.strip() or referrer in staff or CUSTOMER_ID.match(referrer):
            yield Hit(Text("来源是中介，但 source.referrer 没有写明是哪家中介：请填中介名称（如 链家古北店）",
                           "the channel is 中介 but source.referrer does not name the agency: write its name"),
                      record=customer, path=("source", "referrer") if "referrer" in source else ("source", "channel"))
