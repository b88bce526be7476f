"""Creating a record file: the next free id, a valid record, never an overwrite.

Two writers at once (two `kehu new`, or `kehu import --write`) cannot take the same id:
the file is written under a temporary name and then hard-linked to its final name, which
fails if the name exists, and the writer moves on to the next number.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from kehu.edit import scalar
from kehu.facts import phone_key
from kehu.findings import Text
from kehu.load import DATE_FIELDS, KIND_FOLDERS
from kehu.timeutil import local_datetime

ID_FORMAT = {"customer": ("C", 4), "visit": ("V", 6), "complaint": ("T", 4)}
MODELINE_DEPTH = {"customer": 3, "visit": 4, "complaint": 3}
_PLAIN_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$")


class Refused(Exception):
    def __init__(self, message: Text):
        super().__init__(message.en)
        self.message = message


def yaml_value(value, key: str = "") -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if _PLAIN_TIME.match(text):
        return text
    if key == "phones":
        return "'" + text.replace("'", "''") + "'"
    return scalar(text)


def render(kind: str, data: dict, order: list[str]) -> str:
    """YAML text in the schema's key order, with the editor modeline."""
    lines = [f"# yaml-language-server: $schema={'../' * MODELINE_DEPTH[kind]}schemas/{kind}.schema.json"]
    for key in order + [k for k in data if k not in order]:
        if key not in data or data[key] in (None, "", [], {}):
            continue
        value = data[key]
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines += [f"  - {yaml_value(v, key)}" for v in value]
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {yaml_value(v, k)}" for k, v in value.items() if v not in (None, "")]
        else:
            lines.append(f"{key}: {yaml_value(value, key)}")
    return "\n".join(lines) + "\n"


def collision(repo, phones) -> Text | None:
    """撞单 before it happens: another customer already has one of these phones."""
    wanted = {phone_key(p) for p in phones}
    staff = repo.ids("staff")
    for customer in repo.of("customer", valid_only=False):
        for phone in customer.data.get("phones") or []:
            if phone_key(phone) in wanted:
                owner = customer.data.get("owner")
                name = staff[owner].data.get("name", owner) if owner in staff else owner
                return Text(f"撞单：电话 {phone} 已属于 {customer.id}（{customer.data.get('name')}，客户经理 {name}），未新建",
                            f"collision: {phone} already belongs to {customer.id} ({customer.data.get('name')}, "
                            f"owner {owner}); nothing created")
    return None


def create(repo, kind: str, data: dict, reserved: set[str] | None = None) -> tuple[str, Path]:
    """Validate, pick the next free id, write atomically; returns (id, path). `reserved`
    holds ids this run already wrote (an import creating many records), and gains the new one."""
    reserved = reserved if reserved is not None else set()
    when = local_datetime(data.get(DATE_FIELDS[kind]))
    if when is None:
        raise Refused(Text(f"{DATE_FIELDS[kind]} 不是有效的时间", f"{DATE_FIELDS[kind]} is not a valid time"))
    prefix, width = ID_FORMAT[kind]
    folder = repo.root / "records" / KIND_FOLDERS[kind] / f"{when.year:04d}"
    if kind == "visit":
        folder = folder / f"{when.month:02d}"
    pattern = re.compile(rf"^{prefix}{when.year}-(\d+)$")
    taken = [int(m.group(1)) for i in (*repo.ids(kind), *reserved) if (m := pattern.match(i))]
    number = max(taken, default=0) + 1
    order = list(repo.schemas.documents[f"{kind}.schema.json"]["properties"])
    trial = {"id": f"{prefix}{when.year}-{number:0{width}d}", **data}
    problems = list(repo.schemas.check(kind, trial))
    if problems:
        raise Refused(Text("；".join(f"{'.'.join(map(str, p))}: {m.zh}" for p, _, m in problems),
                           "; ".join(f"{'.'.join(map(str, p))}: {m.en}" for p, _, m in problems)))
    folder.mkdir(parents=True, exist_ok=True)
    for _ in range(1000):
        record_id = f"{prefix}{when.year}-{number:0{width}d}"
        target = folder / f"{record_id}.yaml"
        if not target.exists() and _link_new(folder, target, render(kind, {"id": record_id, **data}, order)):
            reserved.add(record_id)
            return record_id, target
        number += 1
    raise Refused(Text("找不到空闲编号", "no free id found"))


def _link_new(folder: Path, target: Path, text: str) -> bool:
    """Write `text` to `target` only if no file is there, in one atomic step."""
    handle, temporary = tempfile.mkstemp(prefix=".new-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, target)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(temporary)
