"""`kehu export` and `kehu new`: masked spreadsheets, next free ids, no overwrite, no race."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

from openpyxl import load_workbook

from conftest import git, kehu, only


def run(repo, *args, stdin=""):
    return kehu(*args, repo=repo, stdin=stdin)


def test_export_csv_is_masked_and_opens_in_excel(repo, tmp_path):
    repo.customer(id="C2026-0002", name="钱机", phone="13700002222", extra="confidentiality: 机密\n")
    repo.customer(id="C2026-0003", name="赵秘", phone="13700003333", extra="confidentiality: 绝密\n")
    target = tmp_path / "客户.csv"
    code, out, err = run(repo, "export", "--format", "csv", "--out", str(target))
    assert code == 0, err
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][:3] == ["编号", "客户姓名", "联系电话"]
    by_id = {row[0]: row for row in table[1:]}
    assert set(by_id) == {"C2026-0001", "C2026-0002"}
    assert by_id["C2026-0001"][1] == "王芳" and by_id["C2026-0001"][2] == "139****2231"
    assert by_id["C2026-0002"][1] == "" and "13700002222" not in raw.decode("utf-8-sig")


def test_export_full_xlsx_and_no_overwrite(repo, tmp_path):
    target = tmp_path / "all.xlsx"
    assert run(repo, "export", "--full", "--out", str(target))[0] == 0
    sheet = load_workbook(target)["客户"]
    assert sheet["C2"].value == "13916052231" and sheet.freeze_panes == "B2"
    assert run(repo, "export", "--out", str(target))[0] == 2


def test_export_without_out_goes_to_exports_which_git_never_commits(repo):
    git(repo.root, "init", "-q")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "records")
    code, out, err = run(repo, "export")
    target = repo.root / "_exports" / "客户导出-2026-11-20.xlsx"
    assert code == 0, err
    assert f"已导出 1 位客户到 {target}（已打码；_exports/ 不进 git）" in err
    assert load_workbook(target)["客户"]["B2"].value == "王芳"
    code, out, err = run(repo, "export", "--format", "csv", "--lang", "en")
    assert f"exported 1 customers to {repo.root / '_exports' / '客户导出-2026-11-20.csv'} (masked; git ignores _exports/)" in err
    # a second export the same day gets its own file; the first is left as it was
    first = target.read_bytes()
    code, out, err = run(repo, "export")
    assert code == 0 and str(repo.root / "_exports" / "客户导出-2026-11-20-2.xlsx") in err
    assert target.read_bytes() == first
    git(repo.root, "add", "-A")
    assert git(repo.root, "status", "--porcelain") == ""  # one `git add -A` commits no customer data
    assert sorted(p.name for p in repo.root.iterdir()) == [".git", "_exports", "kehu.yaml", "records"]


def test_export_out_inside_records_is_refused(repo, tmp_path):
    for out in (repo.root / "records" / "客户.xlsx", repo.root / "records/customers/2026/客户.xlsx"):
        code, out_text, err = run(repo, "export", "--out", str(out))
        assert code == 2 and not out.exists()
        assert f"{out} 在记录目录 records/ 里，未写入：客户表格不能和记录放在一起" in err
    link = tmp_path / "shortcut"
    link.symlink_to(repo.root / "records" / "customers")   # the same folder by another name
    code, out_text, err = run(repo, "export", "--format", "csv", "--out", str(link / "x.csv"), "--lang", "en")
    assert code == 2 and "is inside records/; nothing written" in err
    assert not (repo.root / "records/customers/x.csv").exists()


def test_export_out_elsewhere_in_the_repository_is_written_with_a_note(repo):
    target = repo.root / "客户.csv"
    code, out, err = run(repo, "export", "--format", "csv", "--out", str(target))
    assert code == 0 and target.exists()
    assert f"注意：{target} 在记录仓库里：提交前别让 git add 把它带进去" in err


def test_new_customer_gets_the_next_id_and_passes_check(repo):
    code, out, err = run(repo, "new", "customer", "--name", "李四", "--phone", "138 1111 2222", "--channel", "到店",
                          "--grade", "B", "--registered-by", "wangli")
    assert code == 0, err
    assert out.strip() == "C2026-0002"
    text = (repo.root / "records/customers/2026/C2026-0002.yaml").read_text(encoding="utf-8")
    assert "owner: wangli" in text and "  - '138 1111 2222'" in text
    assert repo.check()[0] == 0


def test_new_customer_refuses_a_colliding_phone(repo):
    code, out, err = run(repo, "new", "customer", "--name", "王芳", "--phone", "+86 139-1605-2231", "--channel", "电话",
                          "--grade", "C", "--registered-by", "wangli")
    assert code == 1 and "C2026-0001" in err and "刘洋" in err
    assert not (repo.root / "records/customers/2026/C2026-0002.yaml").exists()


def test_new_visit_and_complaint_and_bad_values(repo):
    code, out, err = run(repo, "new", "visit", "--customer", "C2026-0001", "--staff", "liuyang", "--type", "上门",
                          "--summary", "量房：客厅 32 ㎡")
    assert code == 0 and out.strip() == "V2026-000002"
    code, out, err = run(repo, "new", "complaint", "--customer", "C2026-0001", "--channel", "电话", "--category", "工期",
                          "--description", "开工推迟", "--handler", "zhouhui")
    assert code == 0 and out.strip() == "T2026-0001"
    assert not only(repo.findings(), "K101")
    code, out, err = run(repo, "new", "visit", "--customer", "C2026-0001", "--staff", "liuyang", "--type", "散步",
                          "--summary", "x")
    assert code == 1 and "type" in err
    assert run(repo, "new", "visit", "--customer", "C2026-0001")[0] == 2  # not interactive: says what is missing


def test_two_writers_at_once_never_share_an_id(repo):
    commands = [[sys.executable, "-m", "kehu", "new", "visit", "--repo", str(repo.root), "--today", "2026-11-20",
                 "--customer", "C2026-0001", "--staff", "liuyang", "--type", "电话", "--summary", f"并发 {n}"]
                for n in range(6)]
    processes = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    ids = [p.communicate()[0].strip() for p in processes]
    assert all(p.returncode == 0 for p in processes)
    assert len(set(ids)) == 6
    folder = repo.root / "records/visits/2026/11"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
        ["V2026-000001.yaml"] + [f"{i}.yaml" for i in ids])
    summaries = sorted((folder / f"{i}.yaml").read_text(encoding="utf-8").split("summary: ")[1].strip() for i in ids)
    assert summaries == [f"并发 {n}" for n in range(6)]


def test_new_customer_asks_for_missing_fields_on_a_terminal(repo):
    import os
    import pty

    primary, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "kehu", "new", "customer", "--repo", str(repo.root),
                                "--today", "2026-11-20"], stdin=secondary, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    # name, phone, channel (from the schema's choices: a wrong one is asked again), grade, registered-by
    os.write(primary, "王五\n13811113333\n路过\n到店\nB\nliuyang\n".encode("utf-8"))
    out, err = process.communicate(timeout=60)
    os.close(primary)
    os.close(secondary)
    assert process.returncode == 0, err
    assert out.strip() == "C2026-0002"
    text = (repo.root / "records/customers/2026/C2026-0002.yaml").read_text(encoding="utf-8")
    assert "name: 王五" in text and "channel: 到店" in text and "registered_by: liuyang" in text
