"""One spreadsheet cell as a record value, or the reason it cannot be one, said the way
a spreadsheet user can act on it.

A phone the sheet stored as a number is the usual trouble: the leading 0 of a landline is
gone (2164381234), or the column showed 1.38E+10 and a CSV kept only that. The advice is
the spreadsheet's (set the column to 文本), not YAML's (`kehu check` says "请加引号",
which means nothing in Excel). A value that was written is never replaced by a default:
a grade written A类, A级, a or Ａ is A; one kehu cannot read refuses the row.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

from kehu.exchange.sheet import Formula
from kehu.findings import Text

EXCEL_EPOCH = datetime(1899, 12, 30)
_CHINESE_DATE = re.compile(r"^\s*(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?\s*"
                           r"(?:(\d{1,2})[:：时](\d{2})(?:[:：分](\d{2}))?)?\s*$")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")
_PHONE_SEPARATORS = re.compile(r"[、,;/]")
_GRADE_WORDS = re.compile(r"(?:类|级)?(?:客户)?$")  # A类, A级, A类客户
# units people write after a number, per field; the number must be in the field's unit
UNITS = {"house.area_sqm": ("m2", "平方米", "平米", "平方", "平"), "budget_wan": ("万元", "万")}
SET_TEXT = Text("在 Excel/WPS 里把这一列设成“文本”格式（选中整列 → 设置单元格格式 → 文本），重新填入完整号码后再导入",
                "in Excel/WPS set the column's format to Text (select the column → Format Cells → Text), type the full "
                "numbers again and import once more")


def plain(value) -> str:
    """A cell as text: full-width letters, digits and punctuation as ASCII, trimmed."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def formula(label: str, cell: Formula) -> Text:
    return Text(f"“{label}”这一格是公式 {cell.text}，文件里没有存它算出的值：在 Excel/WPS 里打开、保存一次，"
                "或把公式复制后“选择性粘贴 → 数值”",
                f"the “{label}” cell is the formula {cell.text} and the file holds no computed value: open and save "
                "it once in Excel/WPS, or paste the formulas as values")


def as_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        return EXCEL_EPOCH + timedelta(days=float(value))  # an Excel serial date
    if isinstance(value, str):
        match = _CHINESE_DATE.match(unicodedata.normalize("NFKC", value))
        if match:
            y, m, d, hh, mm, ss = match.groups()
            try:
                return datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
            except ValueError:
                return None
    return None


def phones(cells: list, pattern: re.Pattern) -> tuple[list[str], Text | None]:
    """The phones in the phone cells (several numbers in one cell split at 、,;/), or why
    one of them is no phone; `pattern` is the schema's phone pattern."""
    found: list[str] = []
    for cell in cells:
        if isinstance(cell, bool):
            return [], Text(f"联系电话是 {cell}，不是号码", f"the phone is {cell}, not a number")
        if isinstance(cell, (int, float)):
            phone, problem = _number_cell(cell, pattern)
            if problem:
                return [], problem
            found.append(phone)
            continue
        for part in _PHONE_SEPARATORS.split(plain(cell) if cell is not None else ""):
            phone, problem = _text_phone(part.strip(), pattern)
            if problem:
                return [], problem
            if phone:
                found.append(phone)
    return found, None


def _number_cell(value: int | float, pattern: re.Pattern) -> tuple[str, Text | None]:
    """A phone an xlsx stored as a number: fine if all its digits are there."""
    if not math.isfinite(value) or value != int(value):
        return "", Text(f"联系电话单元格是数字 {value}，不是号码；{SET_TEXT.zh}", f"the phone cell holds the number {value}, "
                        f"not a phone number; {SET_TEXT.en}")
    digits = str(int(value))
    if len(digits) >= 8 and len(digits) - len(digits.rstrip("0")) >= 5:
        return "", Text(f"联系电话单元格是数字 {value:.6G}（{digits}），末尾一串 0：号码在表格里变成了科学计数法，后几位已经丢了；"
                        f"{SET_TEXT.zh}", f"the phone cell holds the number {value:.6G} ({digits}), ending in a row of "
                        f"zeros: the spreadsheet turned the number into scientific notation and lost its last digits; "
                        f"{SET_TEXT.en}")
    return _text_phone(digits, pattern)


def _text_phone(text: str, pattern: re.Pattern) -> tuple[str, Text | None]:
    if not text:
        return "", None
    if _SCIENTIFIC.match(text):
        return "", Text(f"联系电话“{text}”是科学计数法：表格把号码当成了数字，后几位已经丢了；{SET_TEXT.zh}",
                        f"the phone “{text}” is in scientific notation: the spreadsheet took the number for a number "
                        f"and lost its last digits; {SET_TEXT.en}")
    if re.fullmatch(r"\d+\.0+", text):  # a number written out as text: 13812345678.0
        text = text.split(".")[0]
    if pattern.match(text):
        return text, None
    if text.isdigit() and pattern.match("0" + text):
        return "", Text(f"联系电话 {text} 开头的 0 丢了（表格把号码存成了数字），应为 0{text}；{SET_TEXT.zh}",
                        f"the phone {text} lost its leading 0 (the spreadsheet stored it as a number); it should be "
                        f"0{text}; {SET_TEXT.en}")
    return "", Text(f"联系电话“{text}”不是手机号或带区号的固话（应为 11 位手机号如 13800138000，或 021-64381234）",
                    f"the phone “{text}” is neither a mobile number (11 digits, e.g. 13800138000) nor a landline "
                    "with its area code (e.g. 021-64381234)")


def grade(cell, grades: list[str]) -> tuple[str | None, Text | None]:
    """A grade as people write it (A, a, Ａ, A类, A级, A类客户) -> one of `grades` (the
    schema's vocabulary), or why not."""
    text = re.sub(r"\s", "", plain(cell)).upper()
    core = _GRADE_WORDS.sub("", text)
    if core in grades:
        return core, None
    choices = "、".join(grades)
    return None, Text(f"客户分级“{cell}”看不懂：应为 {choices} 之一（也可写成 A类、A级、a）",
                      f"grade “{cell}” is not one of {', '.join(grades)} (A类, A级 and a are read as A)")


def choice(cell, words: list[str], synonyms: dict[str, str]) -> str | None:
    """A vocabulary word as written, or by a known synonym; None if neither."""
    text = plain(cell)
    return text if text in words else synonyms.get(text)


def number(key: str, label: str, cell) -> tuple[float | int | None, Text | None]:
    """An area or budget cell: a number, maybe with its unit (120㎡, 35万); a range, a word
    or another unit refuses the row rather than becoming some other number."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and math.isfinite(cell):
        value = cell
    else:
        text = re.sub(r"\s", "", plain(cell))
        text = re.sub(r"^约|左右$", "", text)
        for unit in UNITS[key]:
            if text.endswith(unit):
                text = text[:-len(unit)]
                break
        if not re.fullmatch(r"\d+(?:\.\d+)?", text):
            unit = UNITS[key][0] if key == "budget_wan" else "㎡"
            return None, Text(f"{label}“{cell}”不是一个数：请填一个数（单位{unit}），范围或说明写进备注",
                              f"{label} “{cell}” is not one number: write one number (in {unit}); put ranges or "
                              "remarks in the notes")
        value = float(text)
    return (int(value) if float(value).is_integer() else value), None
