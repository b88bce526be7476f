"""`kehu new customer|visit|complaint`: a valid record with the next free id; what the
options leave out is asked for at a terminal, with the schema's Chinese labels."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from kehu.commands import Failure, Run
from kehu.domain import FIRST_STAGE, FIRST_STATUS
from kehu.findings import Text

# kind -> (option, field, vocabulary or None, required); nested fields are "a.b"
FIELDS = {
    "customer": [("name", "name", None, True), ("phone", "phones", None, True),
                 ("channel", "source.channel", "channel", True), ("grade", "grade", "grade", True),
                 ("stage", "stage", "stage", False), ("registered-by", "registered_by", None, True),
                 ("owner", "owner", None, False), ("district", "district", None, False),
                 ("community", "community", None, False), ("referrer", "source.referrer", None, False),
                 ("registered-at", "registered_at", None, False)],
    "visit": [("customer", "customer", None, True), ("staff", "staff", None, True),
              ("type", "type", "visitType", True), ("summary", "summary", None, True), ("at", "at", None, False)],
    "complaint": [("customer", "customer", None, True), ("channel", "channel", "complaintChannel", True),
                  ("category", "category", "complaintCategory", True), ("description", "description", None, True),
                  ("handler", "handler", None, True), ("status", "status", "complaintStatus", False),
                  ("received-at", "received_at", None, False)],
}
HELP = {"customer": "新建客户（自动编号；撞单则拒绝）", "visit": "新建回访记录", "complaint": "新建投诉"}
# where a new record starts: a customer at the first stage, a complaint at the first status
STARTS = {"customer": ("stage", FIRST_STAGE), "complaint": ("status", FIRST_STATUS)}


def run(ctx: Run, kind: str, values: dict, real_clock: bool) -> int:
    from kehu.exchange.new import Refused, add
    from kehu.load import DATE_FIELDS

    repository = ctx.prepare()
    data = _collect(repository, kind, values)
    when = datetime.now() if real_clock else datetime.combine(ctx.today, datetime.min.time().replace(hour=9))
    data.setdefault(DATE_FIELDS[kind], when.strftime("%Y-%m-%d %H:%M:%S"))
    if kind in STARTS:
        data.setdefault(*STARTS[kind])
    try:
        record_id, path = add(repository, kind, data)
    except Refused as refused:
        ctx.note(refused.message, "未新建：", "nothing created: ")
        return 1
    ctx.say(f"已新建 {record_id}：{path.relative_to(ctx.root)}", f"created {record_id}: {path.relative_to(ctx.root)}")
    unseen = sum(1 for c in repository.of("customer", valid_only=False) if c.withheld and "phones" in c.withheld)
    if kind == "customer" and unseen:
        ctx.say(f"注意：{unseen} 位客户的电话已加密、你的密钥打不开，没有和它们比对撞单；CI 会比对（K301/K806）",
                f"note: {unseen} customers' phones are sealed to others and were not compared; CI compares them (K301/K806)")
    print(record_id)
    return 0


def _collect(repository, kind: str, values: dict) -> dict:
    """The record's fields from the options, asking at a terminal for missing required ones."""
    interactive = sys.stdin.isatty()
    data: dict = {}
    for option, field, vocabulary, required in FIELDS[kind]:
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
    return data
