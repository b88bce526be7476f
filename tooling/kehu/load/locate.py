"""Where a value sits in its file.

Records keep no node trees (at 200,000 files that memory matters); a finding's position is
looked up on demand by composing that one file again, which costs well under a millisecond.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from kehu.load.yamlfile import YamlLoader, decode


class Position(NamedTuple):
    line: int | None
    column: int | None
    source: str | None  # the scalar as written in the file, when the path ends on one


NOWHERE = Position(None, None, None)


@lru_cache(maxsize=256)
def _compose(path: str):
    try:
        text, problem = decode(Path(path).read_bytes())
        if problem:
            return None
        return yaml.compose(text, Loader=YamlLoader)
    except (OSError, yaml.YAMLError):
        return None


def locate(path: Path, data_path: tuple = (), at_key: bool = False) -> Position:
    """The value at `data_path` (keys and list indexes), or the nearest existing parent."""
    return locate_in_tree(_compose(str(path)), data_path, at_key)


def locate_in_text(raw: bytes, data_path: tuple = (), at_key: bool = False) -> Position:
    """The same for a file's content that is not on disk (a version in git)."""
    try:
        text, problem = decode(raw)
        node = None if problem else yaml.compose(text, Loader=YamlLoader)
    except yaml.YAMLError:
        node = None
    return locate_in_tree(node, data_path, at_key)


def locate_in_tree(node, data_path: tuple, at_key: bool) -> Position:
    if node is None:
        return NOWHERE
    best = _position(node)
    for step in data_path:
        if isinstance(node, MappingNode) and isinstance(step, str):
            pair = next(((k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == step), None)
            if pair is None:
                return best
            key, node = pair
            # a list or mapping is best shown by its key's line
            best = _position(key) if at_key or not isinstance(node, ScalarNode) else _position(node, key)
        elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
            best = _position(node)
        else:
            return best
    return best


def _position(node, key=None) -> Position:
    # an empty value (`name:`) has no text of its own: point at its key
    if key is not None and isinstance(node, ScalarNode) and node.value == "" and node.tag.endswith(":null"):
        node = key
    source = node.value if isinstance(node, ScalarNode) else None
    return Position(node.start_mark.line + 1, node.start_mark.column + 1, source)


def clear_cache() -> None:
    _compose.cache_clear()
