"""K7xx: personal data stays in its own fields, where the site can mask it."""

from __future__ import annotations

from datetime import date

from kehu.facts import values_at
from kehu.findings import Hit, Text
from kehu.phones import ID_CARD, MOBILE, mask_id_card, mask_phone
from kehu.rules.base import rule

# the free-text fields of each kind: what people type prose into
FREE_TEXT = {
    "customer": (("notes",), ("owner_history", "*", "reason")),
    "visit": (("summary",),),
    "complaint": (("description",), ("resolution",), ("escalations", "*", "note"), ("follow_up", "comment")),
    "appeal": (("reason",), ("steps", "*", "note")),
}
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def is_id_card(number: str) -> bool:
    """A mainland resident ID: a real birth date and the ISO 7064 check character."""
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS))
    return "10X98765432"[total % 11] == number[17].upper()


def pii_in(text: str) -> list[Text]:
    found = []
    for match in MOBILE.finditer(text):
        found.append(Text(f"手机号 {mask_phone(match.group(1))}", f"a mobile number {mask_phone(match.group(1))}"))
    for match in ID_CARD.finditer(text):
        if is_id_card(match.group(1)):
            masked = mask_id_card(match.group(1))
            found.append(Text(f"身份证号 {masked}", f"an ID card number {masked}"))
    return found


@rule("K701", "pii-in-free-text", "warning", "自由文本里有电话或身份证号", "a phone or ID-card number in free text")
def pii_in_free_text(repo):
    """
    ## 它检查什么
    备注（`notes`）、回访摘要（`summary`）、投诉描述（`description`）、申诉理由（`reason`）等自由文本里，
    出现像手机号（1 开头 11 位，可带空格、连字符、+86）或 18 位身份证号（校验位和出生日期都对）
    的内容。日期、金额（18.5万）、记录编号（C2025-0042）不会被当成号码。

    ## 为什么
    客户信息属公司秘密；电话放在 `phones` 里，站点会打码显示，写进备注就会原样公开。

    ## 出处
    002 客户管理制度 4（保密制度，密级与知悉范围）；001（离职人员不得带走客户资料）

    ## 错误示例
    ```yaml
    summary: 客户说新号码是13812345678，晚上打
    ```

    ## 正确示例
    ```yaml
    summary: 客户换了新号码，已更新到 phones，晚上打
    ```
    """
    for kind, paths in FREE_TEXT.items():
        for record in repo.of(kind):
            for schema_path in paths:
                for path, value in values_at(record.data, schema_path):
                    if not isinstance(value, str):
                        continue
                    found = pii_in(value)
                    if found:
                        yield Hit(Text(f"自由文本里有{'、'.join(t.zh for t in found)}：请移到专门的字段（如 phones），站点才会打码",
                                       f"free text contains {', '.join(t.en for t in found)}: move it to its own field "
                                       "(e.g. phones) so the site can mask it"),
                                  record=record, path=path)
