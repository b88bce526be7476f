"""K811: sealed records in a change (issue 18) -- what policy wants sealed is sealed, and
only to the readers policy allows."""

from __future__ import annotations

from kehu.domain.vocabulary import DEFAULT_CONFIDENTIALITY
from kehu.findings import Hit, Text
from kehu.rules.base import rule
from kehu.sealing import IdentityProblem, demand_for, identities, in_force, is_sealed, open_record, stanzas

AGE_X25519 = "X25519"  # the only kind of recipient kehu seals to (age1… public keys)


@rule("K811", "sealing", "error", "加密存放：按密级须加密的字段没有加密，或加密给了政策不允许的人",
      "a field its level wants sealed is in the clear, or is sealed to someone policy does not allow", stage="review")
def sealing(review):
    """
    ## 它检查什么
    政策 `sealing` 启用（写了 `ci_recipient`）后，改动新增或修改的客户档案：按其密级须加密的
    字段（`sealing.levels.<密级>.fields`）以明文出现；或加密值格式损坏、加密给了 age 公钥以外
    的东西、收件人比政策允许的（归属人、`readers` 岗位的人、CI）还多；CI 有密钥时，还能发现
    CI 打不开的值、加密给了政策以外的人（如已换掉的前归属人），以及从别的记录或字段复制来的值。

    ## 为什么
    git 仓库交出去的东西收不回来：离职的人带走的克隆里，只能有他可以读的内容。

    ## 出处
    002 客户管理制度 4（绝密、机密客户资料的知悉范围）；制度 14 1.6.4（客户资料不得带走）

    ## 错误示例
    机密客户 C2026-0086 的 `phones` 以明文提交；或客户分给了王丽，电话仍加密给原归属人刘洋。

    ## 正确示例
    提交前运行 `kehu seal`（或装上 pre-commit 的 kehu-seal 钩子）；换归属人用
    `kehu pool --assign`，它会重新加密给新的归属人。
    """
    schemas = review.schemas
    if schemas is None or not in_force(review.policy):
        return
    try:
        keys = identities()
    except IdentityProblem:
        keys = []
    names = {m.data.get("age_recipient"): staff_id for staff_id, m in review.staff.items()
             if isinstance(m.data.get("age_recipient"), str)}
    for change in review.changes:
        after = change.after.record if change.after else None
        if after is None or after.kind != "customer" or change.symlink:
            continue
        yield from _judge(review, schemas, keys, names, change, after)


def _judge(review, schemas, keys, names, change, after):
    raw = after.data
    record = open_record(after, schemas, keys)
    opened, unreadable = record.opened or {}, record.withheld or {}
    wanted = demand_for(review.policy, schemas, review.staff, record)
    level = raw.get("confidentiality", DEFAULT_CONFIDENTIALITY)
    for name in wanted.fields:
        if name in raw and not is_sealed(raw[name]):
            yield _hit(change, after, name, Text(
                f"{name} 在{level}客户档案里须加密存放，现在是明文：提交前运行 kehu seal",
                f"{name} must be sealed at level {level} and is in the clear: run kehu seal before committing"))
    allowed = set(wanted.recipients)
    for name in sorted(set(opened) | set(unreadable)):
        kinds = stanzas(raw[name])
        if kinds is None or unreadable.get(name) is not None and unreadable[name].malformed:
            yield _hit(change, after, name, Text(f"{name} 的加密值格式已损坏，谁也打不开",
                                                 f"the sealed value of {name} is malformed: nobody can open it"))
            continue
        odd = sorted({kind for kind in kinds if kind != AGE_X25519})
        if odd:
            yield _hit(change, after, name, Text(
                f"{name} 加密给了 age 公钥以外的收件人（{'、'.join(odd)}）：政策只认员工和 CI 的 age1… 公钥",
                f"{name} is sealed to recipients other than age keys ({', '.join(odd)}): policy knows only age1… keys"))
        if len(kinds) > len(allowed):
            yield _hit(change, after, name, Text(
                f"{name} 加密给了 {len(kinds)} 个收件人，政策只允许 {len(allowed)} 个（归属人、可读岗位和 CI）",
                f"{name} is sealed to {len(kinds)} recipients; policy allows {len(allowed)} (owner, reader roles, CI)"))
        if name in opened:
            inner = opened[name]
            strangers = [names.get(r, r[:12] + "…") for r in inner.to if r not in allowed]
            if strangers:
                yield _hit(change, after, name, Text(
                    f"{name} 加密给了政策不允许读它的人：{'、'.join(strangers)}；请运行 kehu seal 重新加密",
                    f"{name} is sealed to readers policy does not allow: {', '.join(strangers)}; run kehu seal"))
            if inner.record_id != raw.get("id") or inner.field != name:
                yield _hit(change, after, name, Text(
                    f"{name} 的加密值是从 {inner.record_id} 的 {inner.field} 复制来的",
                    f"the sealed value of {name} was copied from {inner.field} of {inner.record_id}"))
        elif keys:
            yield _hit(change, after, name, Text(
                f"{name} 的加密值 CI 的密钥打不开：须同时加密给 sealing.ci_recipient，否则无法检查撞单",
                f"the CI key does not open {name}: it must be sealed to sealing.ci_recipient too"))


def _hit(change, record, name, message: Text) -> Hit:
    return Hit(message, file=change.path, path=(name,), record_id=record.id)
