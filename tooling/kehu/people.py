"""Who a person means when they type a staff member: an id, an email, a handle or a name.

Options that name a person (`kehu pool --by/--to`, `kehu new customer --owner`, `kehu
review --author/--approved-by` ...) get what people know: the login (zhaomin), the work
email, the code-host handle (@zhaomin-hz) or the Chinese name (赵敏). Records store the
staff id; this module turns the one into the other and, when it cannot, says whom the
person probably meant. `staff` is always {staff id: kehu.load.Record} (`repo.ids("staff")`);
records are read defensively, since review also reads staff files no schema has checked.

    resolve(staff, who, names=True) -> str | None
        The staff id `who` names: the id, a `git.emails` entry, the `git.handle` (with or
        without @; all three case-insensitive) or, with `names`, a name exactly one person
        has. None when unknown or when two people share the name. (Pass names=False where
        the value comes from forgeable commit metadata.)
    suggest(staff, who) -> list[str]
        Up to three staff ids `who` probably meant, best first: the people sharing a name;
        names the text contains or is part of (赵敏x, 赵); the same pinyin (赵民, zhaomin,
        zm); ids, handles and pinyin close by edit distance (zhaomni).
    unknown(staff, who, option) -> Text
        The refusal: "--by：没有员工 赵敏x；是不是 zhaomin（赵敏）？".
    left(staff, staff_id, option, today=None) -> Text | None
        The refusal for a person who has left (`active: false`, K203; with `today`, also a
        `left` date on or before it), else None.
    identify(staff, who, option, active=False) -> str
        resolve(), or raise Unknown(unknown() or left()); `active` also refuses leavers.
"""

from __future__ import annotations

import difflib
from datetime import date

from kehu.findings import Text
from kehu.timeutil import local_date


class Unknown(Exception):
    """The value names nobody (or nobody who may act); `message` says so, with suggestions."""

    def __init__(self, message: Text):
        super().__init__(message.en)
        self.message = message


def _name(record) -> str:
    name = record.data.get("name")
    return name.strip() if isinstance(name, str) else ""


def _git(record) -> tuple[list[str], str]:
    git = record.data.get("git")
    git = git if isinstance(git, dict) else {}
    emails = git.get("emails")
    handle = git.get("handle")
    return ([e.lower() for e in emails if isinstance(e, str)] if isinstance(emails, list) else [],
            handle.lower().lstrip("@") if isinstance(handle, str) else "")


def _named(staff: dict, text: str) -> list[str]:
    return [staff_id for staff_id, record in staff.items() if text and _name(record) == text]


def resolve(staff: dict, who: str, names: bool = True) -> str | None:
    """The staff id `who` names, or None (see the module docstring)."""
    text = (who or "").strip()
    low = text.lower()
    for staff_id, record in staff.items():
        emails, handle = _git(record)
        if low == staff_id.lower() or low in emails or (handle and low.lstrip("@") == handle):
            return staff_id
    named = _named(staff, text) if names else []
    return named[0] if len(named) == 1 else None


def _spellings(text: str) -> list[str]:
    from kehu.site.search import spellings  # pypinyin, loaded only when someone mistyped

    return spellings(text)


def suggest(staff: dict, who: str) -> list[str]:
    """Staff ids `who` probably meant, best first, at most three."""
    text = (who or "").strip()
    low = text.lower().lstrip("@")
    chinese = any(ord(c) > 0x2E80 for c in text)
    typed = _spellings(text)[:1] if chinese else [low.split("@")[0]] if low else []
    scores: dict[str, float] = {}
    for staff_id, record in staff.items():
        name = _name(record)
        emails, handle = _git(record)
        if name and name == text:
            score = 0.0
        elif chinese and name and (name in text or text in name):
            score = 1.0
        elif name and typed and typed[0] in _spellings(name):
            score = 1.5
        else:
            words = [staff_id, handle, *(e.split("@")[0] for e in emails), *(_spellings(name)[:1] if name else [])]
            ratio = max((difflib.SequenceMatcher(None, t, w).ratio() for t in typed for w in words if w), default=0)
            if ratio < 0.75:
                continue
            score = 3 - ratio
        scores[staff_id] = score
    return sorted(scores, key=lambda s: (scores[s], s))[:3]


def _label(staff: dict, staff_id: str) -> str:
    name = _name(staff[staff_id])
    return f"{staff_id}（{name}）" if name else staff_id


def _prefix(option: str) -> Text:
    return Text(f"{option}：", f"{option}: ") if option else Text("", "")


def unknown(staff: dict, who: str, option: str = "") -> Text:
    """Why `who` (given with `option`) names nobody, and whom it probably meant."""
    head = _prefix(option)
    text = (who or "").strip()
    shared = _named(staff, text)
    if len(shared) > 1:
        return Text(f"{head.zh}有 {len(shared)} 位员工叫 {text}（{'、'.join(shared)}）；请写员工 id",
                    f"{head.en}{len(shared)} staff members are called {text} ({', '.join(shared)}); give the staff id")
    close = suggest(staff, text)
    if not close:
        return Text(f"{head.zh}没有员工 {text}（没有这个员工 id、邮箱、代码托管用户名或姓名）",
                    f"{head.en}no staff member {text} (no staff id, email, code-host handle or name matches)")
    labels = [_label(staff, s) for s in close]
    return Text(f"{head.zh}没有员工 {text}；是不是 {' 或 '.join(labels)}？", f"{head.en}no staff member {text}; did you "
                f"mean {' or '.join(label.replace('（', ' (').replace('）', ')') for label in labels)}?")


def left(staff: dict, staff_id: str, option: str = "", today: date | None = None) -> Text | None:
    """Why a person who has left cannot take this on (K203), or None if they are active.
    With `today`, a `left` date on or before it counts too, though the file still says
    `active: true` (nobody has switched it off yet)."""
    record = staff.get(staff_id)
    if record is None:
        return None
    when = record.data.get("left")
    gone_by = local_date(when) if today is not None else None
    if record.data.get("active") is not False and (gone_by is None or gone_by > today):
        return None
    head = _prefix(option)
    name = _name(record) or staff_id
    return Text(f"{head.zh}{name}（{staff_id}）已离职{f'（{when}）' if when else ''}，不能再接手；请选一位在职员工",
                f"{head.en}{name} ({staff_id}) has left{f' ({when})' if when else ''}; choose an active staff member")


def identify(staff: dict, who: str, option: str = "", active: bool = False) -> str:
    """The staff id `who` names; raises Unknown with the sentence to show otherwise."""
    staff_id = resolve(staff, who)
    if staff_id is None:
        raise Unknown(unknown(staff, who, option))
    gone = left(staff, staff_id, option) if active else None
    if gone is not None:
        raise Unknown(gone)
    return staff_id
