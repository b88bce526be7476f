"""Staff: the company's people (demo/data/people.yaml), the one who leaves the day before
today, and their YAML."""

from __future__ import annotations

from datetime import date

from demo import tables as D
from demo.world import World
from demo.yamltext import boolean, day


def leaver_goes(w: World) -> None:
    """The leaver leaves the day before today: the director hands every customer of theirs to others."""
    rng = w.rng
    left = w.leaver_left
    others = [m for m in D.MANAGERS if m != D.LEAVER]
    for c in w.customers:
        if c.owner_at(w.today) != D.LEAVER or c.frozen:
            continue
        new = rng.choice(others)
        w.reassign(c, left, new, D.LEAVER_REASON)
        for v in c.visits:
            if v.staff == D.LEAVER and v.at.date() >= left:
                v.staff = new


def path(person: dict) -> str:
    return f"staff/{person['id']}.yaml"


def render(person: dict, left: date | None = None) -> str:
    out = [f"id: {person['id']}", f"name: {person['name']}", f"role: {person['role']}",
           f"department: {person['department']}", "git:", "  emails:", f"    - {person['id']}@{D.EMAIL_DOMAIN}",
           f"  handle: {person['handle']}", f"active: {boolean(left is None)}", f"joined: {person['joined']}"]
    if left is not None:
        out.append(f"left: {day(left)}")
    return "\n".join(out) + "\n"
