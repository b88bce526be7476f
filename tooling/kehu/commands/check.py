"""`kehu check`: every rule over the records, in text, json or github format."""

from __future__ import annotations

import sys

from kehu.commands import Failure, Run, bad_selector, codes
from kehu.findings import Text


def run(ctx: Run, fmt: str, select: str, ignore: str, no_cache: bool, new_since: str | None) -> int:
    from kehu.check import Settings, run_check
    from kehu.engine import BadSelector
    from kehu.gitrepo import GitError
    from kehu.report import REPORTERS

    settings = Settings(ctx.root, ctx.today, codes(select), codes(ignore), use_cache=not no_cache,
                        new_since=new_since)
    try:
        result = run_check(settings)
    except BadSelector as exc:
        raise bad_selector(exc, "K101 或 K1") from None
    except GitError as exc:
        raise Failure(Text(f"--new-since：{exc}", f"--new-since: {exc}")) from None
    for note in result.notes:
        ctx.note(note)
    REPORTERS[fmt](result, ctx.lang, sys.stdout)
    if fmt != "text":
        print(result.headline(ctx.lang), file=sys.stderr)
    return 1 if result.errors else 0
