"""The command line: Click declarations only. Each command hands its options to its module
in kehu.commands and returns the exit status that module gives.

Exit status everywhere: 0 done (warnings allowed), 1 errors found or refused, 2 could not run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import yaml

from kehu import __version__
from kehu.commands import Failure, Run
from kehu.findings import Text
from kehu.load import LIBYAML
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
DATE = click.DateTime(formats=["%Y-%m-%d"])


def repository_command(group, *args, **kwargs):
    """A command that works on a records repository: --repo, --today and --lang become a Run."""

    def wrap(function):
        def command(repo, today, lang, **options):
            return function(Run.at(repo, today.date() if today else None, lang), **options)

        command.__name__, command.__doc__ = function.__name__, function.__doc__
        return group.command(*args, **kwargs)(REPO(TODAY(LANG(command))))

    return wrap


def version_text() -> str:
    loader = ("LibYAML C 加载器 / C loader" if LIBYAML
              else "纯 Python 加载器（未找到 LibYAML，较慢）/ pure-Python loader (no LibYAML, slower)")
    return f"kehu {__version__} (PyYAML {yaml.__version__}, {loader}; Python {sys.version.split()[0]})"


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(message=version_text(), version=__version__)
@click.pass_context
def cli(ctx):
    """kehu 客户档案：检查记录、审阅变更、生成站点。"""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
@click.option("--select", default="", help="只检查这些代码或前缀，逗号分隔，如 K1,K201")
@click.option("--ignore", default="", help="不检查这些代码或前缀，逗号分隔")
@click.option("--no-cache", "no_cache", is_flag=True, help="不用也不写缓存（默认：内容没变时直接用上次的结果）")
@click.option("--new-since", "new_since", metavar="REF", default=None,
              help="只让这次改动新引入的问题算错误：与 git 提交 REF 比较，原有的问题照常列出但不影响退出码")
@repository_command(cli)
def check(ctx, **options):
    """按 schema 和公司制度检查全部记录。"""
    from kehu.commands import check

    return check.run(ctx, **options)


@cli.command()
@click.argument("code", required=False)
@LANG
@REPO
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(code, lang, repo, fmt):
    """列出全部规则，或解释一条规则（如 kehu rules K201）；在记录仓库里运行时，标题里的阈值取自其政策。"""
    from kehu.commands import rules

    return rules.run(Run(None, None, lang), code, fmt, repo)


@click.option("--base", required=True, help="目标分支或提交（PR 要合并进去的那个）")
@click.option("--head", default=None, help="要审阅的提交（默认 HEAD）")
@click.option("--author", default=None,
              help="作者：代码托管平台担保的 PR 打开者（员工 id、邮箱或用户名）；不给则取提交信息（K807）")
@click.option("--received-at", "received_at", default=None, metavar="DATETIME",
              help="平台首次收到改动的时间（PR 创建时间，ISO 8601）；不给则取提交时间（K807）")
@click.option("--approved-by", "approved_by", default="", help="已批准的人，逗号分隔（员工 id、邮箱、用户名或姓名）")
@click.option("--select", default="", help="只审这些代码或前缀，逗号分隔")
@click.option("--ignore", default="", help="不审这些代码或前缀，逗号分隔")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
@repository_command(cli)
def review(ctx, **options):
    """审阅一个分支的改动：每个文件需要谁批准，哪些改动不允许。"""
    from kehu.commands import review

    return review.run(ctx, **options)


@click.option("--full", is_flag=True, help="生成不打码的管理版站点（输出到另一个目录）")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="输出目录（默认 _site/，--full 时 _site_full/）")
@repository_command(cli)
def build(ctx, **options):
    """生成内部站点（MkDocs + Material）。"""
    from kehu.commands import site

    return site.build(ctx, **options)


@click.option("--full", is_flag=True, help="不打码的管理版")
@click.option("--address", default="127.0.0.1:8000", show_default=True, help="监听地址")
@repository_command(cli)
def serve(ctx, **options):
    """本地预览站点：改了记录文件，浏览器自动刷新。"""
    from kehu.commands import site

    return site.serve(ctx, **options)


@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--release", "release", metavar="ID", help="把这位客户收回公海")
@click.option("--assign", "assign", metavar="ID", help="把这位客户分配给 --to")
@click.option("--to", "to", metavar="STAFF", help="分配给谁（与 --assign 一起用）")
@click.option("--by", "by", metavar="STAFF", help="谁做的决定：必须是政策 assigner_roles 里的角色（默认市场总监）")
@click.option("--reason", default=None, help="写进 owner_history 的理由")
@click.option("--in-pool/--no-in-pool", "in_pool", default=True, show_default=True, help="也列出已在公海的客户（可 --assign 分配）")
@repository_command(cli)
def pool(ctx, **options):
    """公海：列出可收回和即将到期的客户，以及已在公海的客户；--release / --assign 移动一位客户。"""
    from kehu.commands import pool

    return pool.run(ctx, **options)


@click.option("--for", "for_staff", metavar="STAFF", default=None, help="只列这个人的（员工 id、邮箱、代码托管用户名或姓名）")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True)
@click.option("--full", is_flag=True, help="不打码，也列出绝密客户的事项（管理层用）")
@repository_command(cli)
def todo(ctx, **options):
    """每个人的待办：公海倒计时、该回访的、约定联系、投诉时限、设计交付、交接……最急的在前。"""
    from kehu.commands import todo

    return todo.run(ctx, **options)


@click.option("--smtp", metavar="HOST:PORT", required=True,
              help="SMTP 服务器；服务器支持时用 STARTTLS，设置了 KEHU_SMTP_USER / KEHU_SMTP_PASSWORD 时登录")
@click.option("--from", "sender", metavar="ADDRESS", required=True, help="发件人地址")
@click.option("--dry-run", "dry_run", is_flag=True, help="只显示会发给谁、发什么，不发送")
@repository_command(cli)
def notify(ctx, **options):
    """给每位有待办的在职员工发一封当日待办邮件；超期较久的抄送其经理。同一天重复运行不会重发。"""
    from kehu.commands import notify

    return notify.run(ctx, **options)


@click.option("--gitlab", is_flag=True, help="写 .gitlab/CODEOWNERS（GitLab）而不是 .github/CODEOWNERS")
@click.option("--check", "check_only", is_flag=True, help="只检查已提交的文件是否过期：过期则退出码 1")
@repository_command(cli)
def codeowners(ctx, **options):
    """由记录生成 CODEOWNERS：客户文件归客户经理，制度/schema/员工归管理层。"""
    from kehu.commands import codeowners

    return codeowners.run(ctx, **options)


@click.argument("kind", type=click.Choice(["weekly", "monthly", "range", "scorecard"]))
@click.option("--from", "start", type=DATE, help="range / scorecard 的起始日（含）")
@click.option("--to", "end", type=DATE, help="range / scorecard 的结束日（含）")
@click.option("--month", default=None, metavar="YYYY-MM|current",
              help="monthly 的月份，如 2026-11；current 为本月至今（默认：上一个自然月，每月最后 7 天为本月至今）")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "xlsx"]), default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="写入文件；不给时 md/json 打印到屏幕，xlsx 写到仓库的 _exports/（git 不提交）并说明位置")
@click.option("--force", is_flag=True, help="--out 的文件已存在时覆盖它")
@click.option("--full", is_flag=True, help="不打码的管理版：含绝密客户和机密客户的收回理由")
@repository_command(cli)
def report(ctx, start, end, **options):
    """客户资源统计与员工考核。

    \b
    weekly     周报：截至最近一个周五 18:00 的一周，含《客户投诉记录表》和满意度结果
    monthly    月报：上一个完整自然月（每月最后 7 天为本月至今，供月末例会）；
               --month YYYY-MM 或 current；每项与上月、去年同月比较，列出主要原因
    range      任意时段：--from D --to D（两天都含）
    scorecard  员工考核表：按岗位列出每人的指标和评级（优良/合格/差，标准见政策
               scorecard_ratings）；默认上一个完整自然月，或 --from D --to D
    """
    from kehu.commands import report

    return report.run(ctx, start=start and start.date(), end=end and end.date(), **options)


@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--map", "mappings", multiple=True, metavar="列名=字段",
              help="指定某列对应的字段，如 --map 接待顾问=owner（可多次）")
@click.option("--write", is_flag=True, help="真正写入（默认只预览）")
@click.option("--by", "by", metavar="STAFF", default=None,
              help="谁在导入（--write 时必填）：记进每条记录的 imported.by，审阅时须管理层批准")
@click.option("--allow-left", "allow_left", is_flag=True,
              help="客户经理已离职的行也照原样导入（逐行提醒；合并前须用 kehu pool --assign 重新分配）")
@repository_command(cli, name="import")
def import_(ctx, **options):
    """把旧的《客户登记表》（xlsx/csv）导入为客户记录；默认只预览，--write 才写。"""
    from kehu.commands import importing

    return importing.run(ctx, **options)


@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="输出文件（默认仓库顶层 _exports/客户导出-<日期>.xlsx/.csv，git 不提交该目录；不能在 records/ 里）")
@click.option("--full", is_flag=True, help="不打码（管理层用）")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖")
@repository_command(cli)
def export(ctx, **options):
    """导出全部客户为 Excel/CSV（默认打码，同站点）。"""
    from kehu.commands import export

    return export.run(ctx, **options)


@click.argument("ids", nargs=-1, metavar="[ID|FILE]...")
@repository_command(cli)
def seal(ctx, **options):
    """按政策 sealing 把客户档案的敏感字段加密（age），加密给归属人、可读岗位和 CI；已加密的不重复。
    给了客户编号或文件时只处理它们（pre-commit 钩子传入暂存的文件）。"""
    from kehu.commands import seal

    return seal.seal(ctx, **options)


@click.argument("record_id", metavar="ID")
@repository_command(cli)
def unseal(ctx, record_id):
    """显示一条记录，加密字段用 KEHU_AGE_IDENTITY 指向的私钥解开（不写回文件）。"""
    from kehu.commands import seal

    return seal.unseal(ctx, record_id)


@cli.group()
def new():
    """新建记录：kehu new customer|visit|complaint（缺的必填项会逐一询问）。"""


def _new_command(kind: str):
    from kehu.commands.new import FIELDS, HELP

    def command(repo, today, lang, **values):
        from kehu.commands import new as creating

        return creating.run(Run.at(repo, today.date() if today else None, lang), kind, values, today is None)

    command.__name__, command.__doc__ = kind, HELP[kind]
    for option, field, _, _ in reversed(FIELDS[kind]):
        command = click.option(f"--{option}", multiple=(option == "phone"), help=field)(command)
    return new.command(name=kind)(REPO(TODAY(LANG(command))))


for _kind in ("customer", "visit", "complaint"):
    _new_command(_kind)


def main() -> None:
    sys.exit(_run())


def _run() -> int:
    lang = lambda: _chosen_lang["value"]  # noqa: E731 -- read after the options were parsed
    try:
        return cli.main(standalone_mode=False) or 0
    except click.exceptions.Abort:
        click.echo("已取消 / aborted", err=True)
    except click.ClickException as exc:
        exc.show()
    except Failure as failure:
        click.echo(failure.message.get(lang()), err=True)
    except SchemaError as exc:
        click.echo(Text(f"schema 缺失或损坏：{exc}", f"schemas missing or broken: {exc}").get(lang()), err=True)
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # never a traceback for a user; KEHU_DEBUG=1 shows it
        if os.environ.get("KEHU_DEBUG"):
            raise
        click.echo(f"kehu 内部错误（请报告）/ internal error: {type(exc).__name__}: {exc}", err=True)
    return 2
