"""Entering records from the site, on a phone, as pull requests (the 录入 pages).

The site is static and the pull request stays the only door into the records: a form
checks what was typed against the record's schema in the browser (kehu-forms.js, with a
bundled copy of Ajv), writes the record's YAML as `kehu new` would, and opens the code
host's own "new file" page (or "edit file" page for 修改) with the path and content filled
in; the person commits it there on a new branch, and CI's `kehu check` and `kehu review`
judge it like any other change. Without `code_host` in kehu.yaml the form offers the YAML
to copy and the `kehu new` command line that would write it.

What this module writes at build time, from the schemas and the records:
- the form pages, their fields generated from the schemas (form_fields.py);
- assets/kehu-forms/forms.json: the schemas, the Chinese labels and pattern hints kehu
  check's messages use, the staff, the next free id per kind and year, the code host;
- assets/kehu-forms/customers-<YYYY>.json: each shown customer as this site shows it (a
  visit form names its customer, 修改 starts from it); 机密 ones as id, owner and stage;
- assets/kehu-forms/phones.json: for the 撞单 hint, each shown phone in the form the site
  already prints (138****8000) with the customers that have it -- nothing from which a
  number can be recovered that the customer pages do not already show. A `--full` site,
  which shows phones, has the numbers themselves and the check is exact.
"""

from __future__ import annotations

import html
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from kehu.domain import FIRST_STAGE, FIRST_STATUS
from kehu.explain import _pattern_hint
from kehu.load import DATE_FIELDS, KIND_FOLDERS
from kehu.markdown import titled
from kehu.phones import mask_phone, phone_key
from kehu.sealing import plain_branch
from kehu.site.form_fields import SchemaFields, field_html
from kehu.timeutil import EARLIEST, LATEST

HOST_KINDS = ("github", "gitlab", "gitea")
_HOST_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*/?")
_HOST_REPO = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)+")
_HOST_BRANCH = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")
ID_PATTERN = {"customer": re.compile(r"^C([0-9]{4})-([0-9]+)$"), "visit": re.compile(r"^V([0-9]{4})-([0-9]+)$"),
              "complaint": re.compile(r"^T([0-9]{4})-([0-9]+)$")}
ASSETS = "assets/kehu-forms"


@dataclass(frozen=True)
class Form:
    kind: str
    page: str
    title: str
    intro: str
    first: tuple[str, ...]  # asked first, in this order: what a walk-in takes
    skip: tuple[str, ...]  # filled by the form (id) or by another tool (owner_history: kehu pool)
    defaults: tuple[tuple[str, str], ...]  # path -> value; "now" and "me" are filled in the browser
    mode: str = "new"


_NEVER = ("id", "exceptions", "imported")
FORMS = (
    Form("customer", "customer", "新客户登记",
         "到店、来电的新客户当场登记：姓名、电话、来源、分级、小区五项，其余在“更多”里选填。",
         ("name", "phones", "source.channel", "grade", "community"),
         (*_NEVER, "owner", "owner_history", "locked"),
         (("stage", FIRST_STAGE), ("registered_at", "now"), ("registered_by", "me"))),
    Form("visit", "visit", "写跟进记录", "一次电话、到店、上门、量房或回访，当天记下。",
         ("customer", "type", "summary"), _NEVER, (("at", "now"), ("staff", "me"))),
    Form("complaint", "complaint", "投诉登记", "收到投诉即登记，处理时限从受理时间算起。",
         ("customer", "channel", "category", "description"), _NEVER,
         (("status", FIRST_STATUS), ("received_at", "now"), ("handler", "me"))),
    Form("customer", "edit", "修改客户档案",
         "改阶段、分级、房屋、关键节点等；归属人由市场总监用 kehu pool 调整，登记人和登记时间不能改。",
         (), (*_NEVER, "owner", "owner_history", "locked", "registered_at", "registered_by"), (), mode="edit"),
)


class HostRefused(ValueError):
    pass


