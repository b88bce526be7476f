"""`kehu notify`: each person's to-do list by e-mail, once a working day."""

from __future__ import annotations

import sys

from kehu.commands import Failure, Run
from kehu.findings import Text


def run(ctx: Run, smtp: str, sender: str, dry_run: bool) -> int:
    import smtplib

    from kehu.notify import NotifyError, connected, journal, parse_server, plan

    try:
        host, port = parse_server(smtp)
        repository = ctx.prepare()
        if not repository.calendar.is_workday(ctx.today):
            ctx.say(f"{ctx.today} 不是工作日（按 policy 的日历），不发送", f"{ctx.today} is not a working day "
                    "(policy calendar); nothing sent")
            return 0
        planned = plan(repository, sender)
        for skipped in planned.skipped:
            ctx.note(skipped)
        if dry_run:
            for digest in planned.digests:
                cc = f"\nCc: {', '.join(str(a) for a in digest.cc)}" if digest.cc else ""
                sys.stdout.write(f"To: {digest.to}{cc}\nSubject: {digest.message['Subject']}\n\n"
                                 f"{digest.message.get_body(('plain',)).get_content()}\n")
            ctx.say(f"演习：会发 {len(planned.digests)} 封，未发送", f"dry run: {len(planned.digests)} to send; nothing sent")
            return 0
        sent, failed = [], []
        with journal(ctx.root, ctx.today) as (already, record):
            due = [d for d in planned.digests if d.staff not in already]
            if due:
                with connected(host, port) as session:
                    for digest in due:
                        try:
                            session.send_message(digest.message)
                        except smtplib.SMTPRecipientsRefused as refused:
                            failed.append(f"{digest.staff}（{', '.join(refused.recipients)}）")
                            continue
                        record(digest.staff)
                        sent.append(digest.staff)
    except NotifyError as problem:
        raise Failure(problem.message) from None
    skipped = len(planned.digests) - len(due)
    ctx.say(f"已发送 {len(sent)} 封：{'、'.join(sent) or '无'}" + (f"；{skipped} 位今天已发过，未重发" if skipped else ""),
            f"sent {len(sent)}: {', '.join(sent) or 'none'}" + (f"; {skipped} already mailed today" if skipped else ""))
    if failed:
        ctx.note(Text(f"服务器拒收：{'；'.join(failed)}", f"refused by the server: {'; '.join(failed)}"))
        return 1
    return 0
