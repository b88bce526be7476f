"""Changing a record file in place without touching a byte we do not mean to change.

Comments, key order, quoting, blank lines, a BOM and CRLF line endings all survive: edits
are made on the text at the positions the YAML parser reports, and the result is parsed
again and compared with what was intended before anything is written.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from kehu.findings import Text
from kehu.load.yamlfile import decode, parse

BOM = "\ufeff"


class EditRefused(Exception):
    """The edit cannot be made safely; nothing was written."""

    def __init__(self, message: Text):
        super().__init__(message.en)
        self.message = message


def scalar(value) -> str:
    """A YAML scalar that reads back as `value`: a date stays a plain date, text as text."""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if not all(ch.isprintable() for ch in text):  # a line break would fold to a space in quotes: escape it
        return '"' + "".join(_escaped(ch) for ch in text) + '"'
    plain_ok = _PLAIN.fullmatch(text) and not text.endswith(" ") and yaml.safe_load(text) == text
    return text if plain_ok else "'" + text.replace("'", "''") + "'"


def _escaped(ch: str) -> str:
    """One character inside a YAML double-quoted scalar."""
    if ch in '"\\':
        return "\\" + ch
    if ch.isprintable():
        return ch
    if ch in "\n\t":
        return "\\n" if ch == "\n" else "\\t"
    return f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"


# no indicator at the start, no ':' or '#' anywhere: YAML reads the text back as itself
_PLAIN = re.compile(r"[^\s:#'\"{}\[\],&*!|>%@`?-][^:#\n]*|-[^\s:#\n][^:#\n]*")


class RecordText:
    """A record file's text, with edits applied at parser positions."""

    def __init__(self, path: Path):
        self.path = path
        raw = path.read_bytes()
        text, problem = decode(raw)
        if problem is not None:
            raise EditRefused(problem.message)
        self.bom = text.startswith(BOM) or raw.startswith(b"\xef\xbb\xbf")
        text = text.lstrip(BOM)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.text = text.replace("\r\n", "\n")
        self.original = parse(self.text)
        if self.original.data is None or self.original.problems:
            raise EditRefused(Text(f"{path} 不是可读的记录，请先修复 kehu check 报告的问题",
                                   f"{path} is not a readable record: fix what kehu check reports first"))
        self.root = yaml.compose(self.text, Loader=yaml.SafeLoader)  # pure loader: exact character marks

    def _top(self, key: str):
        for key_node, value_node in self.root.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                return key_node, value_node
        return None

    def set_scalar(self, key: str, value: str) -> None:
        found = self._top(key)
        if found is None or not isinstance(found[1], ScalarNode):
            raise EditRefused(Text(f"没有可修改的顶层字段 {key}", f"no top-level field {key} to change"))
        node = found[1]
        start, end = node.start_mark.index, node.end_mark.index
        self.text = self.text[:start] + scalar(value) + self.text[end:]
        self.root = yaml.compose(self.text, Loader=yaml.SafeLoader)

    def replace_value(self, key: str, plain: str) -> None:
        """Put `plain` (a one-line YAML scalar as written) in place of the whole value of the
        top-level `key`, whatever its style: a block list or mapping, with the comments inside
        and after it, becomes `key: plain` on the key's line (kehu.sealer: the old value must
        not stay, nor a comment that may repeat it)."""
        found = self._top(key)
        if found is None:
            raise EditRefused(Text(f"没有顶层字段 {key}", f"no top-level field {key}"))
        key_node, node = found
        start = self.text.index(":", key_node.end_mark.index) + 1
        # to the end of the value's last line: a comment there goes too (it may repeat the value)
        end = self._end_of_line(_last_value(node))
        if end < 0:
            end = len(self.text)
        self.text = self.text[:start] + " " + plain + self.text[end:]
        self.root = yaml.compose(self.text, Loader=yaml.SafeLoader)

    def append_to_list(self, key: str, entry: dict) -> None:
        """Append a mapping to the top-level list `key`, in the style its items already use."""
        found = self._top(key)
        flow_entry = "{" + ", ".join(f"{k}: {scalar(v)}" for k, v in entry.items()) + "}"
        if found is None:
            body = self.text if self.text.endswith("\n") or not self.text else self.text + "\n"
            block = "".join(f"    {k}: {scalar(v)}\n" for k, v in list(entry.items())[1:])
            first_key, first_value = next(iter(entry.items()))
            self.text = body + f"{key}:\n  - {first_key}: {scalar(first_value)}\n" + block
        else:
            node = found[1]
            if not isinstance(node, SequenceNode):
                raise EditRefused(Text(f"{key} 不是列表", f"{key} is not a list"))
            if node.flow_style:
                close = node.end_mark.index - 1  # the ']'
                separator = ", " if node.value else ""
                self.text = self.text[:close] + separator + flow_entry + self.text[close:]
            else:
                pad = " " * node.start_mark.column
                first = node.value[0]
                if isinstance(first, MappingNode) and not first.flow_style:
                    items = list(entry.items())
                    lines = [f"{pad}- {items[0][0]}: {scalar(items[0][1])}"]
                    lines += [f"{pad}  {k}: {scalar(v)}" for k, v in items[1:]]
                    item = "\n".join(lines)
                else:
                    item = f"{pad}- {flow_entry}"
                at = self._end_of_line(_last_value(node))
                if at < 0:  # the file does not end with a newline
                    self.text += "\n"
                    at = len(self.text) - 1
                self.text = self.text[: at + 1] + item + "\n" + self.text[at + 1:]
        self.root = yaml.compose(self.text, Loader=yaml.SafeLoader)

    def _end_of_line(self, node) -> int:
        """Index of the newline that ends the line where `node` ends (-1 at EOF)."""
        index = node.end_mark.index
        if index > 0 and self.text[index - 1] == "\n":  # block scalars end past their newline
            return index - 1
        return self.text.find("\n", index)

    def data(self) -> dict:
        parsed = parse(self.text)
        if parsed.data is None or parsed.problems:
            raise EditRefused(Text("修改后的文件无法读回，已放弃，文件未改动", "the edited text does not read back; nothing written"))
        return parsed.data

    def save(self, expected: dict) -> None:
        """Write atomically, but only if the new text reads back as `expected`."""
        if self.data() != expected:
            raise EditRefused(Text("修改后的内容与预期不符，已放弃，文件未改动", "the edit did not read back as intended; nothing written"))
        output = (BOM if self.bom else "") + self.text.replace("\n", self.newline)
        write_atomically(self.path, output.encode("utf-8"))


def _last_value(node):
    """The innermost last node of a block collection: where its text really ends."""
    while isinstance(node, (MappingNode, SequenceNode)) and node.value and not node.flow_style:
        node = node.value[-1][1] if isinstance(node, MappingNode) else node.value[-1]
    return node


@contextmanager
def locked(path: Path):
    """Hold an exclusive lock on a record file for a read-modify-write.

    The lock is on the file itself; a writer that waited while another replaced the file
    (rename) finds its lock on the old inode and takes it again on the new one, so it always
    reads what the previous writer left.
    """
    while True:
        handle = open(path, "rb")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            if os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        handle.close()
    try:
        yield
    finally:
        handle.close()


def write_atomically(path: Path, content: bytes, durable: bool = True) -> None:
    """Temporary file in the same folder, flushed to disk, then renamed over the target.

    `durable=False` skips the flush to disk, for files whose loss costs only time (a cache
    that carries its own checksum): the rename still means a reader sees all or nothing."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            if durable:
                os.fsync(out.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
