"""`kehu export`: every customer as a spreadsheet, masked as the site masks them.

Without --out the file goes to `_exports/` at the repository's top, which git ignores;
--out inside records/ is refused. Either way the command says where it wrote."""

from __future__ import annotations

from pathlib import Path

from kehu.commands import OUTPUT_DIR, Run, output_file
from kehu.findings import Text


def run(ctx: Run, fmt: str, out: Path | None, full: bool, force: bool) -> int:
    from kehu.edit import write_atomically
    from kehu.exchange.export import rows, to_csv, to_xlsx

    target = output_file(ctx, out, f"客户导出-{ctx.today.isoformat()}{'-full' if full else ''}.{fmt}", force)
    table = rows(ctx.prepare(), full)
    write_atomically(target, to_xlsx(table) if fmt == "xlsx" else to_csv(table))
    ignored = Text(f"；{OUTPUT_DIR}/ 不进 git", f"; git ignores {OUTPUT_DIR}/") if out is None else Text("", "")
    ctx.say(f"已导出 {len(table)} 位客户到 {target}（{'未打码' if full else '已打码'}{ignored.zh}）",
            f"exported {len(table)} customers to {target} ({'unmasked' if full else 'masked'}{ignored.en})")
    return 0
