"""`kehu import`: a legacy 客户登记表 (xlsx or csv) -> customer records.

The sheets people really have: CSV in UTF-8, UTF-8 with BOM or GBK; xlsx with a title row
or merged cells above the header; phones stored as numbers; dates as Excel serial numbers
or text like 2026年3月4日 / 2026/3/4; header names in several Chinese variants. Every row
becomes a planned record or a rejection with its row number and reason; rows whose phone
already belongs to a customer (撞单) are skipped, so running an import twice creates
nothing the second time.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from kehu import people
from kehu.domain import FIRST_STAGE
from kehu.exchange.new import Refused, create, current_customers, repository_lock
from kehu.phones import mask_phone, phone_key

HEADERS = {
    "name": ("客户姓名", "姓名", "客户名称", "客户"),
    "phones": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式"),
    "registered_at": ("登记日期", "登记时间", "来访日期", "日期"),
    "owner": ("客户经理", "业务员", "负责人", "跟进人", "接待人"),
    "source.channel": ("客户来源", "来源", "渠道", "信息来源"),
    "district": ("所在地区", "地区", "区域", "区县"),
    "community": ("小区/楼盘", "小区", "楼盘", "小区名称"),
    "address": ("详细地址", "地址"),
    "house.type": ("房屋类型", "户型"),
    "house.area_sqm": ("建筑面积", "面积", "面积（㎡）", "面积(㎡)"),
    "budget_wan": ("预算（万）", "预算(万)", "预算（万元）", "预算(万元)", "预算"),
    "grade": ("客户分级", "分级", "等级"),
    "gender": ("性别",),
    "wechat": ("微信", "微信号"),
    "notes": ("备注",),
}
CHANNEL_SYNONYMS = {"朋友介绍": "老客户介绍", "老客户": "老客户介绍", "转介绍": "老客户介绍", "网上": "网络", "网络推广": "网络",
                    "自然到店": "到店", "进店": "到店", "电话咨询": "电话", "展销会": "展会", "小区活动": "小区推广"}
NUMBER_FIELDS = ("house.area_sqm", "budget_wan")
EXCEL_EPOCH = datetime(1899, 12, 30)
_CHINESE_DATE = re.compile(r"^\s*(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?\s*"
                           r"(?:(\d{1,2})[:：时](\d{2})(?:[:：分](\d{2}))?)?\s*$")


class ImportError_(Exception):
    """The file cannot be read at all."""


@dataclass
class Row:
    number: int  # the row number as the spreadsheet shows it (1-based)
    data: dict = field(default_factory=dict)
    reason: str | None = None  # set: rejected
    collides_with: str | None = None  # set: skipped as 撞单


def read_table(path: Path) -> list[tuple[int, list]]:
    """(row number, cells) for every row of the first sheet or the CSV file."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(path, data_only=True, read_only=True).worksheets[0]
        except Exception as exc:  # a corrupt or mislabelled file
            raise ImportError_(f"无法读取 Excel 文件：{exc}") from None
        return [(i, list(row)) for i, row in enumerate(sheet.iter_rows(values_only=True), 1)]
    if path.suffix.lower() == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportError_("CSV 既不是 UTF-8 也不是 GBK 编码")
        rows = []
        try:
            for i, row in enumerate(csv.reader(io.StringIO(text)), 1):
                rows.append((i, row))
        except csv.Error as exc:  # e.g. a cell over csv's 128 KB limit: not a registration sheet
            raise ImportError_(f"CSV 第 {len(rows) + 1} 行读不下去（{exc}）：这不像一张客户登记表") from None
        return rows
    raise ImportError_(f"只支持 .xlsx 和 .csv，不支持 {path.suffix}")


