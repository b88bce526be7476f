"""`kehu import`: legacy registration sheets as people really keep them."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

from openpyxl import Workbook

from conftest import kehu

HEADER = ["序号", "姓名", "联系电话", "登记时间", "业务员", "来源", "小区", "面积", "预算(万元)"]
ROWS = [
    [1, "陈晨", "13700001111", "2026年3月4日", "刘洋", "到店", "万科城市花园", "96", "18"],
    [2, "林琳", "137 0000 2222", "2026/3/5", "王丽", "朋友介绍", "绿地海珀", "120.5", "35"],
    [3, "赵东", "", "2026-03-06", "刘洋", "电话", "", "", ""],            # no phone
    [4, "钱多", "13700004444", "2026-03-07", "张三", "网络", "", "", ""],   # not staff
    [5, "孙悦", "13700005555", "三月七号", "刘洋", "网络", "", "", ""],     # unreadable date
    [6, "王芳", "139-1605-2231", "2026-03-08", "王丽", "网络", "", "", ""],  # 撞单 with C2026-0001
]


def kehu_import(repo, *args):
    return kehu("import", *args, repo=repo)


def write_csv(path, encoding, rows=ROWS, header=HEADER):
    text = "\r\n".join(",".join(str(c) for c in row) for row in [header] + rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def created(repo):
    return sorted(p.name for p in (repo.root / "records/customers/2026").glob("*.yaml"))


def test_dry_run_reports_every_row_and_writes_nothing(repo, tmp_path):
    before = created(repo)
    code, out, err = kehu_import(repo, str(write_csv(tmp_path / "登记表.csv", "utf-8-sig")))
    assert code == 1  # some rows are rejected
    assert "将新建 第 2 行：陈晨" in out and "将新建 第 3 行：林琳" in out
    assert "拒绝 第 4 行：没有联系电话" in out
    assert "拒绝 第 5 行：客户经理“张三”不在员工名单里" in out
    assert "拒绝 第 6 行：登记日期看不懂" in out
    assert "撞单 第 7 行" in out and "C2026-0001" in out
    assert "将新建（预览" in err and created(repo) == before


def test_write_creates_valid_records_once(repo, tmp_path):
    sheet = write_csv(tmp_path / "登记表.csv", "gbk", rows=ROWS[:2])
    code, out, err = kehu_import(repo, str(sheet), "--write", "--by", "sunmin")
    assert code == 0, out + err
    assert created(repo) == ["C2026-0001.yaml", "C2026-0002.yaml", "C2026-0003.yaml"]
    text = (repo.root / "records/customers/2026/C2026-0003.yaml").read_text(encoding="utf-8")
    assert "name: 林琳" in text and "owner: wangli" in text and "channel: 老客户介绍" in text
    assert "area_sqm: 120.5" in text and "registered_at: 2026-03-05 00:00:00" in text
    assert repo.check("--select", "K0,K1,K2,K3")[0] == 0
    code, out, err = kehu_import(repo, str(sheet), "--write", "--by", "sunmin")
    assert code == 0 and "已新建 0 位客户" in err and "撞单跳过 2 行" in err
    assert len(created(repo)) == 3


def test_xlsx_with_title_row_numbers_and_serial_dates(repo, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet["A1"] = "2026 年客户登记表"
    sheet.merge_cells("A1:E1")
    sheet.append(["客户姓名", "手机", "登记日期", "客户经理", "客户来源"])
    sheet.append(["陈晨", 13700001111, 46085, "liuyang", "到店"])              # Excel serial for 2026-03-04
    sheet.append(["林琳", 13700002222.0, datetime(2026, 3, 5, 14, 30), "王丽", "展销会"])
    sheet.append(["周舟", "13700003333", "2026年3月6日 10:15", "刘洋", "地推"])
    path = tmp_path / "登记表.xlsx"
    book.save(path)
    code, out, err = kehu_import(repo, str(path), "--write", "--by", "sunmin")
    assert code == 0, out + err
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (repo.root / "records/customers/2026").glob("*.yaml")}
    joined = "\n".join(texts.values())
    assert "'13700001111'" in joined and "registered_at: 2026-03-04 00:00:00" in joined
    assert "registered_at: 2026-03-05 14:30:00" in joined and "channel: 展会" in joined
    assert "registered_at: 2026-03-06 10:15:00" in joined and "原登记来源：地推" in joined


def test_map_overrides_a_column(repo, tmp_path):
    sheet = write_csv(tmp_path / "a.csv", "utf-8", rows=[["陈晨", "13700001111", "2026-03-04", "刘洋"]],
                      header=["姓名", "电话", "登记日期", "接待顾问"])
    code, out, err = kehu_import(repo, str(sheet))
    assert code == 1 and "没有客户经理" in out
    code, out, err = kehu_import(repo, str(sheet), "--map", "接待顾问=owner")
    assert code == 0 and "将新建 第 2 行：陈晨" in out


def test_unreadable_files_exit_2(repo, tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a workbook")
    assert kehu_import(repo, str(bad))[0] == 2
    headless = write_csv(tmp_path / "h.csv", "utf-8", rows=[["1", "2"]], header=["甲", "乙"])
    code, out, err = kehu_import(repo, str(headless))
    assert code == 2 and "找不到表头" in err


def test_two_imports_at_once_get_distinct_ids(repo, tmp_path):
    sheets = []
    for n in range(2):
        rows = [[f"客{n}{i}", f"1370{n}00{i:04d}", "2026-03-04", "刘洋", "到店"] for i in range(5)]
        sheets.append(write_csv(tmp_path / f"s{n}.csv", "utf-8", rows=rows, header=["姓名", "电话", "登记日期", "业务员", "来源"]))
    processes = [subprocess.Popen([sys.executable, "-m", "kehu", "import", str(s), "--write", "--by", "sunmin", "--repo", str(repo.root),
                                   "--today", "2026-11-20"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for s in sheets]
    assert [p.wait() for p in processes] == [0, 0]
    files = created(repo)
    assert len(files) == 11 and len(set(files)) == 11
    names = sorted((repo.root / "records/customers/2026" / f).read_text(encoding="utf-8").split("name: ")[1].split("\n")[0]
                   for f in files if f != "C2026-0001.yaml")
    assert names == sorted(f"客{n}{i}" for n in range(2) for i in range(5))
