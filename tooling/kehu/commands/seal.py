"""`kehu seal` and `kehu unseal ID`: sealed fields written and read (kehu.sealing)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kehu.commands import Failure, Run
from kehu.findings import Text


def _keys(required: bool) -> list:
    from kehu.sealing import IdentityProblem, identities

    try:
        return identities(required=required)
    except IdentityProblem as problem:
        raise Failure(problem.message) from None


def seal(ctx: Run, ids: tuple[str, ...]) -> int:
    from kehu.sealer import seal_repository

    keys = _keys(required=False)
    wanted = {_record_id(item) for item in ids}
    repository = _prepare_only(ctx, wanted) if wanted else ctx.prepare()
    done = seal_repository(repository, keys, wanted or None)
    if done.off:
        ctx.say("政策里没有 sealing.ci_recipient：加密存放没有启用，未改动任何文件",
                "policy has no sealing.ci_recipient: sealing is off; nothing written")
        return 0
    for refused in done.refused:
        ctx.note(refused, "未加密：", "not sealed: ")
    if done.unopened:
        ctx.say(f"另有 {done.unopened} 个已加密的值你的密钥打不开，原样保留",
                f"{done.unopened} sealed values your key does not open were left as they are")
    if done.files:
        ctx.say(f"已加密 {done.values} 个值，写入 {len(done.files)} 个文件：" + "、".join(done.files[:10])
                + ("……" if len(done.files) > 10 else ""),
                f"sealed {done.values} values in {len(done.files)} files: " + ", ".join(done.files[:10])
                + (" …" if len(done.files) > 10 else ""))
    elif not done.refused:
        ctx.say("没有需要加密的值，未改动任何文件", "nothing to seal; no file changed")
    return 1 if done.refused else 0


def _record_id(item: str) -> str:
    """An id, or a record file's path as pre-commit passes it (records/customers/2026/C2026-0001.yaml)."""
    return Path(item).stem if item.endswith((".yaml", ".yml")) else item


def _prepare_only(ctx: Run, ids: set[str]):
    """Staff, policy and these customers only: what sealing them needs, without reading every
    record (the pre-commit hook passes the staged files)."""
    from kehu.load import RECORDS_DIR, load_repository, record_files
    from kehu.validate import Schemas, schema_dir, validate

    files = [f for f in record_files(ctx.root)
             if f.startswith((f"{RECORDS_DIR}/staff/", f"{RECORDS_DIR}/policy.")) or Path(f).stem in ids]
    repository = load_repository(ctx.root, ctx.today, files)
    validate(repository, Schemas(schema_dir(ctx.root)))
    return repository


def unseal(ctx: Run, record_id: str) -> int:
    from kehu.edit import EditRefused, RecordText, scalar
    from kehu.sealing import Unreadable, is_sealed, open_value

    keys = _keys(required=True)
    repository = ctx.prepare()
    record = next((r for kind in ("customer", "visit", "complaint") if (r := repository.ids(kind).get(record_id))), None)
    if record is None:
        raise Failure(Text(f"没有记录 {record_id}", f"no record {record_id}"))
    try:
        text = RecordText(repository.path(record))
    except EditRefused as refused:
        raise Failure(refused.message) from None
    closed = []
    for name, value in text.original.data.items():
        if not is_sealed(value):
            continue
        try:
            opened = open_value(value, keys)
        except Unreadable as problem:
            closed.append(f"{name}（{problem.message.get(ctx.lang)}）")
            continue
        text.replace_value(name, _yaml(opened.value, scalar))
    sys.stdout.write(text.text)
    if closed:
        ctx.say("这些字段你的密钥打不开，仍是密文：" + "，".join(closed),
                "your key does not open these fields; they stay sealed: " + ", ".join(closed))
        return 1
    return 0


def _yaml(value, scalar) -> str:
    """A value as one line of YAML: text as kehu writes it, anything else as JSON (which
    YAML reads as the same lists, mappings, numbers and booleans)."""
    return scalar(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