def find_header(rows, mapping: dict[str, str]) -> tuple[int, dict[int, str]]:
    """The first row naming at least two known columns (title rows above it are skipped)."""
    known = {variant: field_name for field_name, variants in HEADERS.items() for variant in variants}
    known.update(mapping)
    for index, (_, cells) in enumerate(rows):
        columns = {}
        for position, cell in enumerate(cells):
            label = re.sub(r"\s+", "", str(cell)) if cell is not None else ""
            if label in known and known[label] not in columns.values():
                columns[position] = known[label]
        if len(columns) >= 2 and "name" in columns.values():
            return index, columns
    raise ImportError_("找不到表头：需要至少“姓名”和另一列（如“联系电话”）；可用 --map 列名=字段 指定")


def as_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        return EXCEL_EPOCH + timedelta(days=float(value))  # an Excel serial date
    if isinstance(value, str):
        match = _CHINESE_DATE.match(value)
        if match:
            y, m, d, hh, mm, ss = match.groups()
            try:
                return datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
            except ValueError:
                return None
    return None


def as_phones(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return [p.strip() for p in re.split(r"[、,，;；/]", text) if p.strip()]


def plan(repo, path: Path, mapping: dict[str, str]) -> list[Row]:
    """Every data row as a record to create, a rejection, or a 撞单 to skip."""
    rows = read_table(path)
    header_at, columns = find_header(rows, mapping)
    staff = repo.ids("staff")
    channels = repo.schemas.vocabulary("channel")
    known_phones = {phone_key(p): c.id for c in repo.of("customer", valid_only=False) for p in c.data.get("phones") or []}
    planned: list[Row] = []
    for number, cells in rows[header_at + 1:]:
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        row = Row(number)
        values = {field_name: cells[pos] if pos < len(cells) else None for pos, field_name in columns.items()}
        row.reason = _fill(row.data, values, staff, channels)
        if row.reason is None:
            problems = list(repo.schemas.check("customer", {"id": "C2000-0001", **row.data}))
            if problems:
                row.reason = "；".join(f"{'.'.join(map(str, p))}: {m.zh}" for p, _, m in problems)
        if row.reason is None:
            for phone in row.data["phones"]:
                if phone_key(phone) in known_phones:
                    row.collides_with = known_phones[phone_key(phone)]
                    break
            else:
                for phone in row.data["phones"]:
                    known_phones[phone_key(phone)] = f"第 {number} 行"
        planned.append(row)
    return planned


def _owner(values: dict, staff: dict) -> tuple[str | None, str | None]:
    """(staff id, None) for the row's owner column (an id, e-mail, handle or name), or
    (None, why not)."""
    owner_text = str(values.get("owner") or "").strip()
    if not owner_text:
        return None, "没有客户经理"
    owner = people.resolve(staff, owner_text)
    if owner is None:
        close = "、".join(f"{s}（{staff[s].data.get('name', s)}）" for s in people.suggest(staff, owner_text))
        return None, f"客户经理“{owner_text}”不在员工名单里" + (f"；是不是 {close}？" if close else "")
    if people.left(staff, owner) is not None:
        return None, f"客户经理“{owner_text}”（{owner}）已离职，不能接新客户：请改成接手的客户经理"
    return owner, None


def _numbers(data: dict, values: dict) -> str | None:
    """House type, area and budget into `data`; why not, if a number is no number."""
    house = {}
    if values.get("house.type"):
        house["type"] = str(values["house.type"]).strip()
    for key in NUMBER_FIELDS:
        value = values.get(key)
        if value in (None, ""):
            continue
        try:
            number = float(re.sub(r"[^\d.]", "", str(value)))
        except ValueError:
            return f"{key} 不是数字：{value!r}"
        number = int(number) if number.is_integer() else number
        if key == "budget_wan":
            data["budget_wan"] = number
        else:
            house["area_sqm"] = number
    if house:
        data["house"] = house
    return None


def _fill(data: dict, values: dict, staff: dict, channels: list[str]) -> str | None:
    name = str(values.get("name") or "").strip()
    if not name:
        return "没有客户姓名"
    data["name"] = name
    phones = as_phones(values.get("phones"))
    if not phones:
        return "没有联系电话"
    data["phones"] = phones
    registered = as_datetime(values.get("registered_at"))
    if registered is None:
        return f"登记日期看不懂：{values.get('registered_at')!r}"
    owner, refusal = _owner(values, staff)
    if refusal:
        return refusal
    channel_text = str(values.get("source.channel") or "").strip()
    channel = channel_text if channel_text in channels else CHANNEL_SYNONYMS.get(channel_text, "其他")
    data["source"] = {"channel": channel}
    notes = [str(values["notes"]).strip()] if values.get("notes") else []
    if channel_text and channel_text not in channels and channel_text not in CHANNEL_SYNONYMS:
        notes.append(f"原登记来源：{channel_text}")
    for key in ("gender", "district", "community", "address", "wechat"):
        if values.get(key) not in (None, ""):
            data[key] = str(values[key]).strip()
    refusal = _numbers(data, values)
    if refusal:
        return refusal
    data["grade"] = str(values.get("grade") or "C").strip().upper()
    data["stage"] = FIRST_STAGE
    data["owner"] = owner
    data["registered_at"] = registered.strftime("%Y-%m-%d %H:%M:%S")
    data["registered_by"] = owner
    if notes:
        data["notes"] = "；".join(notes)
    return None


def apply(repo, rows: list[Row], write: bool, stamp: dict | None = None) -> tuple[list[str], dict]:
    """Report every row, and with `write` create the good ones; returns (lines, counts).
    Writing holds the repository lock, and checks each row's phones again against the
    customer files as they are then (a `kehu new` or another import may have just landed).
    Each written record carries `imported: {file, row, at, by}` (`stamp` gives file and by):
    review then accepts its old registered_at once an admin approves (K804)."""
    at = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    for row in rows:
        if stamp and stamp.get("by"):
            row.data["imported"] = {"file": stamp["file"], "row": row.number, "at": at, "by": stamp["by"]}
    lines, written = [], set()
    for row in rows:
        if row.reason:
            lines.append(f"拒绝 第 {row.number} 行：{row.reason}")
        elif row.collides_with:
            lines.append(f"撞单 {describe(row)}：电话已属于 {row.collides_with}，跳过")
    good = [r for r in rows if r.reason is None and r.collides_with is None]
    if not write:
        lines += [f"将新建 {describe(row)}" for row in good]
    else:
        try:
            with repository_lock(repo.root):
                taken = {phone_key(p): c.id for c in current_customers(repo)
                         for p in (c.data.get("phones") if isinstance(c.data.get("phones"), list) else [])}
                for row in good:
                    lines.append(_write_row(repo, row, taken, written))
        except Refused as refused:  # the lock itself could not be taken
            for row in good:
                row.reason = row.reason or refused.message.zh
            lines.append(f"未写入：{refused.message.zh}")
    counts = {"created": sum(1 for r in rows if r.reason is None and r.collides_with is None),
              "skipped": sum(1 for r in rows if r.collides_with), "rejected": sum(1 for r in rows if r.reason)}
    return lines, counts


def _write_row(repo, row: Row, taken: dict, written: set) -> str:
    """Create one row's customer unless `taken` ({phone key: customer id}) has its phone."""
    clash = next((taken[phone_key(p)] for p in row.data["phones"] if phone_key(p) in taken), None)
    if clash is not None:
        row.collides_with = clash
        return f"撞单 {describe(row)}：电话已属于 {clash}，跳过"
    try:
        record_id, _ = create(repo, "customer", row.data, written)
    except Refused as refused:
        row.reason = refused.message.zh
        return f"拒绝 第 {row.number} 行：{row.reason}"
    taken.update((phone_key(p), record_id) for p in row.data["phones"])
    return f"新建 {record_id} ← {describe(row)}"


def describe(row: Row) -> str:
    phones = "、".join(mask_phone(p) for p in row.data.get("phones", []))
    return f"第 {row.number} 行：{row.data.get('name')}，{phones}，{row.data.get('owner')}，登记 {row.data.get('registered_at')}"
