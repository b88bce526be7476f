"""K2xx: records that name each other — ids exist, are unique, and people are still here."""

from __future__ import annotations

import difflib

from kehu.domain import OPEN_STATUSES, POOL, joined
from kehu.facts import values_at
from kehu.findings import Hit, Text
from kehu.rules.base import rule


@rule("K201", "unknown-reference", "error", "引用了不存在的客户或员工", "reference to an unknown customer or staff id")
def unknown_reference(repo):
    """
    ## 它检查什么
    记录里指向别人的字段——客户的 `owner`、`designer`、`registered_by`、
    `owner_history`（及其依据的申诉 `appeal`），回访的 `customer` 和 `staff`，投诉的
    `customer`、`handler`、升级和回访人，申诉的客户、申诉人、被申诉人和各级处理人，
    销毁记录的审批人——都必须是存在的客户编号、申诉编号或员工 id。
    `owner: pool` 表示在公海。提示会给出最接近的现有编号。

    ## 为什么
    归属、回访和投诉都靠这些引用统计；一个拼错的 id 会让客户“无人负责”。

    ## 出处
    001 客户资源的调配 1（客户资源由市场总监分配至个人）；002 客户管理制度 6

    ## 错误示例
    ```yaml
    staff: liuyng     # 员工 liuyang 拼错了
    ```

    ## 正确示例
    ```yaml
    staff: liuyang
    ```
    """
    known = {"staff": repo.ids("staff"), "customer": repo.ids("customer"), "appeal": repo.ids("appeal")}
    for kind, paths in repo.schemas.references.items():
        for record in repo.of(kind):
            for schema_path, target in paths:
                for path, value in values_at(record.data, schema_path):
                    if not isinstance(value, str):
                        continue
                    table = known.get(target, known["staff"])  # an owner is a staff id (or pool)
                    if value in table or (target == "owner" and value == POOL):
                        continue
                    yield Hit(_unknown(value, target, table), record=record, path=path)


def nearest(value: str, known) -> str | None:
    """The existing id a typo most likely meant: two swapped digits count as one slip."""
    candidates = difflib.get_close_matches(value, list(known), n=50, cutoff=0.6)
    return min(candidates, key=lambda c: (_slips(value, c), candidates.index(c)), default=None)


def _slips(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, changes, adjacent swaps."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _unknown(value: str, target: str, table) -> Text:
    close = nearest(value, table)
    hint = Text(f"；是不是 {close}？", f"; did you mean {close}?") if close else Text("", "")
    if target == "customer":
        return Text(f"客户 {value} 不存在{hint.zh}", f"no customer {value}{hint.en}")
    if target == "appeal":
        return Text(f"申诉 {value} 不存在（records/appeals/ 里没有这件申诉）{hint.zh}", f"no appeal {value}{hint.en}")
    return Text(f"员工 {value} 不存在（records/staff/ 里没有 {value}.yaml）{hint.zh}",
                f"no staff member {value} (no records/staff/{value}.yaml){hint.en}")


@rule("K202", "duplicate-id", "error", "同一个编号被两个文件使用", "the same id is used by two files", reads=("id",))
def duplicate_id(repo):
    """
    ## 它检查什么
    每个编号只能属于一个文件。第二个（按路径排序在后的）文件会收到这条提示，并点名第一个。

    ## 为什么
    两个分支同时新建记录时最容易撞号；重复的编号会让回访和投诉挂错客户。

    ## 出处
    002 档案管理制度（档案编号唯一）

    ## 错误示例
    `records/customers/2025/C2025-0007.yaml` 和 `records/customers/2026/C2025-0007.yaml`
    都写着 `id: C2025-0007`。

    ## 正确示例
    后建的那条改用下一个空闲编号（`kehu new` 会自动分配）。
    """
    first_file: dict[str, str] = {}
    for record in repo.records:
        record_id = record.id
        if record_id is None or record.kind == "policy":
            continue
        if record_id in first_file:
            yield Hit(Text(f"编号 {record_id} 已被 {first_file[record_id]} 使用",
                           f"id {record_id} is already used by {first_file[record_id]}"),
                      record=record, path=("id",))
        else:
            first_file[record_id] = record.file


@rule("K203", "inactive-owner", "error", "负责人已离职：需要重新分配", "owner or handler has left: reassign")
def inactive_owner(repo):
    """
    ## 它检查什么
    客户的 `owner` 和未结投诉的 `handler` 必须是在职员工（`active: true`）。

    ## 为什么
    员工离职时，其客户要重新分配并告知客户；离职人员名下的客户没人跟进，投诉没人处理。

    ## 出处
    001 市场部人员离职（客户资源移交）；002 客户管理制度 5

    ## 错误示例
    ```yaml
    owner: zhaoqiang   # staff/zhaoqiang.yaml: active: false
    ```

    ## 正确示例
    由市场总监重新分配，并在 `owner_history` 记一笔：
    ```yaml
    owner: liuyang
    owner_history:
      - {owner: liuyang, from: 2026-05-06, by: sunmin, reason: 原客户经理离职}
    ```
    """
    staff = repo.ids("staff")
    assigners = joined(repo.policy["assigner_roles"])

    def gone(staff_id):
        member = staff.get(staff_id)
        return member is not None and member.data.get("active") is False

    for record in repo.of("customer"):
        owner = record.data.get("owner")
        if gone(owner):
            yield Hit(_left(owner, staff[owner], Text("客户", "customer"), assigners), record=record, path=("owner",))
    for record in repo.of("complaint"):
        handler = record.data.get("handler")
        if record.data.get("status") in OPEN_STATUSES and gone(handler):
            yield Hit(_left(handler, staff[handler], Text("投诉", "complaint"), assigners), record=record, path=("handler",))


def _left(staff_id: str, member, what: Text, assigners: str) -> Text:
    name = member.data.get("name", staff_id)
    left = member.data.get("left")
    when = Text(f"（{left} 离职）", f" (left {left})") if left else Text("（已离职）", " (has left)")
    return Text(f"{name}（{staff_id}）{when.zh}仍负责这条{what.zh}：请{assigners}重新分配",
                f"{name} ({staff_id}){when.en} still holds this {what.en}: ask an assigner to reassign it")
