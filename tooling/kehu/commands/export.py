"""`kehu export`: every customer as a spreadsheet, masked as the site masks them."""

from __future__ import annotations

from pathlib import Path

from kehu.commands import Run, refuse_overwrite


def run(ctx: Run, fmt: str, out: Path | None, full: bool, force: bool) -> int:
    from kehu.edit import write_atomically
    from kehu.exchange.export import rows, to_csv, to_xlsx

    out = out or Path(f"客户导出-{ctx.today.isoformat()}{'-full' if full else ''}.{fmt}")
    refuse_overwrite(out, force)
    table = rows(ctx.prepare(), full)
    write_atomically(out.resolve(), to_xlsx(table) if fmt == "xlsx" else to_csv(table))
    ctx.say(f"已导出 {len(table)} 位客户到 {out}{'（未打码）' if full else '（已打码）'}",
            f"exported {len(table)} customers to {out}{' (unmasked)' if full else ' (masked)'}")
    return 0
