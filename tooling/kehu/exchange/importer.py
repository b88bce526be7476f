"""`kehu import`: a legacy 客户登记表 (xlsx or csv) -> customer records.

Reading the sheet and finding its columns is kehu.exchange.sheet; reading each cell is
kehu.exchange.cells. Every row becomes a planned record or a refusal naming the file, the
row and the value; rows whose phone already belongs to a customer (撞单) are skipped, so
running an import twice creates nothing the second time.

A value that was written is never silently replaced: a grade or phone kehu cannot read
refuses the row; a source or house type outside the vocabulary is kept in `notes` and the
row says so. A default stands only where nothing was written (no grade: C, the grade of a
new customer; no source: 其他), and the output says that too. A row whose owner has left
is refused unless `--allow-left`, which imports it as it stands with a warning: K203 then
asks for the reassignment (`kehu pool --assign`) before the branch can merge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from kehu import people
from kehu.domain import FIRST_STAGE
from kehu.exchange import cells
from kehu.exchange.new import Refused, create, current_customers, repository_lock
from kehu.exchange.sheet import HEADERS, NAMES, Columns, Formula, ImportError_, find_header, normal, read_table
from kehu.findings import Text
from kehu.phones import mask_phone, phone_key

__all__ = ["HEADERS", "ImportError_", "Plan", "Row", "apply", "plan"]

CHANNEL_SYNONYMS = {"朋友介绍": "老客户介绍", "老客户": "老客户介绍", "转介绍": "老客户介绍", "网上": "网络", "网络推广": "网络",
                    "自然到店": "到店", "进店": "到店", "电话咨询": "电话", "展销会": "展会", "小区活动": "小区推广"}
GENDER_SYNONYMS = {"男士": "男", "先生": "男", "女士": "女", "小姐": "女"}
NEW_CUSTOMER_GRADE = "C"  # the schema's grade description: C 一般或新增客户
OTHER_CHANNEL = "其他"
DEFAULTS = {"grade": NEW_CUSTOMER_GRADE, "source.channel": OTHER_CHANNEL}  # what a row gets when nothing was written


@dataclass
class Row:
    number: int  # the row number as the spreadsheet shows it (1-based)
    data: dict = field(default_factory=dict)
    reason: Text | None = None  # set: refused
    collides_with: str | Text | None = None  # set: skipped as 撞单 (a customer id, or an earlier row)
    warnings: list[Text] = field(default_factory=list)  # imported, but the user should know


@dataclass
class Plan:
    file: str
    columns: Columns
    rows: list[Row]


@dataclass
class _Sheet:
    """What every row is read against."""

    columns: Columns
    staff: dict
    today: date
    allow_left: bool
    phone: re.Pattern
    vocabulary: dict[str, list[str]]


def plan(repo, path: Path, mapping: dict[str, str], today: date, allow_left: bool = False) -> Plan:
    """Every data row as a record to create, a refusal, or a 撞单 to skip."""
    rows = read_table(path)
    header_at, columns = find_header(rows, mapping)
    sheet = _Sheet(columns, repo.ids("staff"), today, allow_left, re.compile(repo.schemas.defs["phone"]["pattern"]),
                   {name: repo.schemas.vocabulary(name) for name in ("grade", "channel", "houseType", "gender")})
    known_phones = {phone_key(p): c.id for c in repo.of("customer", valid_only=False) for p in c.data.get("phones") or []}
    planned: list[Row] = []
    for number, row_cells in rows[header_at + 1:]:
        if all(c is None or str(c).strip() == "" for c in row_cells):
            continue
        row = Row(number)
        values = {name: [row_cells[p] if p < len(row_cells) else None for p in columns.of(name)] for name in HEADERS}
        row.reason = _formulas(values) or _fill(row, values, sheet)
        if row.reason is None:
            problems = list(repo.schemas.check("customer", {"id": "C2000-0001", **row.data}))
            if problems:
                row.reason = Text("；".join(f"{'.'.join(map(str, p))}: {m.zh}" for p, _, m in problems),
                                  "; ".join(f"{'.'.join(map(str, p))}: {m.en}" for p, _, m in problems))
        if row.reason is None:
            clash = next((known_phones[phone_key(p)] for p in row.data["phones"] if phone_key(p) in known_phones), None)
            row.collides_with = clash
            if clash is None:
                known_phones.update((phone_key(p), Text(f"第 {number} 行", f"row {number}")) for p in row.data["phones"])
        planned.append(row)
    return Plan(path.name, columns, planned)


def _formulas(values: dict) -> Text | None:
    for name, found in values.items():
        for cell in found:
            if isinstance(cell, Formula):
                return cells.formula(NAMES[name][0], cell)
    return None


def _first(values: dict, name: str):
    """The field's cell (its first column's), or None."""
    found = [c for c in values[name] if c is not None and str(c).strip() != ""]
    return found[0] if found else None


def _required(values: dict, name: str, sheet: _Sheet) -> tuple[object, Text | None]:
    """The cell of a required field, or why the row has none."""
    if not sheet.columns.of(name):
        return None, sheet.columns.absent(name)
    cell = _first(values, name)
    if cell is None:
        zh, en = NAMES[name]
        return None, Text(f"没有{zh}（这一格是空的）", f"no {en} (the cell is empty)")
    return cell, None


def _fill(row: Row, values: dict, sheet: _Sheet) -> Text | None:
    """The row's record into `row.data`, notes into `row.warnings`; the reason to refuse it, if any."""
    data = row.data
    name, missing = _required(values, "name", sheet)
    if missing:
        return missing
    data["name"] = str(name).strip()
    if not sheet.columns.of("phones"):
        return sheet.columns.absent("phones")
    data["phones"], problem = cells.phones(values["phones"], sheet.phone)
    if problem:
        return problem
    if not data["phones"]:
        return Text("没有联系电话（这一格是空的）", "no phone (the cell is empty)")
    when, missing = _required(values, "registered_at", sheet)
    if missing:
        return missing
    registered = cells.as_datetime(when)
    if registered is None:
        return Text(f"登记日期看不懂：{when!r}（应为 2026-03-04、2026/3/4 或 2026年3月4日）",
                    f"cannot read the registration date {when!r} (write 2026-03-04, 2026/3/4 or 2026年3月4日)")
    owner, refusal = _owner(row, values, sheet)
    if refusal:
        return refusal
    notes = _notes(values, sheet.columns)
    _choices(row, values, sheet, notes)
    refusal = _grade(row, values, sheet) or _numbers(data, values)
    if refusal:
        return refusal
    for key in ("district", "community", "address", "wechat"):
        cell = _first(values, key)
        if cell is not None:
            data[key] = str(cell).strip()
    data["stage"] = FIRST_STAGE
    data["owner"] = owner
    data["registered_at"] = registered.strftime("%Y-%m-%d %H:%M:%S")
    data["registered_by"] = owner
    if notes:
        data["notes"] = "；".join(notes)
    return None


