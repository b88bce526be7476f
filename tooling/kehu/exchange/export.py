"""`kehu export`: every customer as one sheet, ready for Excel or WPS.

Masked unless --full, by the policy the site follows (kehu.domain.Visibility): phones as
138****8000, also where typed into a name or the 小区, no street address, 机密 customers as
id/owner/stage, 绝密 customers left out.
"""

from __future__ import annotations

import csv
import io

from kehu.domain import Visibility, staff_name
from kehu.timeutil import local_datetime
from kehu.xlsx import add_sheet, as_text_cell, new_book, to_bytes

COLUMNS = (("id", "编号"), ("name", "客户姓名"), ("phones", "联系电话"), ("gender", "性别"), ("district", "所在地区"),
           ("community", "小区/楼盘"), ("address", "详细地址"), ("channel", "来源渠道"), ("house_type", "房屋类型"),
           ("area_sqm", "面积（㎡）"), ("budget_wan", "预算（万元）"), ("grade", "客户分级"), ("stage", "阶段"),
           ("owner", "客户经理"), ("designer", "设计师"), ("registered_at", "登记时间"), ("registered_by", "登记人"),
           ("confidentiality", "密级"))


def rows(repo, full: bool) -> list[list]:
    view = Visibility(repo, full)
    out = []
    for customer in sorted(repo.of("customer"), key=lambda r: r.id):
        d = view.customer(customer)
        if d is None:
            continue
        house = d.get("house") or {}
        registered = local_datetime(d.get("registered_at"))
        values = {
            "id": customer.id, "name": d.get("name"), "gender": d.get("gender"), "district": d.get("district"),
            "community": d.get("community"), "address": d.get("address"),
            "phones": "、".join(str(p) for p in d["phones"]) if d.get("phones") else None,
            "channel": (d.get("source") or {}).get("channel"), "house_type": house.get("type"),
            "area_sqm": house.get("area_sqm"), "budget_wan": d.get("budget_wan"), "grade": d.get("grade"),
            "stage": d.get("stage"), "owner": staff_name(repo, d.get("owner")),
            "designer": staff_name(repo, d.get("designer")),
            "registered_at": registered.strftime("%Y-%m-%d %H:%M") if registered else None,
            "registered_by": staff_name(repo, d.get("registered_by")), "confidentiality": view.level(customer.id),
        }
        out.append([view.text(values[key]) for key, _ in COLUMNS])
    return out


def to_csv(table: list[list]) -> bytes:
    """UTF-8 with a BOM: Excel and WPS then open the Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([title for _, title in COLUMNS])
    writer.writerows([["" if v is None else as_text_cell(v) for v in row] for row in table])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: list[list]) -> bytes:
    book = new_book()
    add_sheet(book, "客户", [title for _, title in COLUMNS], table, freeze="B2")
    return to_bytes(book)
