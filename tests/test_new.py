"""Whom `kehu new`, `kehu pool` and `kehu import` accept: real staff (typed as id, email,
handle or Chinese name), real customers, people still at work; and one phone, one customer,
however many run at once."""

from __future__ import annotations

import subprocess
import sys

from conftest import git, kehu

CUSTOMER_FILE = "records/customers/2026/C2026-0001.yaml"
NEW_FILE = "records/customers/2026/C2026-0002.yaml"


def run(repo, *args):
    return kehu(*args, repo=repo)


def new_customer(repo, *args, phone="13812345678"):
    return run(repo, "new", "customer", "--name", "李四", "--phone", phone, "--channel", "到店", "--grade", "B", *args)


def with_director(repo):
    repo.staff("zhaomin", "赵敏", "市场总监", "市场推广中心",
               extra="git:\n  emails: [zhaomin@hzdecor.cn]\n  handle: zhaomin-hz\n")
    repo.staff("zhaoqiang", "赵强", "客户经理", active=False, extra="left: 2026-05-06\n")


def customer_files(repo):
    return sorted(p.name for p in (repo.root / "records/customers/2026").iterdir() if not p.name.startswith("."))


def test_unknown_staff_is_refused_with_a_suggestion_and_nothing_is_written(repo):
    code, out, err = new_customer(repo, "--registered-by", "wangly")
    assert code == 1
    assert "--registered-by：没有员工 wangly；是不是 wangli（王丽）？" in err
    code, out, err = new_customer(repo, "--registered-by", "王莉", "--lang", "en")  # same pinyin as 王丽
    assert code == 1 and "--registered-by: no staff member 王莉; did you mean wangli (王丽)?" in err
    code, out, err = new_customer(repo, "--registered-by", "wangli", "--owner", "nobody")
    assert code == 1 and "--owner：没有员工 nobody" in err
    assert customer_files(repo) == ["C2026-0001.yaml"]


def test_a_name_email_or_handle_is_accepted_and_written_as_the_staff_id(repo):
    with_director(repo)
    code, out, err = new_customer(repo, "--registered-by", "王丽")
    assert code == 0, err
    text = (repo.root / NEW_FILE).read_text(encoding="utf-8")
    assert "registered_by: wangli" in text and "owner: wangli" in text and "王丽" not in text
    code, out, err = run(repo, "new", "visit", "--customer", "C2026-0002", "--staff", "@zhaomin-hz", "--type", "电话",
                          "--summary", "确认量房时间")
    assert code == 0, err
    assert "staff: zhaomin" in (repo.root / "records/visits/2026/11" / f"{out.strip()}.yaml").read_text(encoding="utf-8")
    assert repo.check("--select", "K1,K2,K3")[0] == 0


def test_unknown_customer_is_refused_with_the_nearest_id(repo):
    code, out, err = run(repo, "new", "visit", "--customer", "C2026-0010", "--staff", "liuyang", "--type", "电话",
                          "--summary", "回访")
    assert code == 1 and "--customer：没有客户 C2026-0010；是不是 C2026-0001？" in err
    code, out, err = run(repo, "new", "complaint", "--customer", "C2099-7777", "--channel", "电话", "--category", "工期",
                          "--description", "开工推迟", "--handler", "zhouhui", "--lang", "en")
    assert code == 1 and "--customer: no customer C2099-7777" in err
    assert sorted(p.name for p in (repo.root / "records/visits").rglob("*.yaml")) == ["V2026-000001.yaml"]
    assert not (repo.root / "records/complaints").exists()


def test_someone_who_has_left_cannot_take_a_new_customer_or_complaint(repo):
    with_director(repo)
    code, out, err = new_customer(repo, "--registered-by", "liuyang", "--owner", "赵强")
    assert code == 1 and "--owner：赵强（zhaoqiang）已离职（2026-05-06）" in err and "在职" in err
    code, out, err = run(repo, "new", "complaint", "--customer", "C2026-0001", "--channel", "电话", "--category", "工期",
                          "--description", "开工推迟", "--handler", "zhaoqiang", "--lang", "en")
    assert code == 1 and "--handler: 赵强 (zhaoqiang) has left (2026-05-06); choose an active staff member" in err
    assert customer_files(repo) == ["C2026-0001.yaml"] and not (repo.root / "records/complaints").exists()