def _notes(values: dict, columns: Columns) -> list[str]:
    """The notes cells; one from a column not headed 备注 (taken in with --map) says which."""
    notes = []
    for position, cell in zip(columns.of("notes"), values["notes"]):
        text = str(cell).strip() if cell is not None else ""
        label = columns.labels[position]
        if text:
            notes.append(text if normal(label) in HEADERS["notes"] else f"{label}：{text}")
    return notes


def _owner(row: Row, values: dict, sheet: _Sheet) -> tuple[str | None, Text | None]:
    """(staff id, None) for the row's owner (an id, e-mail, handle or name), or (None, why not)."""
    cell, missing = _required(values, "owner", sheet)
    if missing:
        return None, missing
    text = str(cell).strip()
    owner = people.resolve(sheet.staff, text)
    if owner is None:
        unknown = people.unknown(sheet.staff, text)
        return None, Text(f"客户经理：{unknown.zh}", f"owner: {unknown.en}")
    gone = people.left(sheet.staff, owner, today=sheet.today)
    if gone is None:
        return owner, None
    if not sheet.allow_left:
        return None, Text(f"客户经理：{gone.zh}（或加 --allow-left 照原样导入，再用 kehu pool --assign 重新分配）",
                          f"owner: {gone.en} (or add --allow-left to import the row as it is, then reassign it with "
                          "kehu pool --assign)")
    member = sheet.staff[owner].data
    who, since = f"{member.get('name') or owner}（{owner}）", member.get("left")
    row.warnings.append(Text(f"客户经理{who}已离职{f'（{since}）' if since else ''}：按 --allow-left 照原样导入，"
                             "合并前用 kehu pool --assign 重新分配",
                             f"owner {who.replace('（', ' (').replace('）', ')')} has left{f' ({since})' if since else ''}: "
                             "imported as it is (--allow-left); have it reassigned with kehu pool --assign before merging"))
    return owner, None


