"""`kehu build` and `kehu serve`: the internal site."""

from __future__ import annotations

from pathlib import Path

from kehu.commands import Failure, Run
from kehu.findings import Text


def build(ctx: Run, full: bool, out: Path | None) -> int:
    from kehu.site.build import BuildFailed, OutRefused, build_site

    try:
        target = build_site(ctx.root, ctx.today, full=full, out=out, lang=ctx.lang)
    except OutRefused as exc:
        raise Failure(Text(f"--out 不能用，什么也没改：{exc}。请指定空目录或以前生成的站点目录",
                           f"--out refused, nothing changed: {exc}. Name an empty folder or an earlier kehu site")) from None
    except BuildFailed as exc:
        raise Failure(Text(f"MkDocs 生成站点失败，旧站点保持不变：\n{exc}",
                           f"MkDocs failed; the old site is unchanged:\n{exc}")) from None
    ctx.say(f"站点已生成：{target}", f"site written to {target}")
    return 0


def serve(ctx: Run, full: bool, address: str) -> int:
    import socket

    from kehu.site.build import serve_site

    host, _, port = address.rpartition(":")
    try:
        with socket.create_server((host.strip("[]") or "127.0.0.1", int(port))):
            pass
    except (OSError, ValueError) as exc:
        raise Failure(Text(f"无法在 {address} 上提供预览（{exc}）：请用 --address 换一个端口",
                           f"cannot serve on {address} ({exc}): pick another port with --address")) from None
    ctx.say(f"预览地址：http://{address}/（Ctrl-C 结束）", f"previewing at http://{address}/ (Ctrl-C to stop)")
    return serve_site(ctx.root, ctx.today, full, address)
