"""A legacy 客户登记表 as rows of cells, and which column holds which field.

The sheets people really have: CSV in UTF-8, UTF-8 with BOM or GBK; xlsx with a title row
or merged cells above the header; header names in several Chinese variants, full-width
brackets, a * marking a required column. A column whose header kehu does not know is
reported once, before the rows, with the `--map 列名=字段` that would take it in when the
header looks like a field (接待顾问 and 置业顾问 look like the owner); a required field
without a column is reported there too, and every row that lacks it points back to it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from kehu.findings import Text

# field -> the headers that name it (compared after `normal`: full-width and spacing aside)
HEADERS = {
    "name": ("客户姓名", "姓名", "客户名称", "客户", "业主姓名", "业主"),
    "phones": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码", "联系号码", "客户电话"),
    "registered_at": ("登记日期", "登记时间", "来访日期", "日期", "到店日期", "咨询日期"),
    "owner": ("客户经理", "业务员", "负责人", "跟进人", "接待人", "归属人"),
    "source.channel": ("客户来源", "来源", "渠道", "信息来源", "来源渠道"),
    "district": ("所在地区", "地区", "区域", "区县"),
    "community": ("小区/楼盘", "小区", "楼盘", "小区名称", "楼盘名称"),
    "address": ("详细地址", "地址", "房屋地址", "装修地址"),
    "house.type": ("房屋类型", "户型"),
    "house.area_sqm": ("建筑面积", "面积", "面积（㎡）", "面积（平方米）", "面积（平米）", "房屋面积"),
    "budget_wan": ("预算（万）", "预算（万元）", "预算", "装修预算"),
    "grade": ("客户分级", "分级", "等级", "客户等级", "客户级别", "级别", "客户类别"),
    "gender": ("性别",),
    "wechat": ("微信", "微信号"),
    "notes": ("备注",),
}
# an unknown header containing one of these words probably means the field: the note
# before the rows then says which --map would take the column in
RESEMBLES = {
    "owner": ("顾问", "经理", "业务", "销售", "跟进", "接待", "负责", "归属", "专员"),
    "phones": ("电话", "手机", "号码", "联系方式"),
    "name": ("姓名", "名字"),
    "registered_at": ("日期", "时间"),
    "grade": ("等级", "级别", "分级", "类别"),
    "source.channel": ("来源", "渠道"),
    "community": ("小区", "楼盘"),
    "address": ("地址",),
    "district": ("地区", "区域"),
    "house.area_sqm": ("面积",),
    "budget_wan": ("预算",),
    "house.type": ("户型", "房型", "房屋"),
    "wechat": ("微信",),
    "gender": ("性别",),
    "notes": ("备注", "说明", "情况"),
}
REQUIRED = ("name", "phones", "registered_at", "owner")
QUIET = ("序号", "行号")  # the sheet's own row numbers: left out without a note
MANY = ("phones", "notes")  # fields several columns may feed (手机 and 备用电话)
# what a field is called in messages: its first header, and in English
NAMES = {"name": ("客户姓名", "customer name"), "phones": ("联系电话", "phone"), "registered_at": ("登记日期", "registration date"),
         "owner": ("客户经理", "owner"), "source.channel": ("客户来源", "source"), "district": ("所在地区", "district"),
         "community": ("小区/楼盘", "community"), "address": ("详细地址", "address"), "house.type": ("房屋类型", "house type"),
         "house.area_sqm": ("建筑面积", "floor area"), "budget_wan": ("预算", "budget"), "grade": ("客户分级", "grade"),
         "gender": ("性别", "gender"), "wechat": ("微信", "WeChat"), "notes": ("备注", "notes")}


class ImportError_(Exception):
    """The file cannot be read at all (exit 2); `message` says why."""

    def __init__(self, message: Text):
        super().__init__(message.en)
        self.message = message


@dataclass(frozen=True)
class Formula:
    """A formula cell whose file holds no computed value (written by a program, never
    opened in Excel): what the spreadsheet would show is unknown."""

    text: str


def normal(label) -> str:
    """A header as compared: full-width letters and brackets as ASCII, no spaces or * marks."""
    return re.sub(r"[\s*:]", "", unicodedata.normalize("NFKC", str(label))) if label is not None else ""


def read_table(path: Path) -> list[tuple[int, list]]:
    """(row number, cells) for every row of the first sheet or the CSV file."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise ImportError_(Text(f"只支持 .xlsx 和 .csv，不支持 {path.suffix}", f"only .xlsx and .csv are supported, not {path.suffix}"))


def _read_xlsx(path: Path) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    try:  # the values Excel computed, and the formulas, to tell an empty cell from an uncomputed one
        values = load_workbook(path, data_only=True, read_only=True).worksheets[0]
        formulas = load_workbook(path, data_only=False, read_only=True).worksheets[0]
        rows = []
        for number, (shown, written) in enumerate(zip(values.iter_rows(), formulas.iter_rows()), 1):
            cells = [c.value for c in shown]
            for position, cell in enumerate(written):
                if position < len(cells) and cells[position] is None and getattr(cell, "data_type", None) == "f":
                    cells[position] = Formula(str(cell.value))
            rows.append((number, cells))
        return rows
    except Exception as exc:  # a corrupt or mislabelled file
        raise ImportError_(Text(f"无法读取 Excel 文件：{exc}", f"cannot read the Excel file: {exc}")) from None


