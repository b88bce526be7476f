"""`kehu pool`: the 公海 list, and moving one customer to or from it."""

from __future__ import annotations

import json

from kehu.commands import Failure, Run
from kehu.findings import Text


def run(ctx: Run, fmt: str, release: str | None, assign: str | None, to: str | None, by: str | None,
        reason: str | None, in_pool: bool = True) -> int:
    from kehu.edit import EditRefused
    from kehu.pool import move, pool_rows, pooled_rows

    if release and assign:
        raise Failure(Text("--release 和 --assign 一次只能用一个", "use --release or --assign, not both"))
    if (release or assign) and not by:
        raise Failure(Text("请用 --by 说明是谁（市场总监）做的决定", "say who decides with --by"))
    if assign and not to:
        raise Failure(Text("--assign 需要 --to 指定新的客户经理", "--assign needs --to"))
    if to and not assign:
        raise Failure(Text("--to 只和 --assign 一起用", "--to goes with --assign"))
    repository = ctx.prepare()
    if release or assign:
        try:
            done = move(repository, release or assign, "pool" if release else to, by, reason)
        except EditRefused as refused:
            ctx.note(refused.message, "未修改：", "nothing changed: ")
            return 1
        ctx.say(done.zh, done.en)
        return 0
    rows = pool_rows(repository)
    pooled = pooled_rows(repository) if in_pool else []
    if fmt == "json":
        listed = [{**r.as_dict(), "in_pool": False} for r in rows] + [r.as_dict() for r in pooled]
        print(json.dumps({"customers": listed}, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        ctx.say("没有可收回或即将到期的客户", "no customer is reclaimable or close to it")
    else:
        print(table(rows, ctx.lang))
    if pooled:
        print(pooled_table(pooled, ctx.lang))
    elif in_pool:
        ctx.say("公海里没有客户", "no customer is in the pool")
    return 0


def table(rows, lang: str) -> str:
    english = lang == "en"
    head = ("id", "name", "owner", "grade", "last action", "days left") if english else (
        "编号", "姓名", "客户经理", "分级", "最后本人跟进", "剩余归属天数")
    lines = ["  ".join(head)]
    for r in rows:
        if english:
            left = f"{r.days_left} left" if r.days_left > 0 else f"{-r.days_left} overdue"
        else:
            left = f"剩 {r.days_left} 天" if r.days_left > 0 else f"逾期 {-r.days_left} 天"
        lines.append(f"{r.id}  {r.name}  {r.owner_name}({r.owner})  {r.grade}  {r.last_action or '—'}  {left}")
    return "\n".join(lines)


def pooled_table(rows, lang: str) -> str:
    """The customers already in the pool (已在公海), for the director to pick one to assign."""
    english = lang == "en"
    head = ("id", "name", "grade", "stage", "in the pool since", "released from", "released by") if english else (
        "编号", "姓名", "分级", "阶段", "进入公海", "原客户经理", "经办人")
    lines = ["", "in the pool:" if english else "已在公海：", "  ".join(head)]
    for r in rows:
        lines.append(f"{r.id}  {r.name}  {r.grade}  {r.stage}  {r.since or '—'}  {r.released_from or '—'}  "
                     f"{r.released_by or '—'}")
    return "\n".join(lines)
