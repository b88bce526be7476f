"""Scalars written the way a person would write them, quoted only where YAML 1.1 needs it."""

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
