"""`kehu import`: a legacy 客户登记表 (xlsx/csv) as customer records; a dry run unless --write.

What the sheet's header holds is said first (columns left out, with the --map that would
take them in; required columns not found), on stderr; then one line per row on stdout;
then the counts."""

from __future__ import annotations

from pathlib import Path

from kehu.commands import Failure, Run
from kehu.findings import Text


def run(ctx: Run, file: Path, mappings: tuple[str, ...], write: bool, by: str | None, allow_left: bool = False) -> int:
    from kehu import people
    from kehu.exchange.importer import DEFAULTS, HEADERS, ImportError_, apply, plan

    mapping = {}
    for item in mappings:
        column, _, field_name = item.partition("=")
        field_name = field_name.strip()
        if not column.strip() or field_name not in HEADERS:
            raise Failure(Text(f"--map 要写成 列名=字段，字段是 {'、'.join(HEADERS)} 之一：{item}",
                               f"--map takes COLUMN=field with field one of {', '.join(HEADERS)}: {item}"))
        mapping[column.strip()] = field_name
    if write and not by:
        raise Failure(Text("--write 需要 --by 说明是谁在导入（记进每条记录的 imported.by）",
                           "--write needs --by: who runs the import (written to each record's imported.by)"))
    repository = ctx.prepare()
    try:
        importer = people.identify(repository.ids("staff"), by, "--by", active=True) if by else None
    except people.Unknown as unknown:
        ctx.note(unknown.message, "未导入：", "nothing imported: ")
        return 1
    try:
        planned = plan(repository, file, mapping, ctx.today, allow_left)
    except ImportError_ as exc:
        raise Failure(exc.message) from None
    for notice in planned.columns.notices(DEFAULTS):
        ctx.note(notice)
    lines, counts = apply(repository, planned, write, stamp={"file": file.name, "by": importer})
    for line in lines:
        print(line.get(ctx.lang), flush=True)
    verb = "已新建" if write else "将新建（预览，加 --write 写入）"
    noted = Text(f"（其中 {counts['warned']} 行有“注意”）", f" ({counts['warned']} with notes)") if counts["warned"] else Text("", "")
    ctx.say(f"{verb} {counts['created']} 位客户{noted.zh}；撞单跳过 {counts['skipped']} 行；拒绝 {counts['rejected']} 行",
            f"{'created' if write else 'would create (dry run; --write to write)'} {counts['created']}{noted.en}; "
            f"skipped {counts['skipped']} collisions; rejected {counts['rejected']} rows")
    return 1 if counts["rejected"] else 0
