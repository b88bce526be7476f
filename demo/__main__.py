"""python -m demo [--out DIR] [--seed N] [--today D] [--customers N] [--force] ..."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from demo import generate
from demo.files import OutNotEmpty
from demo.generate import DEFAULT_DOCS, DEFAULT_OUT, DEFAULT_SEED, DEFAULT_TODAY


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo",
        description="生成演示用客户档案（确定性：同样的参数得到逐字节相同的文件）。")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"records 目录（默认：仓库根目录下的 records/，即 {DEFAULT_OUT}）")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"随机种子（默认 {DEFAULT_SEED}）")
    parser.add_argument("--today", type=date.fromisoformat, default=DEFAULT_TODAY,
                        help=f"演示数据的“今天”，YYYY-MM-DD（默认 {DEFAULT_TODAY}）")
    parser.add_argument("--customers", type=int, default=300, help="客户数（默认 300；跟进约 10 倍，投诉约 0.15 倍）")
    parser.add_argument("--scenarios", action=argparse.BooleanOptionalAction, default=True,
                        help="注入违反规则的演示故事（默认开启）")
    parser.add_argument("--force", action="store_true",
                        help="目录非空时先删除其中 records 子目录里的 *.yaml/*.yml，再生成")
    parser.add_argument("--docs", type=Path, default=None,
                        help="写 demo.md 的位置（默认：生成到仓库 records/ 时写 docs/demo.md，否则不写）")
    parser.add_argument("--no-docs", action="store_true", help="不写 demo.md")
    args = parser.parse_args(argv)
    if args.customers < 0:
        parser.error("--customers must be >= 0")
    out = args.out if args.out is not None else DEFAULT_OUT
    docs = args.docs
    if docs is None and not args.no_docs and out.resolve() == DEFAULT_OUT.resolve():
        docs = DEFAULT_DOCS
    if args.no_docs:
        docs = None
    try:
        manifest = generate(out, customers=args.customers, seed=args.seed, today=args.today,
                            scenarios=args.scenarios, force=args.force, docs=docs)
    except OutNotEmpty as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {manifest.files} files to {out} in {manifest.seconds} s: {manifest.staff} staff, "
          f"{manifest.customers} customers, {manifest.visits} visits, {manifest.complaints} complaints, "
          f"{manifest.disposals} disposals; {len(manifest.scenarios)} scenario rows"
          + (f"; docs: {docs}" if docs else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