def code_host(root: Path) -> dict | None:
    """kehu.yaml's `code_host: {kind, url, repo, branch}`, checked; None when absent.
    A malformed one is refused with a sentence (the build goes on without it)."""
    path = root / "kehu.yaml"
    if path.is_symlink() or not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        raise HostRefused("kehu.yaml 读不出来") from None
    host = data.get("code_host") if isinstance(data, dict) else None
    if host is None:
        return None
    if not isinstance(host, dict):
        raise HostRefused("code_host 应为 {kind, url, repo, branch}")
    kind, url, repo, branch = (host.get(k) for k in ("kind", "url", "repo", "branch"))
    branch = "main" if branch is None else branch
    if kind not in HOST_KINDS:
        raise HostRefused(f"code_host.kind 应为 {'、'.join(HOST_KINDS)} 之一")
    checks = ((url, _HOST_URL, "url（如 https://git.example.com）"), (repo, _HOST_REPO, "repo（如 sales/kehu-records）"),
              (branch, _HOST_BRANCH, "branch（如 main）"))
    for value, pattern, what in checks:
        if not isinstance(value, str) or not pattern.fullmatch(value) or ".." in value:
            raise HostRefused(f"code_host.{what} 格式不对")
    return {"kind": kind, "url": url.rstrip("/"), "repo": repo, "branch": branch}


def next_ids(repo) -> dict:
    """Per kind and year, the highest number in use (valid records or not, shown or not):
    the form proposes the next one, and CI's K202 catches an id taken since the build."""
    out: dict = {}
    for kind, pattern in ID_PATTERN.items():
        top: dict = {}
        for record_id in repo.ids(kind):
            match = pattern.match(record_id)
            if match:
                top[match.group(1)] = max(top.get(match.group(1), 0), int(match.group(2)))
        out[kind] = top
    return out


def labels(schemas, kind: str) -> dict:
    """Every field's Chinese title, by path with * for list positions (phones.*)."""
    out: dict = {}

    def walk(node, path):
        if not isinstance(node, dict):
            return
        node = plain_branch(node) or node  # a sealable field: its own schema (kehu.sealing)
        if path and node.get("title"):
            out[".".join(path)] = node["title"]
        for name, child in node.get("properties", {}).items():
            walk(child, (*path, name))
        if isinstance(node.get("items"), dict):
            walk(node["items"], (*path, "*"))

    walk(schemas.inlined[kind], ())
    return out


def pattern_hints(schemas) -> dict:
    hints = {}
    for spec in schemas.defs.values():
        pattern = spec.get("pattern") if isinstance(spec, dict) else None
        if pattern:
            hints[pattern] = _pattern_hint(pattern, schemas).zh
    return hints


