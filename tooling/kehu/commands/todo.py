"""`kehu todo`: each person's open duties, most urgent first."""

from __future__ import annotations

import sys

from kehu.commands import Failure, Run


def run(ctx: Run, for_staff: str | None, fmt: str, full: bool = False) -> int:
    from kehu import people
    from kehu.domain import Visibility
    from kehu.report import todo as output
    from kehu.todo import todo_list

    repository = ctx.prepare()
    staff_id = None
    if for_staff is not None:
        try:
            staff_id = people.identify(repository.ids("staff"), for_staff, "--for")
        except people.Unknown as unknown:
            raise Failure(unknown.message) from None
    view = Visibility(repository, full)
    todos = todo_list(repository, view, staff_id)
    listed = output.people(repository, todos, view, ctx.lang)
    if fmt == "json":
        sys.stdout.write(output.as_json(todos, listed))
    elif fmt == "md":
        sys.stdout.write(output.markdown(todos, listed, ctx.lang))
    elif listed:
        sys.stdout.write(output.text(listed, ctx.lang, color=sys.stdout.isatty()))
    else:
        ctx.say("没有待办事项", "nothing to do")
    return 0
