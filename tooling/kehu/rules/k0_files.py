"""K0xx: the files themselves — readable, parseable, and where the layout says they belong."""

from __future__ import annotations

from pathlib import PurePosixPath

from kehu.findings import Hit, Text
from kehu.load import DATE_FIELDS, FOLDER_KINDS, ID_PREFIX_KINDS, KIND_FOLDERS
from kehu.rules.base import rule
from kehu.timeutil import local_date

KIND_NAMES = {"customer": "客户", "visit": "回访", "complaint": "投诉", "disposal": "销毁记录", "appeal": "申诉", "staff": "员工"}


def _load_problems(repo, code):
    for file, problem in repo.problems:
        if problem.code == code:
            yield Hit(problem.message, file=file, line=problem.line, column=problem.column)


@rule("K001", "invalid-yaml", "error", "文件不是有效的 YAML", "file is not valid YAML")
def invalid_yaml(repo):
    """
    ## 它检查什么
    文件能否按 YAML 读出来：缩进、冒号、引号、Tab、多文档、未知标签、别名炸弹。
    提示会说明第几行、什么原因。

    ## 为什么
    读不出的文件等于丢失的档案：客户档案必须完整、可查（客户管理制度，档案管理）。

    ## 出处
    002 客户管理制度 6（客户档案的建立与保管）

    ## 错误示例
    ```yaml
    id: C2026-0001
    name: "王芳
    ```

    ## 正确示例
    ```yaml
    id: C2026-0001
    name: 王芳
    ```
    """
    return _load_problems(repo, "K001")


@rule("K002", "duplicate-key", "error", "同一字段在一个文件里出现两次", "a key appears twice in one file")
def duplicate_key(repo):
    """
    ## 它检查什么
    同一层里出现两个同名字段。PyYAML 会悄悄只保留后一个，前一个值就丢了；kehu 不允许。

    ## 为什么
    两次合并编辑常会留下两个 `phones:`，其中一个号码会无声消失，撞单也就查不出来。

    ## 出处
    002 客户管理制度 3.1.3（以登记表为准判断归属：登记内容必须唯一、明确）

    ## 错误示例
    ```yaml
    phones:
      - '13800138000'
    phones:
      - '13900139000'
    ```

    ## 正确示例
    ```yaml
    phones:
      - '13800138000'
      - '13900139000'
    ```
    """
    return _load_problems(repo, "K002")


@rule("K003", "unreadable-file", "error", "文件不是 UTF-8、为空、过大或顶层不是映射",
      "file is not UTF-8, is empty, too large or not a mapping")
def unreadable_file(repo):
    """
    ## 它检查什么
    文件必须是 UTF-8 编码（带不带 BOM 都行，CRLF 换行也行），不能是空的，顶层必须是
    “字段: 值”的映射，大小不超过政策 `max_file_kb`。GBK 等编码会被认出并点名。

    ## 为什么
    用 Excel/WPS 或老系统导出的文件常是 GBK，直接提交后中文会变成乱码。

    ## 出处
    002 档案管理制度（归档文件应完整、可读）

    ## 错误示例
    一个用 GBK 保存的客户文件；一个只有 `- 王芳` 的列表文件；一个空文件。

    ## 正确示例
    ```yaml
    # 文件以 UTF-8 保存
    id: C2026-0001
    name: 王芳
    ```
    """
    return _load_problems(repo, "K003")


@rule("K004", "misplaced-file", "error", "文件名、目录与记录的编号和日期不符",
      "file name or folder does not match the record's id and date")
def misplaced_file(repo):
    """
    ## 它检查什么
    文件名（去掉 .yaml）必须等于 `id`；客户放在 `customers/<登记年份>/`，回访放在
    `visits/<年>/<月>/`，投诉放在 `complaints/<受理年份>/`，销毁记录放在
    `disposals/<年份>/`，申诉放在 `appeals/<提出年份>/`，员工放在 `staff/`；编号里的年份与日期的年份一致。

    ## 为什么
    人和工具都按位置找档案；放错的文件在审阅和站点里都会“找不到”。

    ## 出处
    002 档案管理制度（分类归档、编号规范）

    ## 错误示例
    `records/visits/2026/03/V2026-000123.yaml` 里写着 `at: 2026-04-02 10:00:00`。

    ## 正确示例
    同一条回访放在 `records/visits/2026/04/V2026-000123.yaml`。
    """
    for record in repo.records:
        message = _misplacement(record)
        if message:
            yield Hit(message, record=record, path=("id",) if record.id else ())


def _misplacement(record) -> Text | None:
    path = PurePosixPath(record.file)
    parts = path.parts
    record_id = record.id
    if record.kind is None:
        return Text(
            f"不认识这个位置：records/ 下只放 {'、'.join(FOLDER_KINDS)} 和 policy.yaml",
            f"unknown location: records/ holds only {', '.join(FOLDER_KINDS)} and policy.yaml")
    if path.suffix != ".yaml":
        return Text(f"扩展名应为 .yaml：请改名为 {path.stem}.yaml", f"the extension must be .yaml: rename to {path.stem}.yaml")
    if record.kind == "policy":
        return None
    if record_id is None:
        return None  # the schema reports the missing or malformed id
    if path.stem != record_id:
        return Text(f"文件名 {path.name} 与编号 {record_id} 不一致：应为 {record_id}.yaml",
                    f"file name {path.name} does not match id {record_id}: should be {record_id}.yaml")
    expected_kind = ID_PREFIX_KINDS.get(record_id[:1], "staff")
    if expected_kind != record.kind:
        return Text(f"编号 {record_id} 是{KIND_NAMES[expected_kind]}，不该放在 {parts[1]}/ 里",
                    f"{record_id} is a {expected_kind} id; it does not belong in {parts[1]}/")
    if record.kind == "staff":
        expected = "records/staff"
    else:
        when = local_date(record.data.get(DATE_FIELDS[record.kind]))
        if when is None:
            return None  # the schema reports the missing or malformed date
        if record_id[1:5] != f"{when.year:04d}":
            return Text(f"编号 {record_id} 的年份与日期 {when.isoformat()} 不符：编号应以 {record_id[0]}{when.year} 开头",
                        f"the year in {record_id} does not match its date {when.isoformat()}: "
                        f"the id should start with {record_id[0]}{when.year}")
        expected = f"records/{KIND_FOLDERS[record.kind]}/{when.year:04d}"
        if record.kind == "visit":
            expected += f"/{when.month:02d}"
    actual = "/".join(parts[:-1])
    if actual != expected:
        return Text(f"应放在 {expected}/ 下（按编号和日期），现在在 {actual}/",
                    f"belongs in {expected}/ (by its id and date), not {actual}/")
    return None
