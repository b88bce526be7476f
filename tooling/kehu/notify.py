"""The daily digest: one e-mail per active staff member with open duties (`kehu notify`).

The people who must act never read CI output, so the to-do list goes to their inbox, in
Chinese, as plain text and HTML, masked like the site. Their manager is copied when a duty
is overdue by more than `escalate_after_days`. A journal in the repository's cache records
who was mailed on which day, so a second run the same day (a retried CI job) mails no one
twice.
"""

from __future__ import annotations

import fcntl
import html
import json
import os
import smtplib
import ssl
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from kehu import cache
from kehu.domain import Visibility
from kehu.edit import write_atomically
from kehu.findings import Text
from kehu.report import todo as output
from kehu.todo import todo_list

JOURNAL = "notify-journal.json"
KEEP_DAYS = 40  # how long the journal remembers a day
LOOPBACK = ("localhost", "127.0.0.1", "::1")


class NotifyError(Exception):
    def __init__(self, message: Text):
        super().__init__(message.en)
        self.message = message


@dataclass
class Digest:
    staff: str
    to: Address
    cc: list[Address]
    message: EmailMessage
    entry: dict


@dataclass
class Plan:
    """Who gets a digest today, and who does not and why."""

    digests: list[Digest] = field(default_factory=list)
    skipped: list[Text] = field(default_factory=list)


def _plain(value) -> str:
    """A value as it may stand in a header: one line, no control characters."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in str(value)).split())


def address_of(member) -> str | None:
    """A staff member's `email`, else the first of `git.emails`."""
    data = member.data
    git = data.get("git") if isinstance(data.get("git"), dict) else {}
    emails = git.get("emails") if isinstance(git.get("emails"), list) else []
    chosen = data.get("email") or next(iter(emails), None)
    return chosen if isinstance(chosen, str) else None


def _address(member) -> Address | None:
    addr = address_of(member)
    if addr is None:
        return None
    try:
        return Address(display_name=_plain(member.data.get("name") or member.id), addr_spec=addr)
    except (ValueError, IndexError):  # the schema's address pattern should have kept it out
        return None


def manager_of(repo, staff_id: str) -> str | None:
    """Who is copied on a person's long-overdue duties: their own `manager`, else the policy's
    `manager_of` for their department; never themselves, never someone who has left."""
    staff = repo.ids("staff")
    member = staff.get(staff_id)
    if member is None:
        return None
    chosen = member.data.get("manager") or repo.policy["manager_of"].get(member.data.get("department"))
    manager = staff.get(chosen)
    if chosen == staff_id or manager is None or manager.data.get("active") is False:
        return None
    return chosen


def plan(repo, sender: str) -> Plan:
    view = Visibility(repo)
    todos = todo_list(repo, view)
    staff = repo.ids("staff")
    result = Plan()
    for entry in output.people(repo, todos, view):
        member = staff.get(entry["staff"])
        if member is None or member.data.get("active") is False:
            continue  # K203 asks for their customers to be reassigned; no one reads their inbox
        to = _address(member)
        if to is None:
            result.skipped.append(Text(f"{entry['name']}（{entry['staff']}）没有邮箱（staff 的 email 或 git.emails），未发送",
                                       f"{entry['staff']} has no e-mail address (email or git.emails); not sent"))
            continue
        cc = []
        manager = manager_of(repo, entry["staff"])
        if manager and any(i["escalated"] for i in entry["items"]):
            copied = _address(staff[manager])
            if copied is not None:
                cc.append(copied)
        result.digests.append(Digest(entry["staff"], to, cc, compose(repo.today, entry, sender, to, cc,
                                                                     todos.escalate_after_days), entry))
    return result


def compose(today: date, entry: dict, sender: str, to: Address, cc: list[Address], escalate_after: int) -> EmailMessage:
    message = EmailMessage()
    overdue = f"，{entry['overdue']} 项已超期" if entry["overdue"] else ""
    message["Subject"] = _plain(f"【客户档案】{entry['name']} {today:%m 月 %d 日}待办 {len(entry['items'])} 项{overdue}")
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Date"] = format_datetime(_noon(today))
    message["Message-ID"] = make_msgid("kehu-notify")
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a robot
    message.set_content(_text(today, entry, cc, escalate_after))
    message.add_alternative(_html(today, entry, cc, escalate_after), subtype="html")
    return message


def _noon(today: date):
    from datetime import datetime, time

    from kehu.timeutil import SHANGHAI

    return datetime.combine(today, time(8, 30), tzinfo=SHANGHAI)


def _copied(cc: list[Address], escalate_after: int) -> str:
    names = "、".join(a.display_name or a.addr_spec for a in cc)
    return f"有事项超期 {escalate_after} 天以上，本邮件已抄送 {names}。" if cc else ""


def _text(today: date, entry: dict, cc, escalate_after: int) -> str:
    lines = [f"{entry['name']}，你好：", "", f"截至 {today}，你有 {len(entry['items'])} 项待办，最急的在前。", ""]
    for i in entry["items"]:
        mark = {"overdue": "【已超期】", "urgent": "【紧急】"}.get(i["urgency"], "")
        lines += [f"{mark}{i['due']}（{output.when(i)}）{i['kind_name']}：{output.about(i)}",
                  f"    {i['message']}", f"    档案：{i['file']} 第 {i['line'] or 1} 行（{i['code']}）", ""]
    if entry["hidden"]:
        lines += [output.hidden_note(entry["hidden"]), ""]
    if cc:
        lines += [_copied(cc, escalate_after), ""]
    lines.append("—— kehu 客户档案，每个工作日早上发送；办完的事写进档案，明天就不再出现。")
    return "\n".join(lines) + "\n"