def _grade(row: Row, values: dict, sheet: _Sheet) -> Text | None:
    cell = _first(values, "grade")
    if cell is None:
        row.data["grade"] = NEW_CUSTOMER_GRADE
        if sheet.columns.of("grade"):  # a missing column is said once, before the rows
            row.warnings.append(Text(f"客户分级是空的，按新客户记为 {NEW_CUSTOMER_GRADE}",
                                     f"no grade given: recorded as {NEW_CUSTOMER_GRADE}, a new customer's grade"))
        return None
    row.data["grade"], problem = cells.grade(cell, sheet.vocabulary["grade"])
    return problem


def _choices(row: Row, values: dict, sheet: _Sheet, notes: list[str]) -> None:
    """Source, house type and gender: a word outside the vocabulary is kept in the notes,
    and the row says so (the source, which is required, becomes 其他)."""
    cell = _first(values, "source.channel")
    channel = cells.choice(cell, sheet.vocabulary["channel"], CHANNEL_SYNONYMS) if cell is not None else None
    row.data["source"] = {"channel": channel or OTHER_CHANNEL}
    if cell is not None and channel is None:
        notes.append(f"原登记来源：{str(cell).strip()}")
        row.warnings.append(Text(f"来源“{cell}”不在可选范围内，记为“{OTHER_CHANNEL}”，原文写进备注",
                                 f"source “{cell}” is not in the vocabulary: recorded as {OTHER_CHANNEL}, the original "
                                 "kept in the notes"))
    elif cell is None and sheet.columns.of("source.channel"):
        row.warnings.append(Text(f"来源是空的，记为“{OTHER_CHANNEL}”", f"no source given: recorded as {OTHER_CHANNEL}"))
    for key, vocabulary, synonyms in (("house.type", "houseType", {}), ("gender", "gender", GENDER_SYNONYMS)):
        cell = _first(values, key)
        if cell is None:
            continue
        word = cells.choice(cell, sheet.vocabulary[vocabulary], synonyms)
        if word is None:
            zh, en = NAMES[key]
            notes.append(f"原登记{zh}：{str(cell).strip()}")
            row.warnings.append(Text(f"{zh}“{cell}”不在可选范围内（{'、'.join(sheet.vocabulary[vocabulary])}），未填，"
                                     "原文写进备注", f"{en} “{cell}” is not one of {', '.join(sheet.vocabulary[vocabulary])}: "
                                     "left out, the original kept in the notes"))
        elif key == "gender":
            row.data["gender"] = word
        else:
            row.data.setdefault("house", {})["type"] = word


def _numbers(data: dict, values: dict) -> Text | None:
    """Area and budget into `data`; why not, if one is no number."""
    for key in ("house.area_sqm", "budget_wan"):
        cell = _first(values, key)
        if cell is None:
            continue
        number, problem = cells.number(key, NAMES[key][0], cell)
        if problem:
            return problem
        if key == "budget_wan":
            data["budget_wan"] = number
        else:
            data.setdefault("house", {})["area_sqm"] = number
    return None