def _read_csv(path: Path) -> list[tuple[int, list]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportError_(Text("CSV 既不是 UTF-8 也不是 GBK 编码", "the CSV is neither UTF-8 nor GBK"))
    rows: list[tuple[int, list]] = []
    try:
        for i, row in enumerate(csv.reader(io.StringIO(text)), 1):
            rows.append((i, row))
    except csv.Error as exc:  # e.g. a cell over csv's 128 KB limit: not a registration sheet
        raise ImportError_(Text(f"CSV 第 {len(rows) + 1} 行读不下去（{exc}）：这不像一张客户登记表",
                                f"CSV row {len(rows) + 1} cannot be read ({exc}): this is no registration sheet")) from None
    return rows


@dataclass
class Columns:
    """Which column holds which field, and what the header row held besides."""

    fields: dict[int, str]  # position -> field
    labels: dict[int, str]  # position -> the header as written
    ignored: list[tuple[str, str | None]] = field(default_factory=list)  # (header, field it looks like)

    def of(self, field_name: str) -> list[int]:
        return sorted(position for position, name in self.fields.items() if name == field_name)

    def missing(self) -> list[str]:
        return [name for name in REQUIRED if not self.of(name)]

    def suggestion(self, field_name: str) -> str | None:
        """The header of an ignored column that looks like `field_name`, if any."""
        return next((label for label, like in self.ignored if like == field_name), None)

    def notices(self, defaults: dict[str, str]) -> list[Text]:
        """What to say once, before the rows: columns left out, required fields not found,
        and the fields every row gets a default for ({field: value}) because no column has them."""
        out = [self._ignored(label, like, defaults) for label, like in self.ignored]
        for name in self.missing():
            if self.suggestion(name) is None:
                zh, en = NAMES[name]
                out.append(Text(f"表头里没有{zh}列（必填）：每一行都会被拒绝；用 --map 列名={name} 指定",
                                f"no {en} column in the header (required): every row will be refused; "
                                f"name the column with --map COLUMN={name}"))
        for name, value in defaults.items():
            if not self.of(name) and self.suggestion(name) is None:
                zh, en = NAMES[name]
                out.append(Text(f"表头里没有{zh}列：每位客户都记为 {value}（有这一列的话用 --map 列名={name} 指定）",
                                f"no {en} column in the header: every customer is recorded as {value} (if a column "
                                f"holds it, name it with --map COLUMN={name})"))
        return out

    def _ignored(self, label: str, like: str | None, defaults: dict[str, str]) -> Text:
        if like is None:
            return Text(f"“{label}”列没有对应的字段，未导入（要导入请用 --map {label}=字段）",
                        f"column “{label}” matches no field and is left out (to import it, use --map {label}=FIELD)")
        zh, en = NAMES[like]
        if like in self.missing():
            then = Text("（必填：缺了它每一行都会被拒绝）", " (required: without it every row is refused)")
        elif like in defaults and not self.of(like):
            then = Text(f"（不导入的话每位客户都记为 {defaults[like]}）", f" (without it every customer is recorded as "
                        f"{defaults[like]})")
        else:
            then = Text("", "")
        return Text(f"“{label}”列没有认出来，未导入；它像是{zh}{then.zh}：要导入它，加 --map {label}={like}",
                    f"column “{label}” was not recognised and is left out; it looks like the {en}{then.en}: "
                    f"to import it, add --map {label}={like}")

    def absent(self, name: str) -> Text:
        """A row's reason when the whole column is missing: points to the note above."""
        zh, en = NAMES[name]
        return Text(f"没有{zh}：表头里没有认出{zh}列（见开头的说明；{self._how(name).zh}）",
                    f"no {en}: no {en} column was recognised in the header (see the note above; {self._how(name).en})")

    def _how(self, name: str) -> Text:
        like = self.suggestion(name)
        if like:
            return Text(f"“{like}”列像是它，加 --map {like}={name}", f"column “{like}” looks like it: add --map {like}={name}")
        return Text(f"用 --map 列名={name} 指定", f"name the column with --map COLUMN={name}")


def find_header(rows, mapping: dict[str, str]) -> tuple[int, Columns]:
    """The first row naming the customer's name and another known column (title rows above
    it are skipped); `mapping` ({header: field}, from --map) comes before the usual names."""
    known = {normal(variant): field_name for field_name, variants in HEADERS.items() for variant in variants}
    chosen = {normal(label): field_name for label, field_name in mapping.items()}
    for index, (_, cells) in enumerate(rows):
        labels = {position: normal(cell) for position, cell in enumerate(cells) if normal(cell)}
        fields = {p: chosen[label] for p, label in labels.items() if label in chosen}
        for position, label in labels.items():
            name = known.get(label)
            if position not in fields and name and (name in MANY or name not in fields.values()):
                fields[position] = name
        if len(fields) >= 2 and "name" in fields.values():
            _mapped_columns_exist(mapping, labels)
            shown = {p: str(cells[p]).strip() for p in labels}
            taken = set(fields.values())
            ignored = [(shown[p], _resembles(label, taken)) for p, label in labels.items()
                       if p not in fields and label not in QUIET]
            return index, Columns(fields, {p: shown[p] for p in fields}, ignored)
    raise ImportError_(Text("找不到表头：需要至少“姓名”和另一列（如“联系电话”）；可用 --map 列名=字段 指定",
                            "no header row found: it needs at least 姓名 (name) and one more known column such as "
                            "联系电话; name columns with --map COLUMN=FIELD"))


def _mapped_columns_exist(mapping: dict[str, str], labels: dict[int, str]) -> None:
    for label, field_name in mapping.items():
        if normal(label) not in labels.values():
            raise ImportError_(Text(f"--map {label}={field_name}：表头里没有“{label}”这一列",
                                    f"--map {label}={field_name}: the header has no column “{label}”"))


def _resembles(label: str, taken: set[str]) -> str | None:
    """The field an unknown header probably means, if no other column holds it yet (phones
    and notes may come from several columns)."""
    for name, words in RESEMBLES.items():
        if any(word in label for word in words) and (name in MANY or name not in taken):
            return name
    return None
