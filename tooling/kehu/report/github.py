"""`--format github`: workflow commands that GitHub Actions shows as annotations."""

from __future__ import annotations

from kehu.findings import shown


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def render(result, lang: str, out) -> None:
    for f in result.findings:
        fields = []
        if f.file:
            fields.append(f"file={_property(shown(f.file))}")
        if f.line:
            fields.append(f"line={f.line}")
        if f.column:
            fields.append(f"col={f.column}")
        fields.append(f"title={_property(f.code)}")
        record = f"[{f.record}] " if f.record else ""
        level = f.severity if f.open else "notice"  # excepted, done late or existing: shown, not failing
        out.write(f"::{level} {','.join(fields)}::{_data(record + f.message.get(lang))}\n")
