"""The command line: Click parses options into settings; the work happens elsewhere.

Exit status everywhere: 0 done (warnings allowed), 1 errors found or refused, 2 could not run.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

import click
import yaml

from kehu import __version__
from kehu.findings import Text
from kehu.load import LIBYAML, NoRepository, find_root
from kehu.validate import SchemaError

_chosen_lang = {"value": "zh"}  # for messages raised after the command's context is gone


def _remember_lang(ctx, param, value):
    _chosen_lang["value"] = value
    return value


LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                    callback=_remember_lang, help="消息语言 / message language")
REPO = click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=None,
                    help="记录仓库的路径（默认：从当前目录往上找 kehu.yaml 或 records/）")
TODAY = click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                     help="把这一天当作“今天”（YYYY-MM-DD），默认是真实日期")


class Failure(Exception):
    """The command could not run (exit 2), with a sentence for the user."""

    def __init__(self, message: Text):
        self.message = message


def say(lang: str, zh: str, en: str) -> None:
    click.echo(en if lang == "en" else zh, err=True)


def repository_root(repo: Path | None) -> Path:
    start = repo if repo is not None else Path.cwd()
    if repo is not None and not repo.is_dir():
        raise Failure(Text(f"找不到目录 {repo}", f"no such folder: {repo}"))
    try:
        return find_root(start)
    except NoRepository:
        raise Failure(Text(
            f"这里不是记录仓库：从 {start} 往上没有找到 kehu.yaml 或 records/ 目录；请在仓库里运行，或用 --repo 指定",
            f"not a records repository: no kehu.yaml or records/ folder at or above {start}; "
            "run inside one or pass --repo")) from None


def as_date(value) -> date:
    return value.date() if value is not None else date.today()


def version_text() -> str:
    loader = "LibYAML C 加载器 / C loader" if LIBYAML else "纯 Python 加载器（未找到 LibYAML，较慢）/ pure-Python loader (no LibYAML, slower)"
    return f"kehu {__version__} (PyYAML {yaml.__version__}, {loader}; Python {sys.version.split()[0]})"


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(message=version_text(), version=__version__)
@click.pass_context
def cli(ctx):
    """kehu 客户档案：检查记录、审阅变更、生成站点。"""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@cli.command()
@REPO
@TODAY
@LANG
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
@click.option("--select", default="", help="只检查这些代码或前缀，逗号分隔，如 K1,K201")
@click.option("--ignore", default="", help="不检查这些代码或前缀，逗号分隔")
@click.option("--no-cache", "no_cache", is_flag=True, help="不用也不写缓存（默认：内容没变时直接用上次的结果）")
@click.option("--new-since", "new_since", metavar="REF", default=None,
              help="只让这次改动新引入的问题算错误：与 git 提交 REF 比较，原有的问题照常列出但不影响退出码")
def check(repo, today, lang, fmt, select, ignore, no_cache, new_since):
    """按 schema 和公司制度检查全部记录。"""
    from kehu.check import Settings, run_check
    from kehu.engine import BadSelector
    from kehu.gitrepo import GitError
    from kehu.report import REPORTERS

    root = repository_root(repo)
    settings = Settings(root, as_date(today), _codes(select), _codes(ignore), use_cache=not no_cache,
                        new_since=new_since)
    try:
        result = run_check(settings)
    except BadSelector as exc:
        raise Failure(Text(f"不认识的规则代码或前缀：{exc}（应形如 K101 或 K1）",
                           f"not a rule code or prefix: {exc} (e.g. K101 or K1)")) from None
    except GitError as exc:
        raise Failure(Text(f"--new-since：{exc}", f"--new-since: {exc}")) from None
    for note in result.notes:
        say(lang, "注意：" + note.zh, "note: " + note.en)
    REPORTERS[fmt](result, lang, sys.stdout)
    if fmt != "text":
        click.echo(result.headline(lang), err=True)
    sys.exit(1 if result.errors else 0)


def _codes(value: str) -> tuple[str, ...]:
    return tuple(part.strip().upper() for part in value.split(",") if part.strip())


@cli.command()
@click.argument("code", required=False)
@LANG
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(code, lang, fmt):
    """列出全部规则，或解释一条规则（如 kehu rules K201）。"""
    from kehu.rules import RULES

    if code is not None:
        rule = RULES.get(code.upper())
        if rule is None:
            raise Failure(Text(f"没有规则 {code}；用 kehu rules 查看全部", f"no rule {code}; see kehu rules"))
        if fmt == "json":
            click.echo(json.dumps(_rule_json(rule, lang), ensure_ascii=False, indent=2))
        else:
            click.echo(f"{rule.code} {rule.name} [{rule.severity}] {rule.title.get(lang)}\n")
            click.echo(rule.doc)
        return
    if fmt == "json":
        click.echo(json.dumps([_rule_json(r, lang) for r in RULES.values()], ensure_ascii=False, indent=2))
        return
    width = max(len(r.name) for r in RULES.values())
    for rule in RULES.values():
        stage = "  (review)" if rule.stage == "review" else ""
        click.echo(f"{rule.code}  {rule.severity:<7}  {rule.name:<{width}}  {rule.title.get(lang)}{stage}")


def _rule_json(rule, lang):
    return {"code": rule.code, "name": rule.name, "severity": rule.severity,
            "title": rule.title.get(lang), "sections": rule.sections()}


@cli.command()
@REPO
@TODAY
@LANG
@click.option("--base", required=True, help="目标分支或提交（PR 要合并进去的那个）")
@click.option("--head", default=None, help="要审阅的提交（默认 HEAD）")
@click.option("--author", default=None,
              help="作者：代码托管平台担保的 PR 打开者（员工 id、邮箱或用户名）；不给则取提交信息（K807）")
@click.option("--received-at", "received_at", default=None, metavar="DATETIME",
              help="平台首次收到改动的时间（PR 创建时间，ISO 8601）；不给则取提交时间（K807）")
@click.option("--approved-by", "approved_by", default="", help="已批准的人，逗号分隔（员工 id、邮箱或用户名）")
@click.option("--select", default="", help="只审这些代码或前缀，逗号分隔")
@click.option("--ignore", default="", help="不审这些代码或前缀，逗号分隔")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
def review(repo, today, lang, base, head, author, received_at, approved_by, select, ignore, fmt):
    """审阅一个分支的改动：每个文件需要谁批准，哪些改动不允许。"""
    from kehu.engine import BadSelector
    from kehu.review import ReviewError, run_review
    from kehu.review.output import render
    from kehu.timeutil import local_datetime

    root = repository_root(repo)
    approvers = tuple(a.strip() for a in approved_by.split(",") if a.strip())
    received = local_datetime(received_at) if received_at else None
    if received_at and received is None:
        raise Failure(Text(f"--received-at 不是日期时间：{received_at}（如 2026-11-20T09:30:00+08:00）",
                           f"--received-at is not a date-time: {received_at} (e.g. 2026-11-20T09:30:00+08:00)"))
    try:
        result = run_review(root, base, head, as_date(today), author, approvers, _codes(select), _codes(ignore),
                            received)
    except ReviewError as exc:
        raise Failure(Text(f"无法读取改动：{exc}", f"cannot read the change: {exc}")) from None
    except BadSelector as exc:
        raise Failure(Text(f"不认识的规则代码或前缀：{exc}（应形如 K801 或 K8）",
                           f"not a rule code or prefix: {exc} (e.g. K801 or K8)")) from None
    for note in result.review.notes:
        say(lang, "注意：" + note.zh, "note: " + note.en)
    render(result, fmt, lang, sys.stdout)
    sys.exit(1 if result.errors else 0)


@cli.command()
@REPO
@TODAY
@LANG
@click.option("--full", is_flag=True, help="生成不打码的管理版站点（输出到另一个目录）")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="输出目录（默认 _site/，--full 时 _site_full/）")
def build(repo, today, lang, full, out):
    """生成内部站点（MkDocs + Material）。"""
    from kehu.site.build import BuildFailed, build_site

    root = repository_root(repo)
    try:
        target = build_site(root, as_date(today), full=full, out=out, lang=lang)
    except BuildFailed as exc:
        raise Failure(Text(f"MkDocs 生成站点失败，旧站点保持不变：\n{exc}", f"MkDocs failed; the old site is unchanged:\n{exc}")) from None
    say(lang, f"站点已生成：{target}", f"site written to {target}")


@cli.command()
@REPO
@TODAY
@LANG
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--release", "release", metavar="ID", help="把这位客户收回公海")
@click.option("--assign", "assign", metavar="ID", help="把这位客户分配给 --to")
@click.option("--to", "to", metavar="STAFF", help="分配给谁（与 --assign 一起用）")
@click.option("--by", "by", metavar="STAFF", help="谁做的决定：必须是政策 assigner_roles 里的角色（默认市场总监）")
@click.option("--reason", default=None, help="写进 owner_history 的理由")
def pool(repo, today, lang, fmt, release, assign, to, by, reason):
    """公海：列出可收回和即将到期的客户；--release / --assign 移动一位客户。"""
    from kehu.check import prepare
    from kehu.edit import EditRefused
    from kehu.pool import move, pool_rows

    root = repository_root(repo)
    if release and assign:
        raise Failure(Text("--release 和 --assign 一次只能用一个", "use --release or --assign, not both"))
    if (release or assign) and not by:
        raise Failure(Text("请用 --by 说明是谁（市场总监）做的决定", "say who decides with --by"))
    if assign and not to:
        raise Failure(Text("--assign 需要 --to 指定新的客户经理", "--assign needs --to"))
    if to and not assign:
        raise Failure(Text("--to 只和 --assign 一起用", "--to goes with --assign"))
    repository = prepare(root, as_date(today))
    if release or assign:
        try:
            done = move(repository, release or assign, "pool" if release else to, by, reason)
        except EditRefused as refused:
            say(lang, "未修改：" + refused.message.zh, "nothing changed: " + refused.message.en)
            sys.exit(1)
        say(lang, done.zh, done.en)
        return
    rows = pool_rows(repository)
    if fmt == "json":
        click.echo(json.dumps({"customers": [r.as_dict() for r in rows]}, ensure_ascii=False, indent=2))
        return
    if not rows:
        say(lang, "没有可收回或即将到期的客户", "no customer is reclaimable or close to it")
        return
    head = ("编号", "姓名", "客户经理", "分级", "最后本人跟进", "剩余归属天数") if lang != "en" else (
        "id", "name", "owner", "grade", "last action", "days left")
    click.echo("  ".join(head))
    for r in rows:
        left = (f"剩 {r.days_left} 天" if r.days_left > 0 else f"逾期 {-r.days_left} 天") if lang != "en" else (
            f"{r.days_left} left" if r.days_left > 0 else f"{-r.days_left} overdue")
        click.echo(f"{r.id}  {r.name}  {r.owner_name}({r.owner})  {r.grade}  {r.last_action or '—'}  {left}")


@cli.command()
@REPO
@TODAY
@LANG
@click.option("--gitlab", is_flag=True, help="写 .gitlab/CODEOWNERS（GitLab）而不是 .github/CODEOWNERS")
@click.option("--check", "check_only", is_flag=True, help="只检查已提交的文件是否过期：过期则退出码 1")
def codeowners(repo, today, lang, gitlab, check_only):
    """由记录生成 CODEOWNERS：客户文件归客户经理，制度/schema/员工归管理层。"""
    from kehu.check import prepare
    from kehu.codeowners import HEADER, TARGETS, generate
    from kehu.edit import write_atomically

    root = repository_root(repo)
    text, notes = generate(prepare(root, as_date(today)))
    target = root / TARGETS["gitlab" if gitlab else "github"]
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    for note in notes:
        say(lang, "注意：" + note, "note: " + note)
    if check_only:
        if current == text:
            say(lang, f"{target.relative_to(root)} 是最新的", f"{target.relative_to(root)} is up to date")
            return
        say(lang, f"{target.relative_to(root)} {'不存在' if current is None else '已过期'}：请运行 kehu codeowners 并提交",
            f"{target.relative_to(root)} is {'missing' if current is None else 'stale'}: run kehu codeowners and commit it")
        sys.exit(1)
    if current is not None and not current.startswith(HEADER):
        raise Failure(Text(f"{target} 不是 kehu 生成的文件，不覆盖；请先移走它",
                           f"{target} was not generated by kehu; not overwriting it"))
    if current == text:
        say(lang, f"{target.relative_to(root)} 已是最新，未改动", f"{target.relative_to(root)} unchanged")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, text.encode("utf-8"))
    say(lang, f"已写入 {target.relative_to(root)}（{len(text.splitlines())} 行）",
        f"wrote {target.relative_to(root)} ({len(text.splitlines())} lines)")


@cli.command()
@click.argument("period", type=click.Choice(["weekly", "monthly", "range"]))
@REPO
@TODAY
@LANG
@click.option("--from", "start", type=click.DateTime(formats=["%Y-%m-%d"]), help="range 的起始日（含）")
@click.option("--to", "end", type=click.DateTime(formats=["%Y-%m-%d"]), help="range 的结束日（含）")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "xlsx"]), default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="写入文件（xlsx 必须指定）")
@click.option("--force", is_flag=True, help="--out 的文件已存在时覆盖它")
def report(period, repo, today, lang, start, end, fmt, out, force):
    """客户资源统计：weekly（截至周五 18:00）、monthly（上一个自然月）、range --from --to。"""
    from kehu.check import prepare
    from kehu.edit import write_atomically
    from kehu.report import statistics
    from kehu.stats import date_range, last_month, last_week, report_tables

    day = as_date(today)
    if period == "range":
        if not (start and end):
            raise Failure(Text("range 需要 --from 和 --to", "range needs --from and --to"))
        if end < start:
            raise Failure(Text("--to 早于 --from", "--to is before --from"))
        chosen = date_range(start.date(), end.date())
    elif start or end:
        raise Failure(Text("--from/--to 只用于 range", "--from/--to go with range"))
    else:
        chosen = last_week(day) if period == "weekly" else last_month(day)
    if fmt == "xlsx" and out is None:
        raise Failure(Text("xlsx 需要 --out 文件名", "xlsx needs --out FILE"))
    if out is not None and out.exists() and not force:
        raise Failure(Text(f"{out} 已存在，未覆盖（要覆盖请加 --force）", f"{out} exists; not overwritten (use --force)"))
    root = repository_root(repo)
    tables = report_tables(prepare(root, day), chosen)
    if fmt == "xlsx":
        content = statistics.xlsx(chosen, tables)
    else:
        content = (statistics.as_json(chosen, tables) if fmt == "json" else statistics.markdown(chosen, tables)).encode("utf-8")
    if out is None:
        sys.stdout.write(content.decode("utf-8"))
        return
    write_atomically(out.resolve(), content)
    say(lang, f"已写入 {out}（{chosen.title}）", f"wrote {out} ({chosen.title})")


# kind -> (option, field, vocabulary or None, required); nested fields are "a.b"
NEW_FIELDS = {
    "customer": [("name", "name", None, True), ("phone", "phones", None, True), ("channel", "source.channel", "channel", True),
                 ("grade", "grade", "grade", True), ("stage", "stage", "stage", False),
                 ("registered-by", "registered_by", None, True), ("owner", "owner", None, False),
                 ("district", "district", None, False), ("community", "community", None, False),
                 ("referrer", "source.referrer", None, False), ("registered-at", "registered_at", None, False)],
    "visit": [("customer", "customer", None, True), ("staff", "staff", None, True), ("type", "type", "visitType", True),
              ("summary", "summary", None, True), ("at", "at", None, False)],
    "complaint": [("customer", "customer", None, True), ("channel", "channel", "complaintChannel", True),
                  ("category", "category", "complaintCategory", True), ("description", "description", None, True),
                  ("handler", "handler", None, True), ("status", "status", "complaintStatus", False),
                  ("received-at", "received_at", None, False)],
}


def _new_command(kind: str):
    def command(repo, today, lang, **values):
        from datetime import datetime

        from kehu.check import prepare
        from kehu.exchange.new import Refused, add
        from kehu.load import DATE_FIELDS

        root = repository_root(repo)
        repository = prepare(root, as_date(today))
        interactive = sys.stdin.isatty()
        data: dict = {}
        for option, field, vocabulary, required in NEW_FIELDS[kind]:
            value = values.get(option.replace("-", "_"))
            if value in (None, ()) and required:
                if not interactive:
                    raise Failure(Text(f"缺少 --{option}", f"--{option} is required"))
                choices = repository.schemas.vocabulary(vocabulary) if vocabulary else None
                label = repository.schemas.label(kind, tuple(field.split("."))) or field
                value = click.prompt(f"{label}（{field}）", type=click.Choice(choices) if choices else str, err=True)
                value = [value] if option == "phone" else value
            if value in (None, ()):
                continue
            target = data
            *parents, last = field.split(".")
            for parent in parents:
                target = target.setdefault(parent, {})
            target[last] = list(value) if isinstance(value, tuple) else value
        data.setdefault(DATE_FIELDS[kind], (datetime.now() if today is None else datetime.combine(as_date(today), datetime.min.time().replace(hour=9))).strftime("%Y-%m-%d %H:%M:%S"))
        if kind == "customer":
            data.setdefault("stage", "咨询")
        if kind == "complaint":
            data.setdefault("status", "受理")
        try:
            record_id, path = add(repository, kind, data)
        except Refused as refused:
            say(lang, "未新建：" + refused.message.zh, "nothing created: " + refused.message.en)
            sys.exit(1)
        say(lang, f"已新建 {record_id}：{path.relative_to(root)}", f"created {record_id}: {path.relative_to(root)}")
        click.echo(record_id)

    command.__name__ = kind
    command.__doc__ = {"customer": "新建客户（自动编号；撞单则拒绝）", "visit": "新建回访记录", "complaint": "新建投诉"}[kind]
    for option, field, vocabulary, required in reversed(NEW_FIELDS[kind]):
        command = click.option(f"--{option}", multiple=(option == "phone"), help=field)(command)
    return LANG(TODAY(REPO(command)))


@cli.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@REPO
@TODAY
@LANG
@click.option("--map", "mappings", multiple=True, metavar="列名=字段",
              help="指定某列对应的字段，如 --map 接待顾问=owner（可多次）")
@click.option("--write", is_flag=True, help="真正写入（默认只预览）")
@click.option("--by", "by", metavar="STAFF", default=None,
              help="谁在导入（--write 时必填）：记进每条记录的 imported.by，审阅时须管理层批准")
def import_(file, repo, today, lang, mappings, write, by):
    """把旧的《客户登记表》（xlsx/csv）导入为客户记录；默认只预览，--write 才写。"""
    from kehu import people
    from kehu.check import prepare
    from kehu.exchange.importer import HEADERS, ImportError_, apply, plan

    mapping = {}
    for item in mappings:
        column, _, field_name = item.partition("=")
        if not field_name or field_name not in HEADERS:
            raise Failure(Text(f"--map 要写成 列名=字段，字段是 {'、'.join(HEADERS)} 之一：{item}",
                               f"--map takes COLUMN=field with field one of {', '.join(HEADERS)}: {item}"))
        mapping[column.strip()] = field_name
    if write and not by:
        raise Failure(Text("--write 需要 --by 说明是谁在导入（记进每条记录的 imported.by）",
                           "--write needs --by: who runs the import (written to each record's imported.by)"))
    root = repository_root(repo)
    repository = prepare(root, as_date(today))
    try:
        importer = people.identify(repository.ids("staff"), by, "--by", active=True) if by else None
    except people.Unknown as unknown:
        say(lang, "未导入：" + unknown.message.zh, "nothing imported: " + unknown.message.en)
        sys.exit(1)
    try:
        rows = plan(repository, file, mapping)
    except ImportError_ as exc:
        raise Failure(Text(str(exc), str(exc))) from None
    lines, counts = apply(repository, rows, write, stamp={"file": file.name, "by": importer})
    for line in lines:
        click.echo(line)
    verb = "已新建" if write else "将新建（预览，加 --write 写入）"
    say(lang, f"{verb} {counts['created']} 位客户；撞单跳过 {counts['skipped']} 行；拒绝 {counts['rejected']} 行",
        f"{'created' if write else 'would create (dry run; --write to write)'} {counts['created']}; "
        f"skipped {counts['skipped']} collisions; rejected {counts['rejected']} rows")
    sys.exit(1 if counts["rejected"] else 0)


@cli.group()
def new():
    """新建记录：kehu new customer|visit|complaint（缺的必填项会逐一询问）。"""


for _kind in NEW_FIELDS:
    new.command(name=_kind)(_new_command(_kind))


@cli.command()
@REPO
@TODAY
@LANG
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="输出文件（默认 客户导出-<日期>.xlsx/.csv）")
@click.option("--full", is_flag=True, help="不打码（管理层用）")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖")
def export(repo, today, lang, fmt, out, full, force):
    """导出全部客户为 Excel/CSV（默认打码，同站点）。"""
    from kehu.check import prepare
    from kehu.edit import write_atomically
    from kehu.exchange.export import rows, to_csv, to_xlsx

    day = as_date(today)
    out = out or Path(f"客户导出-{day.isoformat()}{'-full' if full else ''}.{fmt}")
    if out.exists() and not force:
        raise Failure(Text(f"{out} 已存在，未覆盖（要覆盖请加 --force）", f"{out} exists; not overwritten (use --force)"))
    table = rows(prepare(repository_root(repo), day), full)
    write_atomically(out.resolve(), to_xlsx(table) if fmt == "xlsx" else to_csv(table))
    say(lang, f"已导出 {len(table)} 位客户到 {out}{'（未打码）' if full else '（已打码）'}",
        f"exported {len(table)} customers to {out}{' (unmasked)' if full else ' (masked)'}")


@cli.command()
@REPO
@TODAY
@LANG
@click.option("--full", is_flag=True, help="不打码的管理版")
@click.option("--address", default="127.0.0.1:8000", show_default=True, help="监听地址")
def serve(repo, today, lang, full, address):
    """本地预览站点：改了记录文件，浏览器自动刷新。"""
    from kehu.site.build import serve_site

    root = repository_root(repo)
    say(lang, f"预览地址：http://{address}/（Ctrl-C 结束）", f"previewing at http://{address}/ (Ctrl-C to stop)")
    sys.exit(serve_site(root, as_date(today), full, address))


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("已取消 / aborted", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except Failure as failure:
        click.echo(failure.message.get(_chosen_lang["value"]), err=True)
        sys.exit(2)
    except SchemaError as exc:
        click.echo(Text(f"schema 缺失或损坏：{exc}", f"schemas missing or broken: {exc}").get(_chosen_lang["value"]), err=True)
        sys.exit(2)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(2)
    except Exception as exc:  # never a traceback for a user; KEHU_DEBUG=1 shows it
        if os.environ.get("KEHU_DEBUG"):
            raise
        click.echo(f"kehu 内部错误（请报告）/ internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(2)