class FormPages:
    def __init__(self, site):
        self.site, self.repo, self.view = site, site.repo, site.view
        self.staff = sorted(({"id": r.id, "name": str(r.data.get("name", r.id)), "active": r.data.get("active") is not False}
                             for r in self.repo.of("staff")), key=lambda s: s["id"])
        try:
            self.host = code_host(self.repo.root)
        except HostRefused as refused:
            print(f"注意：kehu.yaml 的 code_host 未采用：{refused}", file=sys.stderr)
            self.host = None

    def write(self) -> None:
        for form in FORMS:
            self.site.write(f"forms/{form.page}.md", self.page(form))
        self.site.write("forms/index.md", self.index())
        self.site.write(f"{ASSETS}/forms.json", _json(self.config()))
        for year, table in sorted(self.customer_tables().items()):
            self.site.write(f"{ASSETS}/customers-{year}.json", _json(table))
        self.site.write(f"{ASSETS}/phones.json", _json(self.phone_index()))

    def config(self) -> dict:
        schemas = self.repo.schemas
        kinds = ("customer", "visit", "complaint")
        return {
            "code_host": self.host, "full": self.site.full, "staff": self.staff, "next": next_ids(self.repo),
            "schemas": {name: schemas.documents[name] for name in ("common.schema.json", *(f"{k}.schema.json" for k in kinds))},
            "labels": {kind: labels(schemas, kind) for kind in kinds}, "hints": pattern_hints(schemas),
            "folders": {kind: KIND_FOLDERS[kind] for kind in kinds}, "date_fields": {kind: DATE_FIELDS[kind] for kind in kinds},
            "order": {kind: list(schemas.documents[f"{kind}.schema.json"].get("properties", {})) for kind in kinds},
            "years": [EARLIEST.year, LATEST.year],
            # fields written as YAML dates and times (unquoted, as kehu new writes them)
            "times": {kind: [f.path for f in SchemaFields(schemas.documents, kind).fields() if f.widget in ("date", "datetime")]
                      for kind in kinds},
        }

    def customer_tables(self) -> dict:
        """Year of the id -> id -> the customer as this site shows it."""
        tables: dict = {}
        for c in self.site.customers:
            match = ID_PATTERN["customer"].match(c.id or "")
            if not match:
                continue
            d = c.data
            entry = {"o": d.get("owner"), "s": d.get("stage"), "f": c.file}
            if self.view.restricts(c.id):
                entry["r"] = 1
            else:
                shown = self.view.customer(c) or {}
                entry["n"] = shown.get("name")
                entry["d"] = {k: v for k, v in shown.items() if k not in ("id",)}
                entry["x"] = sorted(k for k in d if k != "phones" and shown.get(k) != d.get(k))  # masked or left out
            tables.setdefault(match.group(1), {})[c.id] = entry
        return tables

    def phone_index(self) -> dict:
        """The 撞单 hint: the masked form of each shown phone -> customer ids (a full site:
        the number's key itself). Only what the customer pages already show."""
        index: dict = {}
        for c in self.site.customers:
            if self.view.restricts(c.id):
                continue
            for phone in c.data.get("phones") or ():
                key = phone_key(phone) if self.site.full else mask_phone(phone)
                ids = index.setdefault(key, [])
                if c.id not in ids:
                    ids.append(c.id)
        return {"exact": self.site.full, "phones": index}

    def page(self, form: Form) -> str:
        fields = SchemaFields(self.repo.schemas.documents, form.kind).fields(form.skip)
        by_path = {f.path: f for f in fields}
        first = [by_path[p] for p in form.first if p in by_path]
        main = first + [f for f in fields if f.required and f not in first]
        more = [f for f in fields if f not in main]
        defaults = dict(form.defaults)
        e = html.escape

        def block(items):
            return "".join(field_html(f, self.staff, defaults.get(f.path)) for f in items)

        host = self.host["kind"] if self.host else ""
        parts = [titled(form.title), e(form.intro), "",
                 f'<form class="kehu-form" data-kind="{form.kind}" data-mode="{form.mode}" data-host="{host}" novalidate>',
                 '<div class="kehu-form__who"></div>' if form.mode == "edit" else "",
                 block(main),
                 f'<details class="kehu-more"><summary>更多（选填，{len(more)} 项）</summary>{block(more)}</details>' if more else "",
                 '<div class="kehu-form__errors" role="alert" hidden></div>',
                 '<button type="submit" class="md-button md-button--primary kehu-submit">检查并生成</button>',
                 "</form>",
                 '<div class="kehu-result" hidden></div>', ""]
        return "\n".join(p for p in parts if p is not None) + "\n"

    def index(self) -> str:
        host = self.host
        where = (f"提交时打开 {html.escape(host['kind'])} 的新建文件页，路径和内容都已填好；在那里选择“新建分支并发起合并请求”。"
                 if host else "本站没有配置代码托管（kehu.yaml 的 code_host），表单会给出 YAML 和 `kehu new` 命令行，"
                 "复制后在自己的电脑上提交。")
        lines = [titled("录入"), "在手机上登记客户、写跟进、登记投诉。表单按记录的 schema 生成，填完先在本页检查，"
                 "再生成记录文件，以 pull request 提交：" + where, "",
                 "- [新客户登记](customer.md)", "- [写跟进记录](visit.md)（也可在客户页点“写跟进”）",
                 "- [投诉登记](complaint.md)", "- 修改：在客户页点“修改”", "",
                 "!!! note \"表单能查什么、不能查什么\"",
                 "    - 编号：表单用本站生成时已知的下一个空号；这之后别人先提交了同一个编号，CI 的 K202 会指出，改号即可。",
                 "    - 撞单：本站不公开电话号码，只能拿你输入号码的“前三后四”（如 138****8000）和客户页上已显示的号码比，"
                 "相同就提示“可能撞单”；机密、绝密客户的号码本站看不到。以 CI 的 K806（和 kehu check 的 K301）为准。",
                 "    - 其余规则（回访频率、投诉时限……）由 CI 的 kehu check 和 kehu review 检查。", ""]
        return "\n".join(lines) + "\n"


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def write_forms(site) -> None:
    """The 录入 pages and their data; called by the page generator (pages.Site.generate)."""
    FormPages(site).write()
