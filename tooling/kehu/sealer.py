"""Writing sealed values into record files: `kehu seal`, and re-sealing when `kehu pool
--assign` gives a customer to someone else.

Each field policy wants sealed is replaced in the file's text, at the parser's positions,
by one `age:v1:…` scalar on the key's line (kehu.edit); every other byte stays, and the file
is written only if it reads back as intended (temporary file + rename). Sealing twice
changes nothing: a sealed value is rewritten only when it does not say it is sealed to
exactly the readers policy names now, for this record and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kehu.edit import EditRefused, RecordText, locked
from kehu.findings import Text
from kehu.load import Record
from kehu.sealing import demand, in_force, open_record, seal


@dataclass
class Sealed:
    """What `kehu seal` did."""

    files: list[str] = field(default_factory=list)  # files written
    values: int = 0  # values sealed or re-sealed
    refused: list[Text] = field(default_factory=list)  # records left as they were, and why
    unopened: int = 0  # sealed values this key could not open, left as they are
    off: bool = False  # policy has no sealing.ci_recipient: sealing is not on


def reseal_text(repo, text: RecordText, kind: str, file: str, keys: list, everything: bool = False) -> dict:
    """The fields of the record in `text` to (re)write, as {field: sealed string}, and the
    edits made in `text`. `everything`: re-seal every sealed value (the readers changed), which
    needs a key that opens each one. Raises EditRefused."""
    raw = text.data()
    record = open_record(Record(kind, file, raw), repo.schemas, keys)
    opened, unreadable = record.opened or {}, record.withheld or {}
    wanted = demand(repo, record)
    record_id = raw.get("id")
    changes = {}
    for name in wanted.fields if not everything else sorted(set(wanted.fields) | set(opened) | set(unreadable)):
        if name in unreadable:
            if everything:
                raise EditRefused(Text(
                    f"{record_id} 的 {name} 已加密，你的密钥（KEHU_AGE_IDENTITY）打不开，无法改为加密给新的读者；"
                    "请由能读它的人（如总经理）来做",
                    f"{record_id}: {name} is sealed and your key (KEHU_AGE_IDENTITY) does not open it, so it cannot "
                    "be re-sealed to the new readers; ask someone who reads it"))
            continue  # not ours to read: left as it is
        current = opened.get(name)
        if current is not None and not everything and sorted(current.to) == sorted(wanted.recipients) \
                and current.record_id == record_id and current.field == name:
            continue
        if wanted.missing:
            who = "、".join(wanted.missing)
            raise EditRefused(Text(f"{record_id}：{who} 没有登记加密公钥（staff 的 age_recipient），无法加密给他们",
                                   f"{record_id}: {', '.join(wanted.missing)} have no age_recipient in their staff record"))
        value = current.value if current is not None else raw[name]
        changes[name] = seal(value, list(wanted.recipients), record_id, name)
    for name, sealed in changes.items():
        text.replace_value(name, sealed)
    return changes


def seal_repository(repo, keys: list, only: set[str] | None = None) -> Sealed:
    """`kehu seal`: every customer file policy wants sealed, sealed (`only`: these ids)."""
    done = Sealed()
    if not in_force(repo.policy):
        done.off = True
        return done
    for record in repo.of("customer", valid_only=False):
        if only is not None and record.id not in only:
            continue
        done.unopened += len(record.withheld or ())
        if not demand(repo, record).fields and not record.opened:
            continue
        path = repo.path(record)
        try:
            with locked(path):
                text = RecordText(path)
                changes = reseal_text(repo, text, record.kind, record.file, keys)
                if changes:
                    text.save({**text.original.data, **changes})
        except EditRefused as refused:
            done.refused.append(refused.message)
            continue
        if changes:
            done.files.append(record.file)
            done.values += len(changes)
    return done
