"""YAML written the way a person would write it: scalars quoted only where YAML 1.1 needs it,
block lists, and the modeline that names a file's schema. String templates, not yaml.dump:
200,000 files must be quick."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

# YAML 1.1 implicit types (PyYAML's resolver): a plain scalar matching one is not text
_IMPLICIT = re.compile(r"""^(?:
    yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|y|Y|n|N
  | ~|null|Null|NULL
  | [-+]?[0-9.][0-9a-fA-F_:.xXbBeE+-]*
  | [-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
  | <<|=
)$""", re.X)
_BAD_START = set("-?:,[]{}#&*!|>'\"%@` \t")
_BAD_INSIDE = (": ", " #", "\t", "\n", "\r")


@lru_cache(maxsize=65536)
def text(value: str) -> str:
    """A string as a YAML scalar: plain when safe, else single-quoted."""
    if (
        not value
        or value[0] in _BAD_START
        or value[-1] in " :"
        or any(bad in value for bad in _BAD_INSIDE)
        or (value.isascii() and _IMPLICIT.match(value))
    ):
        return "'" + value.replace("'", "''") + "'"
    return value


def quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def number(value) -> str:
    if isinstance(value, float):
        if value == int(value):
            return str(int(value))
        return repr(round(value, 2))
    return str(value)


def day(value: date) -> str:
    return value.isoformat()


def moment(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def boolean(value: bool) -> str:
    return "true" if value else "false"


def block_list(key: str, items) -> list[str]:
    """A list of mappings in block style; each item is (key, rendered value) pairs, None left out."""
    lines = [f"{key}:"]
    for pairs in items:
        present = [(k, v) for k, v in pairs if v is not None]
        lines += [f"{'  - ' if i == 0 else '    '}{k}: {v}" for i, (k, v) in enumerate(present)]
    return lines


def modeline(relative: str, kind: str) -> str:
    """The first line of a record file: its schema, for editors (yaml-language-server)."""
    depth = relative.count("/") + 1
    return f"# yaml-language-server: $schema={'../' * depth}schemas/{kind}.schema.json\n"
