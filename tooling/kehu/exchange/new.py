"""Creating a record file: the next free id, a valid record, never an overwrite.

Two writers at once (two `kehu new`, or `kehu import --write`) cannot take the same id:
the file is written under a temporary name and then hard-linked to its final name, which
fails if the name exists, and the writer moves on to the next number.

Nor can they register the same phone twice: a new customer is checked for 撞单 and written
while holding the repository lock (`repository_lock`), against the customer files as they
are on disk at that moment, so the second writer sees the first one's file.

The people and customers a new record names must exist (staff may be typed as id, email,
handle or Chinese name, see kehu.people); its owner or open complaint's handler must still
work here (K203).
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

from kehu import people
from kehu.domain import FIRST_STATUS, OPEN_STATUSES, POOL, staff_name
from kehu.edit import scalar
from kehu.findings import Text
from kehu.load import DATE_FIELDS, KIND_FOLDERS, Record, kind_of_location, load_file, max_file_kb, record_files
from kehu.phones import phone_key
from kehu.timeutil import local_datetime

ID_FORMAT = {"customer": ("C", 4), "visit": ("V", 6), "complaint": ("T", 4)}
MODELINE_DEPTH = {"customer": 3, "visit": 4, "complaint": 3}
_PLAIN_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$")
# kind -> (field, option, must be active) for the people a new record names
STAFF_FIELDS = {"customer": (("registered_by", "--registered-by", False), ("owner", "--owner", True)),
                "visit": (("staff", "--staff", False),),
                "complaint": (("handler", "--handler", True),)}
LOCK_NAME = "kehu.lock"


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
    if key in DATE_FIELDS.values() and _PLAIN_TIME.match(text):  # the record's own time: YAML reads it as one
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


def collision(repo, phones, customers: list[Record] | None = None) -> Text | None:
    """撞单 before it happens: another customer (of `customers`, by default the loaded
    repository's) already has one of these phones."""
    wanted = {phone_key(p) for p in phones}
    for customer in customers if customers is not None else repo.of("customer", valid_only=False):
        listed = _phones(customer)
        for phone in listed if isinstance(listed, list) else []:
            if phone_key(phone) in wanted:
                # the id and the owner to talk to, never the customer's name: it may be another
                # owner's customer, and a 机密 one (issue 18)
                owner = customer.data.get("owner")
                return Text(f"撞单：电话 {phone} 已属于 {customer.id}（客户经理 {staff_name(repo, owner)}）",
                            f"collision: {phone} already belongs to {customer.id} (owner {owner})")
    return None


def _phones(customer):
    """A customer's phones, opened if sealed and this process holds a key that opens them."""
    from kehu.sealing import IdentityProblem, Unreadable, identities, is_sealed, open_value

    listed = customer.data.get("phones")
    if not is_sealed(listed):
        return listed
    try:
        return open_value(listed, identities()).value
    except (Unreadable, IdentityProblem):
        return None


def lock_path(root: Path) -> Path:
    """Where the repository lock lives: inside the git directory when the repository is in
    git (nothing there can be committed), else a dotfile at the repository root."""
    for folder in (root, *root.parents):
        marker = folder / ".git"
        if marker.is_dir():
            return marker / LOCK_NAME
        if marker.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = marker.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                gitdir = folder / text[len("gitdir:"):].strip()
                if gitdir.is_dir():
                    return gitdir / LOCK_NAME
    return root / ".kehu-lock"


@contextmanager
def repository_lock(root: Path):
    """One creating writer at a time in a repository (an exclusive fcntl lock, released
    when the holder ends, even if it is killed). The lock file is never removed."""
    path = lock_path(root)
    try:
        handle = open(path, "ab")
    except OSError as exc:
        raise Refused(Text(f"无法打开仓库锁 {path}：{exc.strerror}",
                           f"cannot open the repository lock {path}: {exc.strerror}")) from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def current_customers(repo) -> list[Record]:
    """The customers as their files are now (read again: another writer may have added one
    since `repo` was loaded). Call it while holding the repository lock."""
    limit = max_file_kb(repo.root) * 1024
    fresh, seen = [], set()
    for relative in record_files(repo.root):
        if kind_of_location(relative) == "customer":
            seen.add(relative)
            record, _ = load_file(repo.root, relative, limit)
            if record is not None:
                fresh.append(record)
    return fresh + [r for r in repo.of("customer", valid_only=False) if r.file not in seen]


def check_references(repo, kind: str, data: dict) -> None:
    """Check the staff and customer a new record names, writing staff ids in place of the
    names, emails or handles typed; raises Refused with a 'did you mean' otherwise."""
    staff = repo.ids("staff")
    if kind == "customer" and data.get("registered_by") and not data.get("owner"):
        data["owner"] = data["registered_by"]
    for field, option, active in STAFF_FIELDS[kind]:
        value = data.get(field)
        if value is None or (field == "owner" and value == POOL):
            continue
        must_work = active and (kind != "complaint" or data.get("status", FIRST_STATUS) in OPEN_STATUSES)
        try:
            data[field] = people.identify(staff, str(value), option, active=must_work)
        except people.Unknown as unknown:
            raise Refused(unknown.message) from None
    customer = data.get("customer")
    customers = repo.ids("customer")
    if kind in ("visit", "complaint") and customer is not None and customer not in customers:
        from kehu.rules.k2_references import nearest

        close = nearest(str(customer), customers)
        hint = Text(f"；是不是 {close}？", f"; did you mean {close}?") if close else Text("", "")
        raise Refused(Text(f"--customer：没有客户 {customer}{hint.zh}", f"--customer: no customer {customer}{hint.en}"))


def add(repo, kind: str, data: dict) -> tuple[str, Path]:
    """`kehu new`: check whom the record names, then create it; a customer under the
    repository lock, refused if its phone is taken on disk by then. Raises Refused."""
    check_references(repo, kind, data)
    if kind != "customer":
        return create(repo, kind, data)
    with repository_lock(repo.root):
        clash = collision(repo, data.get("phones", []), current_customers(repo))
        if clash:
            raise Refused(clash)
        return create(repo, kind, data)


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
