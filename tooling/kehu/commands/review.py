"""`kehu review`: who must approve a branch's changes, and what nobody may change."""

from __future__ import annotations

import sys

from kehu.commands import Failure, Run, bad_selector, codes
from kehu.findings import Text


def run(ctx: Run, base: str, head: str | None, author: str | None, received_at: str | None, approved_by: str,
        select: str, ignore: str, fmt: str) -> int:
    from kehu.engine import BadSelector
    from kehu.review import ReviewError, run_review
    from kehu.review.output import render
    from kehu.timeutil import local_datetime

    approvers = tuple(a.strip() for a in approved_by.split(",") if a.strip())
    received = local_datetime(received_at) if received_at else None
    if received_at and received is None:
        raise Failure(Text(f"--received-at 不是日期时间：{received_at}（如 2026-11-20T09:30:00+08:00）",
                           f"--received-at is not a date-time: {received_at} (e.g. 2026-11-20T09:30:00+08:00)"))
    try:
        result = run_review(ctx.root, base, head, ctx.today, author, approvers, codes(select), codes(ignore), received)
    except ReviewError as exc:
        raise Failure(Text(f"无法读取改动：{exc}", f"cannot read the change: {exc}")) from None
    except BadSelector as exc:
        raise bad_selector(exc, "K801 或 K8") from None
    for note in result.review.notes:
        ctx.note(note)
    render(result, fmt, ctx.lang, sys.stdout)
    if fmt != "text":
        print(result.headline(ctx.lang), file=sys.stderr)
    return 1 if result.errors else 0