def test_eight_registrations_of_one_phone_at_once_create_one_customer(repo):
    command = [sys.executable, "-m", "kehu", "new", "customer", "--repo", str(repo.root), "--today", "2026-11-20",
               "--name", "李四", "--phone", "13912345678", "--channel", "到店", "--grade", "B", "--registered-by"]
    people = ["liuyang", "wangli"] * 4
    processes = [subprocess.Popen(command + [who], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for who in people]
    results = [(p.wait(), p.stderr.read()) for p in processes]
    assert sorted(code for code, _ in results) == [0] + [1] * 7
    assert all("撞单" in err and "C2026-0002" in err for code, err in results if code == 1)
    assert customer_files(repo) == ["C2026-0001.yaml", "C2026-0002.yaml"]
    assert not [p for p in (repo.root / "records").rglob(".*")]  # no temporary or lock file among the records


def test_an_import_and_kehu_new_at_once_register_a_phone_once(repo, tmp_path):
    sheet = tmp_path / "登记表.csv"
    rows = [f"客{i},1370000{i:04d},2026-03-04,刘洋" for i in range(20)]
    sheet.write_text("\n".join(["姓名,电话,登记日期,业务员", *rows]) + "\n", encoding="utf-8")
    base = ["--repo", str(repo.root), "--today", "2026-11-20"]
    processes = [subprocess.Popen([sys.executable, "-m", "kehu", "import", str(sheet), "--write", "--by", "sunmin", *base],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
    processes += [subprocess.Popen([sys.executable, "-m", "kehu", "new", "customer", *base, "--name", "客19",
                                    "--phone", "13700000019", "--channel", "到店", "--grade", "B",
                                    "--registered-by", "wangli"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for _ in range(3)]
    for process in processes:
        process.wait()
    holders = [p for p in (repo.root / "records/customers").rglob("C*.yaml") if "13700000019" in p.read_text(encoding="utf-8")]
    assert len(holders) == 1
    assert len(customer_files(repo)) == 1 + 20


def test_the_lock_lives_where_git_cannot_track_it(repo):
    git(repo.root, "init", "-q")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "start")
    assert new_customer(repo, "--registered-by", "wangli")[0] == 0
    assert git(repo.root, "status", "--porcelain", "--untracked-files=all").split() == ["??", NEW_FILE]
    assert (repo.root / ".git" / "kehu.lock").exists()


def test_import_rejects_unknown_and_departed_owners_with_a_suggestion(repo, tmp_path):
    with_director(repo)
    sheet = tmp_path / "登记表.csv"
    sheet.write_text("姓名,电话,登记日期,业务员\n陈晨,13700001111,2026-03-04,王俐\n林琳,13700002222,2026-03-05,赵强\n"
                     "周舟,13700003333,2026-03-06,zhaomin@hzdecor.cn\n", encoding="utf-8")
    code, out, err = run(repo, "import", str(sheet), "--write", "--by", "sunmin")
    assert code == 1
    assert "拒绝 登记表.csv 第 2 行：客户经理：没有员工 王俐；是不是 wangli（王丽）？" in out
    assert "拒绝 登记表.csv 第 3 行：客户经理：赵强（zhaoqiang）已离职（2026-05-06），不能再接手" in out
    assert "新建 C2026-0002 ← 第 4 行：周舟" in out
    assert "owner: zhaomin" in (repo.root / NEW_FILE).read_text(encoding="utf-8")
    assert customer_files(repo) == ["C2026-0001.yaml", "C2026-0002.yaml"]


def test_pool_by_a_mistyped_name_suggests_the_staff_id(repo):
    with_director(repo)
    before = (repo.root / CUSTOMER_FILE).read_text(encoding="utf-8")
    code, out, err = run(repo, "pool", "--release", "C2026-0001", "--by", "赵敏x")
    assert code == 1 and "--by：没有员工 赵敏x；是不是 zhaomin（赵敏）？" in err
    code, out, err = run(repo, "pool", "--release", "C2026-0001", "--by", "zhaomni", "--lang", "en")
    assert code == 1 and "--by: no staff member zhaomni; did you mean zhaomin (赵敏)?" in err
    code, out, err = run(repo, "pool", "--assign", "C2026-0001", "--to", "赵强", "--by", "赵敏")
    assert code == 1 and "--to：赵强（zhaoqiang）已离职" in err
    assert (repo.root / CUSTOMER_FILE).read_text(encoding="utf-8") == before


def test_pool_takes_the_chinese_name_and_writes_the_staff_id(repo):
    with_director(repo)
    code, out, err = run(repo, "pool", "--assign", "C2026-0001", "--to", "王丽", "--by", "赵敏", "--reason", "调整")
    assert code == 0, err
    text = (repo.root / CUSTOMER_FILE).read_text(encoding="utf-8")
    assert "owner: wangli\n" in text and "by: zhaomin\n" in text and "赵敏" not in text
    assert repo.check("--select", "K2,K3")[0] == 0


def test_new_and_import_write_date_like_and_multi_line_text_so_it_reads_back_as_typed(repo, tmp_path):
    import yaml

    code, _, err = kehu("new", "customer", "--name", "陈晨", "--phone", "13700004444", "--channel", "到店",
                        "--grade", "B", "--owner", "liuyang", "--registered-by", "liuyang", "--community", "2026-11-20",
                        repo=repo)
    assert code == 0, err
    sheet = tmp_path / "登记表.csv"
    sheet.write_text('姓名,电话,登记日期,客户经理,备注\n林琳,13700005555,2026-03-05,liuyang,"第一行\n第二行"\n',
                     encoding="utf-8")
    code, _, err = kehu("import", str(sheet), "--write", "--by", "sunmin", repo=repo)
    assert code == 0, err
    written = {}
    for path in (repo.root / "records/customers/2026").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        written[data["name"]] = data
    assert written["陈晨"]["community"] == "2026-11-20" and written["林琳"]["notes"].startswith("第一行\n第二行")
    assert not [f for f in repo.findings() if f["code"] == "K101"]
