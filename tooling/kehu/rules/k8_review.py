"""K8xx: a change as git shows it — who may make it, and what nobody may do.

These rules run in `kehu review`, on a Review (kehu.review) rather than on the records.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from kehu.calendar import WorkCalendar
from kehu.domain import POOL, joined
from kehu.facts import as_dict, as_list
from kehu.findings import Hit, Text
from kehu.load import DATE_FIELDS
from kehu.phones import mask_phone, phone_key
from kehu.rules.base import rule
from kehu.timeutil import SHANGHAI, local_date, local_datetime

RETAINED = ("customer", "visit", "complaint")  # the archives that `retention_years` governs


def _hit(change, message: Text, path=()):
    record = change.record or (change.before.record if change.before else None)
    return Hit(message, file=change.path, path=path, record_id=record.id if record else None)


@rule("K801", "foreign-record", "error", "改了别人名下的客户，需要其本人或{assigner_roles}批准",
      "a change to someone else's customer needs their or an assigner's approval", stage="review")
def foreign_record(review):
    """
    ## 它检查什么
    作者修改了别人名下的客户，或新增、修改了别人名下客户的回访或投诉，而 `--approved-by`
    里既没有该客户的归属人，也没有市场总监（政策 `assigner_roles`）。提示列出谁可以批准
    （员工 id 和代码托管平台的用户名）。归属人按目标分支（合并基点）上的档案认定。

    ## 为什么
    客户资源归个人负责，任何人不得私自改动或“互换”他人客户；审阅人的批准就是授权。

    ## 出处
    001 客户资源的调配 1–2；002 客户管理制度 14（查看、改动他人客户须经批准）

    ## 错误示例
    王丽（wangli）给刘洋名下的 C2025-0042 补了一条回访，PR 没有刘洋或市场总监的批准。

    ## 正确示例
    刘洋或市场总监在 PR 上批准；CI 以 `--approved-by liuyang` 调用 `kehu review`。
    """
    if review.author is None:
        yield Hit(Text(
            f"作者 {review.author_label} 不在员工名单里（staff 文件的 id、git.emails、git.handle），无法确认权限：按无权限处理",
            f"the author {review.author_label} is not on the staff list (id, git.emails or git.handle in staff "
            "files): treated as having no rights"))
    for change in review.changes:
        for code, needed in review.unmet(change):
            if code != "K801":
                continue
            owners = [o for o in review.owners_of(change) if o in needed or o == POOL]
            owner = owners[0] if owners else None
            whose = Text("公海客户", "a pool customer") if owner == POOL else Text(
                f"{review.who([owner]).zh} 名下的客户", f"a customer of {review.who([owner]).en}")
            yield _hit(change, Text(f"改动了{whose.zh}，需要以下任一人批准：{review.who(needed).zh}",
                                    f"changes {whose.en}; needs approval by one of: {review.who(needed).en}"))


@rule("K802", "owner-change", "error", "改变归属人却没有{assigner_roles}的 owner_history 记录",
      "owner changed without an assigner's owner_history entry", stage="review")
def owner_change(review):
    """
    ## 它检查什么
    改动里 `owner` 变了（包括把公海客户拿给自己），却没有在 `owner_history` 末尾追加一条
    由有分配权的人（政策 `assigner_roles`）记下的、指向新归属人的记录。任何批准都不能放行。

    ## 为什么
    客户资源由市场总监统一调配，私自改归属人就是抢单。

    ## 出处
    001 客户资源的调配 1–3

    ## 错误示例
    ```yaml
    owner: wangli        # 原来是 pool，王丽自己改的，owner_history 没有新记录
    ```

    ## 正确示例
    用 `kehu pool --assign C2025-0042 --to wangli --by zhaomin`，由市场总监在记录里签名。
    """
    for change in review.changes:
        after = change.after.record if change.after else None
        if after is None or after.kind != "customer" or change.kind == "deleted":
            continue
        before = review.customer(after.id)
        old_owner = before.data.get("owner") if before else after.data.get("registered_by")
        new_owner = after.data.get("owner")
        if new_owner == old_owner:
            continue
        old_history = as_list(before.data.get("owner_history")) if before else []
        new_history = as_list(after.data.get("owner_history"))
        added = new_history[len(old_history):] if new_history[:len(old_history)] == old_history else []
        last = as_dict(added[-1]) if added else {}
        if last.get("owner") == new_owner and last.get("by") in review.assigners:
            continue
        assigners = joined(review.policy["assigner_roles"])
        yield _hit(change, Text(
            f"归属人从 {old_owner} 改成了 {new_owner}，但 owner_history 没有{assigners}新记的分配记录；"
            "请由有分配权的人操作（kehu pool --assign），批准也不能放行",
            f"owner changed from {old_owner} to {new_owner} without a new owner_history entry by an assigner; "
            "no approval clears this"), path=("owner",))


@rule("K803", "deletion-without-disposal", "error", "删除记录文件却没有销毁记录，或未满保管期限",
      "a record file is deleted without a disposal record, or before its retention ends", stage="review")
def deletion_without_disposal(review):
    """
    ## 它检查什么
    删除客户、回访或投诉文件时，同一改动里必须新增一条销毁记录（`records/disposals/`），
    其 `records` 列出被删的编号，并且销毁记录的每一位批准人（`approved_by`）都在 PR 上批准了
    （`--approved-by`）；记录的日期（登记、回访、受理）距今已满 `retention_years`（默认 10）年。
    改名、改编号、挪到别的目录，都算删除原文件加新增一个文件。

    ## 为什么
    客户档案保管 10 年，到期销毁须经审批并做好销毁记录。

    ## 出处
    002 客户管理制度 3.2.8（档案保管期限 10 年，销毁须审批、留记录）

    ## 错误示例
    删除 `records/customers/2024/C2024-0031.yaml`，没有销毁记录（或才 2 年）。

    ## 正确示例
    同一个 PR 里新增 `records/disposals/2026/D2026-0001.yaml`，`records: [C2014-0007, …]`，
    由总经理和市场总监批准。
    """
    approved, unsigned = set(), {}
    for change in review.changes:
        record = change.record
        if change.kind == "deleted" or record is None or record.kind != "disposal" or review.record_kind(change) is None:
            continue
        names = {r for r in as_list(record.data.get("records")) if isinstance(r, str)}
        signers = [s for s in as_list(record.data.get("approved_by")) if isinstance(s, str)]
        missing = [s for s in signers if s not in review.approvals] or ([] if signers else ["?"])
        if missing:  # a disposal counts only when everyone it names approved the pull request
            unsigned.update(dict.fromkeys(names, (record.id, missing)))
        else:
            approved |= names
    years = review.policy["retention_years"]
    for change in review.changes:
        if change.kind != "deleted" or change.before is None or change.before.record is None:
            continue
        record = change.before.record
        if record.kind not in RETAINED:
            continue
        if record.id in unsigned and record.id not in approved:
            disposal, missing = unsigned[record.id]
            yield _hit(change, Text(
                f"删除了 {record.id}：销毁记录 {disposal} 写的批准人没有在 PR 上批准（{review.who(missing).zh}）",
                f"{record.id} is deleted: the approvers named by disposal {disposal} did not approve the pull "
                f"request ({review.who(missing).en})"))
            continue
        if record.id not in approved:
            yield _hit(change, Text(f"删除了 {record.id}，但本次改动没有列出它的销毁记录（records/disposals/）；"
                                    "改名或改编号也算删除",
                                    f"{record.id} is deleted without a disposal record naming it in this change "
                                    "(a rename or a new number counts as a deletion)"))
            continue
        dated = local_date(record.data.get(DATE_FIELDS[record.kind]))
        if dated is not None:
            until = _years_after(dated, years)
            if review.today < until:
                yield _hit(change, Text(f"{record.id} 的档案要保管到 {until}（{years} 年），现在还不能销毁",
                                        f"{record.id} must be kept until {until} ({years} years)"))


def _years_after(day, years: int):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@rule("K804", "registration-time", "error", "登记时间早于首次提交（倒签）或事后被改",
      "registered_at is earlier than the commit that added the customer, or was changed", stage="review")
def registration_time(review):
    """
    ## 它检查什么
    新增客户的改动到达时，已经过了登记期限（`registration_deadline`，默认接待后次日 10:00，
    见 K809）再加 `registration_grace_hours`（默认 24 小时）：登记时间本身就可疑（倒签）；
    已有客户的 `registered_at` 不得再改。到达时间取代码托管平台的 `--received-at`（PR 的创建时间）；
    没有时才用 git 提交的作者时间（谁都能设，见 K807）。
    由 `kehu import --write` 导入、带 `imported:` 的旧记录，经管理层（`admin_roles`）批准后
    允许更早的登记时间。

    ## 为什么
    撞单以登记时间判断归属：登记时间必须在登记当时写下、事后不可改，“先登记者得”才站得住。

    ## 出处
    002 客户管理制度 3.1.3（以登记表的登记时间判断归属）、6（当天登记，最迟次日 10 点）

    ## 错误示例
    11 月 20 日提交的新客户写着 `registered_at: 2026-11-02 09:00:00`，想抢在别人之前。

    ## 正确示例
    `registered_at` 是接待客户的时间，当天或次日提交。
    """
    grace = timedelta(hours=review.policy["registration_grace_hours"])
    for change in review.changes:
        after = change.after.record if change.after else None
        if after is None or after.kind != "customer" or change.kind == "deleted":
            continue
        registered = local_datetime(after.data.get("registered_at"))
        before = review.customer(after.id)
        if before is not None:
            if local_datetime(before.data.get("registered_at")) != registered:
                yield _hit(change, Text(
                    f"登记时间从 {before.data.get('registered_at')} 改成了 {after.data.get('registered_at')}："
                    "登记时间一经提交不得更改",
                    f"registered_at changed from {before.data.get('registered_at')} to "
                    f"{after.data.get('registered_at')}: it may not change once committed"), path=("registered_at",))
            continue
        committed_local = _arrival(review, change)
        if registered is None or committed_local is None:
            continue
        if review.imported_early(change) and not any(code == "K804" for code, _ in review.unmet(change)):
            continue  # an imported legacy row, approved by an admin
        # the grace runs from the registration deadline (Friday's customer on Monday morning is
        # on time): up to it a late change is K809's, beyond it the date itself is in doubt
        if committed_local > registration_due(review, registered) + grace:
            hours = int((committed_local - registered).total_seconds() // 3600)
            yield _hit(change, Text(
                f"登记时间 {registered:%Y-%m-%d %H:%M} 比改动到达（{committed_local:%Y-%m-%d %H:%M}）早 {hours} 小时，"
                f"超过 {review.policy['registration_grace_hours']} 小时宽限：疑似倒签"
                + (f"；导入的旧记录须管理层批准：{review.who(review.admins).zh}" if review.imported_early(change) else ""),
                f"registered_at {registered:%Y-%m-%d %H:%M} is {hours} hours before the change arrived "
                f"({committed_local:%Y-%m-%d %H:%M}), beyond the grace period: back-dated?"
                + (f" Imported rows need an admin's approval: {review.who(review.admins).en}"
                   if review.imported_early(change) else "")), path=("registered_at",))


@rule("K805", "admin-files", "error", "制度、schema 或员工档案的改动需要管理层批准",
      "policy, schemas or staff files changed without an admin", stage="review")
def admin_files(review):
    """
    ## 它检查什么
    凡不是“按目录规则存放的客户、回访、投诉、销毁记录”的文件，都是管理文件：
    `records/policy.yaml`、`schemas/`、`records/staff/`、`kehu.yaml`、`mkdocs.yml`、`site/`、
    `.github/`、`.gitlab-ci.yml`、`CODEOWNERS`、`.pre-commit-config.yaml` 以及其他任何文件。
    作者的角色不在政策 `admin_roles`（默认：总经理、市场总监）里时，需要其中一人批准；
    提示列出可批准的人。角色按目标分支（合并基点）上的员工档案认定，改动本身不能给自己授权。

    记录里新增或修改的豁免（`exceptions`）也在这里：需要豁免的签名人（`by`）本人批准。

    ## 为什么
    规则阈值、档案格式和人员角色决定了谁能做什么，只能由管理层修改。

    ## 出处
    001 市场部的权责（市场部重要事项由市场总监决策）；000 总经理职责

    ## 错误示例
    客户经理把 `max_customers_per_owner` 从 300 改成 1000，或把自己的 role 改成市场总监。

    ## 正确示例
    由总经理或市场总监提交，或在 PR 上批准。
    """
    for change in review.changes:
        for code, needed in review.unmet(change):
            if code != "K805":
                continue
            if review.path_is_admin(change):
                yield _hit(change, Text("这个文件不是记录文件（制度、schema、员工档案、站点、CI 等），改动需要管理层批准："
                                        f"{review.who(needed).zh}",
                                        f"not a record file (policy, schemas, staff, site, CI, ...): changing it needs "
                                        f"an admin's approval: {review.who(needed).en}"))
            else:
                yield _hit(change, Text(f"新增或修改了豁免（exceptions），需要签名人本人批准：{review.who(needed).zh}",
                                        f"adds or changes an exception; the person who signed it must approve: "
                                        f"{review.who(needed).en}"), path=("exceptions",))


def _public_name(customer) -> str:
    """The other customer's name for the message where the PR's author may read it: not for a
    机密/绝密 customer, nor a sealed name (issue 18); else ""."""
    from kehu.domain.vocabulary import DEFAULT_CONFIDENTIALITY
    from kehu.sealing import is_sealed

    name = customer.data.get("name")
    if customer.data.get("confidentiality", DEFAULT_CONFIDENTIALITY) != DEFAULT_CONFIDENTIALITY or is_sealed(name):
        return ""
    return str(name)


def added_customers(changes) -> list:
    return [change for change in changes if change.kind == "added" and change.after and change.after.record is not None
            and change.after.record.kind == "customer"]


def added_phone_digits(changes) -> list[str]:
    """The digits of the phones of the customers a change adds, as K806 searches the base for
    them (the search is started early, review.run_review, so both must ask the same)."""
    keys = [phone_key(p) for change in added_customers(changes)
            for p in as_list(change.after.record.data.get("phones")) if isinstance(p, str)]
    return [key.lstrip("0") if key.startswith("0") else key for key in keys if key]


@rule("K806", "collision-in-change", "error", "新登记的客户电话已属于别人的客户（PR 内撞单）",
      "the change registers a customer whose phone belongs to another owner's customer", stage="review")
def collision_in_change(review):
    """
    ## 它检查什么
    改动新增的客户，其电话（统一写法后）已经属于目标分支上另一位归属人的客户。

    ## 为什么
    撞单时先登记者得；在合并前拦下，免得两个人同时跟进同一位客户。

    ## 出处
    002 客户管理制度 3.1.3–3.1.5

    ## 错误示例
    王丽新登记的客户电话 139****2231，已是刘洋名下 C2025-0014 的号码。

    ## 正确示例
    先用 `kehu check` 或站点搜索电话，已有客户就找归属人协商，不要重复登记。
    """
    added = [(change, change.after.record) for change in added_customers(review.changes)
             if not review.customer(change.after.record.id)]
    candidates = review.git.customers_with_digits(added_phone_digits(review.changes))
    for change, after in added:
        for index, phone in enumerate(as_list(after.data.get("phones"))):
            if not isinstance(phone, str):
                continue
            key = phone_key(phone)
            others = [c for c in candidates
                      if c.id != after.id and c.data.get("owner") != after.data.get("owner")
                      and any(phone_key(p) == key for p in as_list(c.data.get("phones")) if isinstance(p, str))]
            if others:
                other = others[0]
                owner = review.who([other.data.get("owner")])
                name = _public_name(other)
                yield _hit(change, Text(
                    f"撞单：电话 {mask_phone(phone)} 已属于 {other.id}（{name + '，' if name else ''}{owner.zh}）",
                    f"collision: phone {mask_phone(phone)} already belongs to {other.id} "
                    f"({name + ', ' if name else ''}{owner.en})"), path=("phones", index))
                break


@rule("K807", "untrusted-metadata", "warning", "身份或时间取自提交信息，任何人都能伪造",
      "identity/time taken from commit metadata, which anyone can set", stage="review")
def untrusted_metadata(review):
    """
    ## 它检查什么
    `kehu review` 没有拿到代码托管平台担保的作者（`--author`，打开 PR 的人）或到达时间
    （`--received-at`，PR 的创建时间），只好用提交里写的作者和时间。这些谁都能改
    （`git commit --author`、`--date`），所以结论不可全信。

    ## 为什么
    审阅人的批准就是权限控制；作者是谁、登记是否倒签，只能以平台的记录为准。

    ## 出处
    002 客户管理制度 3.1.3（以登记时间判断归属）；客户信息保密制度（权限）

    ## 错误示例
    CI 里运行 `kehu review --base main`，没有传 `--author` 和 `--received-at`。

    ## 正确示例
    使用随 kehu 提供的 CI 模板：它从 PR 事件里取打开者和创建时间传给 `kehu review`。
    """
    if review.untrusted:
        what = {"author": ("作者", "identity"), "time": ("时间", "time")}
        zh = "、".join(what[w][0] for w in review.untrusted)
        en = " and ".join(what[w][1] for w in review.untrusted)
        yield Hit(Text(f"{zh}取自提交信息（任何人都能伪造）：CI 应传 --author 和 --received-at（代码托管平台的 PR 打开者和创建时间）",
                       f"{en} taken from commit metadata, which anyone can set: CI should pass --author and "
                       "--received-at (the pull request's opener and creation time from the code host)"))


@rule("K808", "forbidden-path", "error", "不允许的文件：符号链接、提交的缓存、records/ 下的非记录文件",
      "a symlink, a committed cache, or a non-record file under records/", stage="review")
def forbidden_path(review):
    """
    ## 它检查什么
    改动里有：任何位置的符号链接或子模块；提交进来的 `.kehu-cache/`；`records/` 下不是
    按目录规则存放的记录文件（隐藏文件、`.bak`、别的扩展名、放错目录）。任何批准都不能放行。

    ## 为什么
    符号链接能把仓库外的文件（或另一位客户的绝密档案）带进检查和站点；提交的缓存能让
    CI 相信一个伪造的检查结果；`records/` 下的隐藏文件或改名文件能让记录“消失”而不留
    销毁记录。

    ## 出处
    002 客户管理制度 3.2.8（档案销毁须审批）；客户信息保密制度

    ## 错误示例
    把 `records/customers/2026/C2026-0960.yaml` 改名为 `.C2026-0960.yaml`；提交
    `.kehu-cache/check.json`；`records/customers/2026/C2026-0100.yaml` 是指向别处的链接。

    ## 正确示例
    只提交按目录规则命名的记录文件；要删除记录就附上销毁记录（K803）。
    """
    for change in review.changes:
        why = review.forbidden(change)
        if why is not None:
            yield _hit(change, Text(f"{why.zh}；任何批准都不能放行", f"{why.en}; no approval clears this"))


@rule("K809", "late-registration", "error", "新客户登记晚了：最迟接待后次日 10:00 前登记",
      "a new customer registered too late: by 10:00 of the next working day at the latest", stage="review")
def late_registration(review):
    """
    ## 它检查什么
    改动新增的客户，到达时间（代码托管平台的 `--received-at`，PR 创建时间；没有时用提交时间，
    见 K807）晚于 `registered_at` 之后第 `registration_deadline.workdays`（默认 1）个工作日的
    `registration_deadline.time`（默认 10:00）。由 `kehu import` 导入的旧记录（带 `imported:`）
    不在此列，它们由 K804 和管理层批准把关。

    ## 为什么
    登记晚了，撞单时就说不清谁先接待；制度要求当天登记，最迟次日上午十点。

    ## 出处
    002 客户管理制度 6、3.1.1（当天登记，最迟次日 10:00 前）

    ## 错误示例
    周一 15:00 接待（`registered_at: 2026-11-16 15:00:00`），周三才发 PR。

    ## 正确示例
    周一接待，周二 10:00 前发 PR（节假日顺延到下一个工作日）。
    """
    grace = timedelta(hours=review.policy["registration_grace_hours"])
    for change in review.changes:
        after = change.after.record if change.after else None
        if change.kind != "added" or after is None or after.kind != "customer" or review.customer(after.id):
            continue
        if isinstance(after.data.get("imported"), dict):
            continue
        registered = local_datetime(after.data.get("registered_at"))
        arrived = _arrival(review, change)
        if registered is None or arrived is None:
            continue
        due = registration_due(review, registered)
        if due < arrived <= due + grace:  # later than that is K804's: the date itself is in doubt
            yield _hit(change, Text(
                f"{registered:%Y-%m-%d %H:%M} 接待，应在 {due:%Y-%m-%d %H:%M} 前登记，"
                f"实际 {arrived:%Y-%m-%d %H:%M} 才提交：请当天登记；撞单时以登记时间为准",
                f"received the customer at {registered:%Y-%m-%d %H:%M}; registration was due by {due:%Y-%m-%d %H:%M} "
                f"and arrived {arrived:%Y-%m-%d %H:%M}: register on the day"), path=("registered_at",))


def registration_due(review, registered: datetime) -> datetime:
    """The registration deadline of a customer received at `registered` (policy
    `registration_deadline`: the n-th working day after, before hh:mm)."""
    rule_ = review.policy["registration_deadline"]
    hour, minute = (int(part) for part in rule_["time"].split(":"))
    calendar = WorkCalendar(review.policy.get("extra_holidays", ()), review.policy.get("extra_workdays", ()))
    return datetime.combine(calendar.add_workdays(registered.date(), rule_["workdays"]), time(hour, minute))


def _arrival(review, change):
    """When the change arrived: the code host's word, else the commit that added the file."""
    if review.received_at is not None:
        return review.received_at
    committed = review.git.added_at.get(change.path)
    return committed.astimezone(SHANGHAI).replace(tzinfo=None) if committed else None