def apply(repo, planned: Plan, write: bool, stamp: dict | None = None) -> tuple[list[Text], dict]:
    """Report every row, and with `write` create the good ones; returns (lines, counts).
    Writing holds the repository lock, and checks each row's phones again against the
    customer files as they are then (a `kehu new` or another import may have just landed).
    Each written record carries `imported: {file, row, at, by}` (`stamp` gives file and by):
    review then accepts its old registered_at once an admin approves (K804)."""
    rows = planned.rows
    at = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    for row in rows:
        if stamp and stamp.get("by"):
            row.data["imported"] = {"file": stamp["file"], "row": row.number, "at": at, "by": stamp["by"]}
    lines: list[Text] = []
    written: set[str] = set()
    for row in rows:
        if row.reason:
            lines.append(_refused(planned.file, row))
        elif row.collides_with:
            lines.append(_collision(row))
    good = [r for r in rows if r.reason is None and r.collides_with is None]
    if not write:
        for row in good:
            lines += [Text(f"将新建 {describe(row).zh}", f"would create {describe(row).en}"), *_warnings(planned.file, row)]
    else:
        try:
            with repository_lock(repo.root):
                taken = {phone_key(p): c.id for c in current_customers(repo)
                         for p in (c.data.get("phones") if isinstance(c.data.get("phones"), list) else [])}
                for row in good:
                    lines.append(_write_row(planned.file, repo, row, taken, written))
                    lines += _warnings(planned.file, row) if row.reason is None and row.collides_with is None else []
        except Refused as refused:  # the lock itself could not be taken
            for row in good:
                row.reason = row.reason or refused.message
            lines.append(Text(f"未写入：{refused.message.zh}", f"nothing written: {refused.message.en}"))
    counts = {"created": sum(1 for r in rows if r.reason is None and r.collides_with is None),
              "skipped": sum(1 for r in rows if r.collides_with), "rejected": sum(1 for r in rows if r.reason),
              "warned": sum(1 for r in rows if r.warnings and r.reason is None and r.collides_with is None)}
    return lines, counts


def _refused(file: str, row: Row) -> Text:
    return Text(f"拒绝 {file} 第 {row.number} 行：{row.reason.zh}", f"refused {file} row {row.number}: {row.reason.en}")


def _collision(row: Row) -> Text:
    other = row.collides_with if isinstance(row.collides_with, Text) else Text(row.collides_with, row.collides_with)
    return Text(f"撞单 {describe(row).zh}：电话已属于 {other.zh}，跳过",
                f"collision {describe(row).en}: the phone belongs to {other.en}; skipped")


def _warnings(file: str, row: Row) -> list[Text]:
    return [Text(f"  注意 {file} 第 {row.number} 行：{w.zh}", f"  note {file} row {row.number}: {w.en}") for w in row.warnings]


def _write_row(file: str, repo, row: Row, taken: dict, written: set) -> Text:
    """Create one row's customer unless `taken` ({phone key: customer id}) has its phone."""
    clash = next((taken[phone_key(p)] for p in row.data["phones"] if phone_key(p) in taken), None)
    if clash is not None:
        row.collides_with = clash
        return _collision(row)
    try:
        record_id, _ = create(repo, "customer", row.data, written)
    except Refused as refused:
        row.reason = refused.message
        return _refused(file, row)
    taken.update((phone_key(p), record_id) for p in row.data["phones"])
    return Text(f"新建 {record_id} ← {describe(row).zh}", f"created {record_id} ← {describe(row).en}")


def describe(row: Row) -> Text:
    phones = "、".join(mask_phone(p) for p in row.data.get("phones", []))
    data = row.data
    return Text(f"第 {row.number} 行：{data.get('name')}，{phones}，{data.get('owner')}，登记 {data.get('registered_at')}",
                f"row {row.number}: {data.get('name')}, {phones}, {data.get('owner')}, registered {data.get('registered_at')}")
