"""One file's bytes -> a Python mapping, or problems with their positions.

PyYAML's composer (C when available) gives nodes with line/column marks; we build the
values ourselves so that a duplicate key is caught (PyYAML keeps the last silently), keys
stay the text that was written (`no:` is the key "no", not False), unknown tags are refused,
and alias expansion is bounded (a "billion laughs" file is refused, not expanded).
"""

from __future__ import annotations

import codecs
from typing import NamedTuple

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from kehu.findings import Text

try:
    from yaml import CSafeLoader as YamlLoader

    LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as YamlLoader

    LIBYAML = False

# A record has tens of values; these bounds only stop hostile or broken files early.
MAX_VALUES = 20_000
MAX_DEPTH = 50

STR_TAG = "tag:yaml.org,2002:str"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
# PyYAML's own scalar constructors, called directly: construct_object() would remember
# every node it ever built in the shared constructor and grow without end.
_constructor = SafeConstructor()
_SCALARS = {
    tag: SafeConstructor.yaml_constructors[tag]
    for tag in (f"tag:yaml.org,2002:{name}" for name in ("int", "float", "bool", "null", "timestamp"))
}


class YamlTime(str):
    """An unquoted date or date-time, kept as its ISO text.

    Both mean the same as the quoted string, but the type remembers that YAML read it as a
    time, so a date where text was meant (`name: 2026-03-04`) can be reported as such.
    """


class Problem(NamedTuple):
    code: str
    line: int | None
    column: int | None
    message: Text


class Parsed(NamedTuple):
    data: dict | None
    problems: list[Problem]