@rule("K810", "reclaim-clock", "error", "提分级、锁定或改到不计公海的阶段，需要市场总监批准",
      "raising the grade, locking, or moving to a stage the reclaim clock skips needs an assigner", stage="review")
def reclaim_clock(review):
    """
    ## 它检查什么
    改动把客户分级往上提（如 B → A，公海期限从 60 天变 90 天）、设了 `locked: true`，或把
    阶段改成不计公海期限的阶段（施工、验收、结算、保修、流失），而作者不是有分配权的人
    （政策 `assigner_roles`，默认市场总监），`--approved-by` 里也没有；提示列出谁可以批准。

    ## 为什么
    这些改动都让客户不再按期收回公海；客户经理自己改，就能让 60 天不跟进的客户永远留在名下。

    ## 出处
    001 客户资源的调配 1–3（客户资源由市场总监统一调配）；002 客户管理制度 3.2（两个月未跟进收回）

    ## 错误示例
    客户经理把自己名下 58 天没跟进的客户从 `grade: B` 改成 `grade: A`，PR 没有市场总监批准。

    ## 正确示例
    市场总监在 PR 上批准（`--approved-by zhaomin`），或由市场总监提交。
    """
    for change in review.changes:
        for code, needed in review.unmet(change):
            if code == "K810":
                what = review.clock_changes(change)
                yield _hit(change, Text(
                    "；".join(t.zh for t in what) + f"：需要以下任一人批准：{review.who(needed).zh}",
                    "; ".join(t.en for t in what) + f": needs approval by one of: {review.who(needed).en}"))
