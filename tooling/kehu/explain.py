"""jsonschema's errors in plain words: which field (with its Chinese title), what is wrong,
and what to write instead; a value YAML turned into a number, a boolean or a date says
"quote it"."""

from __future__ import annotations

import difflib
import json
from typing import TYPE_CHECKING

from kehu.findings import Text
from kehu.load.yamlfile import YamlTime
from kehu.timeutil import EARLIEST, LATEST

if TYPE_CHECKING:
    from kehu.validate import Schemas

_TYPE_NAMES = {
    "string": ("文字", "text"), "integer": ("整数", "an integer"), "number": ("数字", "a number"),
    "boolean": ("是/否（true/false）", "true/false"), "array": ("列表", "a list"),
    "object": ("映射（字段: 值）", "a mapping"), "null": ("空", "empty"),
}


def _what_yaml_made(value) -> tuple[str, str] | None:
    if type(value) is YamlTime:
        return ("日期时间", "a date-time") if "T" in value else ("日期", "a date")
    if isinstance(value, bool):
        return ("布尔值 " + str(value).lower(), "the boolean " + str(value).lower())
    if isinstance(value, (int, float)):
        return ("数字", "a number")
    return None


def field_name(path) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(记录)"


def explain(error, kind: str, schemas: Schemas, source=lambda path: None):
    """One jsonschema error -> one or more (path, at_key, Text) in plain words."""
    path = tuple(error.absolute_path)
    name = field_name(path)
    title = schemas.label(kind, path) if path else None
    label_zh = f"{name}（{title}）" if title else name
    keyword = error.validator
    value = error.instance

    if keyword == "required":
        yield from _missing_fields(error, path, name, schemas)
        return
    if keyword == "additionalProperties":
        yield from _unknown_fields(error, path)
        return
    if keyword == "type":
        yield from _wrong_type(error, path, name, label_zh, source)
        return
    if keyword == "enum":
        choices = "、".join(map(str, error.validator_value))
        made = _what_yaml_made(value)
        extra = Text(f"（YAML 把它读成了{made[0]}，请加引号）", f" (YAML read it as {made[1]}; quote it)") if made else Text("", "")
        yield path, False, Text(f"{label_zh} 的值 {_show(value)} 不在可选范围内：{choices}{extra.zh}",
                                f"{name}: {_show(value)} is not one of {', '.join(map(str, error.validator_value))}{extra.en}")
        return
    if keyword == "pattern":
        hint = _pattern_hint(error.validator_value, schemas)
        yield path, False, Text(f"{label_zh} 格式不对：{_show(value)}" + (f"；应为{hint.zh}" if hint else ""),
                                f"{name} has a wrong format: {_show(value)}" + (f"; expected {hint.en}" if hint else ""))
        return
    if keyword == "format":
        what = {"date": Text(f"日期 YYYY-MM-DD（{EARLIEST.year}–{LATEST.year} 年之间）",
                             f"a date YYYY-MM-DD (between {EARLIEST.year} and {LATEST.year})"),
                "kehu-datetime": Text(f"时间，如 2026-03-04 10:30（{EARLIEST.year}–{LATEST.year} 年之间）",
                                      f"a date-time like 2026-03-04 10:30 (between {EARLIEST.year} and {LATEST.year})")}.get(
            error.validator_value, Text(error.validator_value, error.validator_value))
        yield path, False, Text(f"{label_zh} 不是有效的{what.zh}：{_show(value)}", f"{name} is not {what.en}: {_show(value)}")
        return
    bounds = {
        "minimum": ("不能小于", "must be at least"), "maximum": ("不能大于", "must be at most"),
        "exclusiveMinimum": ("必须大于", "must be greater than"), "exclusiveMaximum": ("必须小于", "must be less than"),
        "minItems": ("至少要有几项：", "needs at least this many items:"), "maxItems": ("最多几项：", "allows at most this many items:"),
        "minLength": ("长度不能小于", "must be at least this long:"), "maxLength": ("长度不能超过", "must be at most this long:"),
    }
    if keyword in bounds:
        zh, en = bounds[keyword]
        yield path, False, Text(f"{label_zh} {zh} {error.validator_value}", f"{name} {en} {error.validator_value}")
        return
    if keyword == "uniqueItems":
        yield path, False, Text(f"{label_zh} 有重复项", f"{name} has duplicate items")
        return
    if keyword == "not" and path and path[-1] == "id":
        yield path, False, Text(f"{_show(value)} 是保留字，不能用作编号", f"{_show(value)} is reserved and cannot be an id")
        return
    if keyword == "propertyNames":
        yield path, False, Text(f"{label_zh} 里有不允许的键：{error.message}", f"{name} has a key that is not allowed: {error.message}")
        return
    yield path, False, Text(f"{label_zh} 不符合要求：{error.message}", f"{name} is not valid: {error.message}")


def _missing_fields(error, path: tuple, name: str, schemas: Schemas):
    props, value = error.schema.get("properties", {}), error.instance
    for missing in error.validator_value:
        if isinstance(value, dict) and missing not in value:
            sub = props.get(missing, {})
            title = sub.get("title") or schemas._resolve(sub).get("title") or ""
            where = f"{name} 中" if path else ""
            yield path, False, Text(
                f"{where}缺少必填字段 {missing}" + (f"（{title}）" if title else ""),
                f"required field {missing} is missing" + (f" in {name}" if path else ""))


def _unknown_fields(error, path: tuple):
    allowed = list(error.schema.get("properties", {}))
    for extra in error.instance:
        if extra in allowed:
            continue
        close = difflib.get_close_matches(str(extra), allowed, n=1)
        hint = Text(f"，是不是 {close[0]}？", f"; did you mean {close[0]}?") if close else Text(
            f"；可用字段：{'、'.join(allowed)}", f"; allowed: {', '.join(allowed)}")
        yield path + (extra,), True, Text(f"未知字段 {extra}{hint.zh}", f"unknown field {extra}{hint.en}")


def _wrong_type(error, path: tuple, name: str, label_zh: str, source):
    value = error.instance
    expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    want = Text("或".join(_TYPE_NAMES.get(t, (t, t))[0] for t in expected),
                " or ".join(_TYPE_NAMES.get(t, (t, t))[1] for t in expected))
    made = _what_yaml_made(value)
    if made and "string" in expected:
        written = source(path) or _show(value)
        yield path, False, Text(
            f"{label_zh} 应为文字，但 YAML 把 {written} 读成了{made[0]}；请加引号：'{written}'",
            f"{name} must be text, but YAML read {written} as {made[1]}; quote it: '{written}'")
    elif value is None:
        yield path, False, Text(f"{label_zh} 是空的，应为{want.zh}", f"{name} is empty; expected {want.en}")
    else:
        yield path, False, Text(f"{label_zh} 应为{want.zh}", f"{name} must be {want.en}")


def _show(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value


def _pattern_hint(pattern: str, schemas: Schemas) -> Text | None:
    for name, spec in schemas.defs.items():
        if spec.get("pattern") == pattern:
            title = spec.get("title", name)
            description = spec.get("description", "")
            return Text(f"{title}（{description}）" if description else title, f"a valid {name}")
    return None
