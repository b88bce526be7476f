"""A to-do list as people read it: terminal text, Markdown, JSON (and, through these
dictionaries, the daily e-mail and the site). Every value goes through the output's
Visibility: a 机密 customer shows as its id and the kind of duty, numbers typed into text
are masked."""

from __future__ import annotations

import json

from kehu.domain import Visibility
from kehu.markdown import esc
from kehu.todo import KINDS, Todo, TodoList, located, person

URGENCY = {"overdue": ("已超期", "overdue"), "urgent": ("紧急", "urgent"), "soon": ("", "")}


def item(repo, todos: TodoList, todo: Todo, view: Visibility, lang: str = "zh") -> dict:
    """One duty as every output shows it."""
    today = todos.today
    file, line = located(repo, todo)
    customer = repo.ids("customer").get(todo.customer) if todo.customer else None
    shown = view.customer(customer) if customer is not None else None
    restricted = todo.customer is not None and view.restricts(todo.customer)
    message = KINDS[todo.kind].get(lang) if restricted else todo.what.get(lang)
    return {
        "kind": todo.kind, "kind_name": KINDS[todo.kind].get(lang), "due": todo.due.isoformat(),
        "days_left": todo.days_left(today), "urgency": todo.urgency(today, todos.urgent_days),
        "escalated": -todo.days_left(today) > todos.escalate_after_days,
        "customer": todo.customer, "customer_name": view.text((shown or {}).get("name")),
        "record": todo.record.id, "file": file, "line": line, "code": todo.code, "message": view.text(message),
    }


def people(repo, todos: TodoList, view: Visibility, lang: str = "zh") -> list[dict]:
    """Per person with duties: their items, most urgent first, and how many are left out."""
    listed = []
    for staff_id in todos.people():
        items = [item(repo, todos, t, view, lang) for t in todos.of(staff_id)]
        listed.append({"staff": staff_id, "name": view.text(person(repo, staff_id)), "items": items,
                       "overdue": sum(i["urgency"] == "overdue" for i in items),
                       "urgent": sum(i["urgency"] == "urgent" for i in items),
                       "hidden": todos.hidden.get(staff_id, 0)})
    return listed


def as_json(todos: TodoList, listed: list[dict]) -> str:
    summary = {"people": len(listed), "items": sum(len(p["items"]) for p in listed),
               "overdue": sum(p["overdue"] for p in listed), "urgent": sum(p["urgent"] for p in listed),
               "hidden": sum(p["hidden"] for p in listed)}
    return json.dumps({"today": todos.today.isoformat(), "people": listed, "summary": summary},
                      ensure_ascii=False, indent=2) + "\n"


def when(entry: dict, lang: str = "zh") -> str:
    """"已超期 2 天" / "今天到期" / "还剩 3 天"."""
    left = entry["days_left"]
    if lang == "en":
        return f"{-left} days overdue" if left < 0 else "due today" if left == 0 else f"{left} days left"
    return f"已超期 {-left} 天" if left < 0 else "今天到期" if left == 0 else f"还剩 {left} 天"


def about(entry: dict) -> str:
    return " ".join(str(v) for v in (entry["customer"], entry["customer_name"]) if v) or str(entry["record"] or "")


def heading(person_entry: dict, lang: str = "zh") -> str:
    n, overdue, urgent = len(person_entry["items"]), person_entry["overdue"], person_entry["urgent"]
    if lang == "en":
        return f"{person_entry['name']} ({person_entry['staff']}): {n} to do, {overdue} overdue, {urgent} urgent"
    return f"{person_entry['name']}（{person_entry['staff']}）：{n} 项待办，{overdue} 项已超期，{urgent} 项紧急"


def hidden_note(count: int, lang: str = "zh") -> str:
    return (f"另有 {count} 项涉及绝密客户，此处不列（kehu todo --full 查看）" if lang != "en" else
            f"{count} more about 绝密 customers are not listed here (kehu todo --full)")


def text(listed: list[dict], lang: str = "zh", color: bool = False) -> str:
    lines = []
    for entry in listed:
        lines.append(heading(entry, lang))
        for i in entry["items"]:
            mark = URGENCY[i["urgency"]][lang == "en"]
            flag = f"[{mark}] " if mark else ""
            if color and i["urgency"] != "soon":
                flag = f"\x1b[31m{flag}\x1b[0m"
            lines.append(f"  {flag}{i['due']}  {when(i, lang)}  {i['kind_name']}  {about(i)}")
            lines.append(f"      {i['message']}  ({i['code']}, {i['file']}:{i['line'] or 1})")
        if entry["hidden"]:
            lines.append(f"  {hidden_note(entry['hidden'], lang)}")
        lines.append("")
    return "\n".join(lines)


def markdown(todos: TodoList, listed: list[dict], lang: str = "zh") -> str:
    title = "待办事项" if lang != "en" else "To do"
    lines = [f"# {title} {todos.today.isoformat()}", ""]
    head = ("到期", "剩余", "事项", "客户", "说明", "文件") if lang != "en" else ("Due", "Left", "Kind", "Customer",
                                                                        "What", "File")
    for entry in listed:
        lines += [f"## {esc(heading(entry, lang))}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for i in entry["items"]:
            left = when(i, lang) if i["urgency"] == "soon" else f"**{when(i, lang)}**"
            lines.append(f"| {i['due']} | {left} | {esc(i['kind_name'])} | {esc(about(i))} | {esc(i['message'])} | "
                         f"{esc(i['file'])}:{i['line'] or 1} |")
        if entry["hidden"]:
            lines += ["", esc(hidden_note(entry["hidden"], lang))]
        lines.append("")
    return "\n".join(lines)