class _Refused(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def decode(raw: bytes) -> tuple[str | None, Problem | None]:
    """UTF-8 (with or without BOM) -> text; anything else -> a K003 naming the likely encoding."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        guess = guess_encoding(raw)
        return None, Problem("K003", line, None, Text(
            f"文件不是 UTF-8 编码（看起来是 {guess}），第 {line} 行起无法解码；请用编辑器另存为 UTF-8",
            f"file is not UTF-8 (it looks like {guess}); cannot decode from line {line}; "
            "save it as UTF-8",
        ))


def guess_encoding(raw: bytes) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    for encoding, label in (("gbk", "GBK"), ("gb18030", "GB18030"), ("big5", "Big5")):
        try:
            raw.decode(encoding)
            return label
        except UnicodeDecodeError:
            continue
    return "Latin-1 / unknown"


def parse(text: str) -> Parsed:
    try:
        node = yaml.compose(text, Loader=YamlLoader)
    except yaml.MarkedYAMLError as exc:
        return Parsed(None, [_syntax_problem(exc, text)])
    except yaml.YAMLError as exc:  # reader errors: control characters and the like
        return Parsed(None, [_reader_problem(exc, text)])
    if node is None:
        return Parsed(None, [Problem("K003", 1, None, Text(
            "文件是空的（没有任何字段）", "file is empty (no fields)"))])
    if not isinstance(node, MappingNode):
        shape = Text("列表", "a list") if isinstance(node, SequenceNode) else Text("单个值", "a single value")
        return Parsed(None, [Problem("K003", node.start_mark.line + 1, node.start_mark.column + 1, Text(
            f"文件顶层是{shape.zh}，记录必须是“字段: 值”的映射",
            f"the top level is {shape.en}; a record must be a mapping of fields"))])
    builder = _Builder()
    try:
        data = builder.mapping(node, 0)
    except _Refused as refused:
        return Parsed(None, [refused.problem])
    return Parsed(data, builder.problems)


class _Builder:
    def __init__(self):
        self.count = 0
        self.problems: list[Problem] = []

    def value(self, node, depth: int):
        self.count += 1
        if self.count > MAX_VALUES:
            raise _Refused(_at(node, "K001", Text(
                f"值的数量超过 {MAX_VALUES}（多半是别名 *alias 层层展开的“YAML 炸弹”），已拒绝读取",
                f"more than {MAX_VALUES} values (most likely an alias bomb); refused")))
        if depth > MAX_DEPTH:
            raise _Refused(_at(node, "K001", Text(
                f"嵌套超过 {MAX_DEPTH} 层，已拒绝读取", f"nested deeper than {MAX_DEPTH} levels; refused")))
        if type(node) is ScalarNode:
            tag = node.tag
            if tag == STR_TAG:
                return node.value
            construct = _SCALARS.get(tag)
            if construct is not None:
                try:
                    value = construct(_constructor, node)
                except (ValueError, OverflowError):
                    # e.g. 2026-02-30 matches YAML's timestamp form but is no date: keep the
                    # text so the schema reports it against the field.
                    return node.value
                return YamlTime(value.isoformat()) if tag == TIMESTAMP_TAG else value
            raise _Refused(_at(node, "K001", Text(
                f"不支持的 YAML 标签 {node.tag}：记录里只能有文字、数字、日期、列表和映射",
                f"unsupported YAML tag {node.tag}: records hold text, numbers, dates, lists and mappings")))
        if type(node) is MappingNode:
            return self.mapping(node, depth + 1)
        return [self.value(item, depth + 1) for item in node.value]

    def mapping(self, node: MappingNode, depth: int) -> dict:
        out: dict = {}
        for key_node, value_node in node.value:
            if type(key_node) is not ScalarNode:
                raise _Refused(_at(key_node, "K001", Text(
                    "字段名必须是文字，不能是列表或映射", "a key must be text, not a list or mapping")))
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(_at(key_node, "K001", Text(
                    "不支持合并键 <<：请把字段直接写出来", "merge keys (<<) are not supported: write the fields out")))
            key = key_node.value
            if key in out:
                first = next(k for k, _ in node.value if k.value == key)
                self.problems.append(_at(key_node, "K002", Text(
                    f"字段 {key} 重复出现（第一次在第 {first.start_mark.line + 1} 行）；"
                    "YAML 会悄悄只保留最后一个，请删掉多余的一个",
                    f"key {key} appears twice (first on line {first.start_mark.line + 1}); "
                    "YAML would silently keep the last one: remove one")))
                continue
            out[key] = self.value(value_node, depth)
        return out


def _at(node, code: str, message: Text) -> Problem:
    return Problem(code, node.start_mark.line + 1, node.start_mark.column + 1, message)


# The common PyYAML complaints, said so that a person who edits records understands them.
_EXPLAINED = (
    ("cannot start any token", "'\\t'", Text("用了制表符（Tab）缩进，YAML 只允许空格", "a tab is used for indentation; YAML allows only spaces")),
    ("mapping values are not allowed here", "", Text("这里不能出现冒号：值里有“: ”时请给整个值加引号，或检查缩进", "a colon is not allowed here: quote a value that contains ': ' or check the indentation")),
    ("could not find expected ':'", "", Text("缺少冒号“:”，或上一行缩进不对", "a ':' is missing, or the indentation above is wrong")),
    ("found unexpected end of stream", "", Text("引号没有闭合", "a quote is not closed")),
    ("did not find expected key", "", Text("缩进不一致：同一层的字段要对齐", "inconsistent indentation: fields of one level must line up")),
    ("did not find expected '-' indicator", "", Text("列表项缩进不一致", "list items are not indented consistently")),
    ("expected a single document", "", Text("文件里有多个文档（---）：一个文件只放一条记录", "more than one document (---): one record per file")),
    ("found undefined alias", "", Text("引用了未定义的别名 *alias", "an undefined alias is used")),
    ("found duplicate anchor", "", Text("锚点 &anchor 重复定义", "an anchor is defined twice")),
    ("found character", "", Text("出现了 YAML 不允许的字符（如 @ 或 ` 开头的值要加引号）", "a character YAML does not allow here (quote values starting with @ or `)")),
)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    reason = " ".join(filter(None, [exc.context, exc.problem]))
    explained = Text("YAML 语法错误", "YAML syntax error")
    for needle, also, text_ in _EXPLAINED:
        if needle in reason and also in reason:
            explained = text_
            break
    if line is not None and "\t" in _line(text, line):
        explained = _EXPLAINED[0][2]
    where = Text(f"第 {line} 行", f"line {line}") if line else Text("", "")
    return Problem("K001", line, column, Text(
        f"不是有效的 YAML：{where.zh}{explained.zh}（{reason}）",
        f"not valid YAML: {where.en}: {explained.en} ({reason})"))


def _reader_problem(exc: yaml.YAMLError, text: str) -> Problem:
    position = getattr(exc, "position", None)
    line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
    return Problem("K001", line, None, Text(
        f"文件含有 YAML 不允许的控制字符（{exc}）", f"file contains a character YAML does not allow ({exc})"))


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""