def _html(today: date, entry: dict, cc, escalate_after: int) -> str:
    e = html.escape
    rows = []
    for i in entry["items"]:
        red = i["urgency"] != "soon"
        style = ' style="color:#c62828;font-weight:bold"' if red else ""
        rows.append(f"<tr><td{style}>{e(i['due'])}<br>{e(output.when(i))}</td><td>{e(i['kind_name'])}</td>"
                    f"<td>{e(output.about(i))}</td><td>{e(i['message'])}<br><small>{e(i['file'])} 第 {i['line'] or 1} 行"
                    f"（{e(i['code'])}）</small></td></tr>")
    notes = "".join(f"<p>{e(n)}</p>" for n in (output.hidden_note(entry["hidden"]) if entry["hidden"] else "",
                                                    _copied(cc, escalate_after)) if n)
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>待办</title></head><body>'
            f"<p>{e(entry['name'])}，你好：</p><p>截至 {today}，你有 {len(entry['items'])} 项待办，最急的在前。</p>"
            '<table border="1" cellpadding="6" cellspacing="0" style="border-collapse:collapse">'
            "<tr><th>到期</th><th>事项</th><th>客户</th><th>说明</th></tr>" + "".join(rows) + "</table>" + notes +
            "<p><small>kehu 客户档案，每个工作日早上发送；办完的事写进档案，明天就不再出现。</small></p></body></html>")


# --- sending -------------------------------------------------------------------------------

def parse_server(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise NotifyError(Text(f"--smtp {value}：应写成 主机:端口，例如 smtp.example.com:587",
                               f"--smtp {value}: expected HOST:PORT, e.g. smtp.example.com:587"))
    return host, int(port)


@contextmanager
def connected(host: str, port: int):
    """An SMTP session: STARTTLS when the server offers it, login when KEHU_SMTP_USER is set
    (never in clear text to another machine)."""
    user, password = os.environ.get("KEHU_SMTP_USER"), os.environ.get("KEHU_SMTP_PASSWORD", "")
    try:
        with smtplib.SMTP(host, port, timeout=60) as session:
            session.ehlo()
            secure = False
            if session.has_extn("starttls"):
                context = ssl.create_default_context(cafile=os.environ.get("KEHU_SMTP_CAFILE") or None)
                session.starttls(context=context)
                session.ehlo()
                secure = True
            if user:
                if not secure and host not in LOOPBACK:
                    raise NotifyError(Text(f"{host} 不支持 STARTTLS：不会把 KEHU_SMTP_USER 的密码明文发过去，未发送",
                                           f"{host} offers no STARTTLS: the password of KEHU_SMTP_USER is not sent "
                                           "in clear text; nothing sent"))
                session.login(user, password)
            yield session
    except NotifyError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise NotifyError(Text(f"SMTP 登录被拒绝（{exc.smtp_code}）：请检查 KEHU_SMTP_USER / KEHU_SMTP_PASSWORD",
                               f"the SMTP login was refused ({exc.smtp_code}): check KEHU_SMTP_USER / "
                               "KEHU_SMTP_PASSWORD")) from None
    except smtplib.SMTPNotSupportedError:
        raise NotifyError(Text(f"{host} 不支持登录（AUTH），但设置了 KEHU_SMTP_USER", f"{host} does not offer AUTH, "
                               "but KEHU_SMTP_USER is set")) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise NotifyError(Text(f"连不上 SMTP 服务器 {host}:{port}：{exc}", f"cannot talk to the SMTP server {host}:{port}: {exc}"))\
            from None


# --- the journal ---------------------------------------------------------------------------

@contextmanager
def journal(root: Path, today: date):
    """The staff already mailed today, held under a lock for the whole run (two runs at once
    must not both mail); `record(staff_id)` writes each send through at once, so a run that
    dies half-way does not mail the first ones again."""
    folder = cache.folder_of(root)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / JOURNAL
    with open(folder / (JOURNAL + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        days = _read(path)
        day = today.isoformat()
        days = {d: sent for d, sent in days.items() if _recent(d, today)}
        sent = days.setdefault(day, [])

        def record(staff_id: str) -> None:
            sent.append(staff_id)
            write_atomically(path, json.dumps(days, ensure_ascii=False, indent=1).encode("utf-8"))

        yield set(sent), record


def _read(path: Path) -> dict:
    try:
        days = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise NotifyError(Text(f"发送记录 {path} 读不了（{exc}）：为免重复发送，未发送；确认今天还没发过后删掉它再运行",
                               f"the send journal {path} is unreadable ({exc}): nothing sent, so as not to mail "
                               "twice; delete it once you know today's mail has not gone out")) from None
    if not isinstance(days, dict) or not all(isinstance(v, list) for v in days.values()):
        raise NotifyError(Text(f"发送记录 {path} 格式不对，未发送", f"the send journal {path} is malformed; nothing sent"))
    return days


def _recent(day: str, today: date) -> bool:
    try:
        return 0 <= (today - date.fromisoformat(day)).days <= KEEP_DAYS
    except ValueError:
        return False
