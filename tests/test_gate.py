"""The pull-request gate, tried as a hostile employee would (each attack a real branch in a
real git repository) and as an honest team would (each honest flow must pass)."""

from __future__ import annotations

import json
import os
import shutil

from conftest import PROJECT, kehu, pr_commit, pr_git, pr_on_main, pr_review

CUSTOMER = "records/customers/2026/C2026-0001.yaml"


def codes(document):
    return sorted(f["code"] for f in document["findings"])


def blocking(document):
    return sorted(f["code"] for f in document["findings"] if f["severity"] == "error" and f["state"] == "open"
                  and not f["excepted"] and f["new"] is not False)


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- identity and time come from the code host -------------------------------------------

def test_forged_commit_author_does_not_make_the_director(history):
    """wangli commits a visit to liuyang's customer as "孙敏 <sunmin@…>" (the director)."""
    history.visit(id="V2026-000002", at="2026-11-18 10:00:00", staff="wangli")
    pr_commit(history.root, "visit", author="sunmin")  # forged: the commit says sunmin
    status, document = pr_review(history, "--author", "gh-wangli")  # the code host says wangli
    assert status == 1 and codes(document) == ["K801"]
    # without the code host's word kehu believes the commit, and says it did so
    status, document = pr_review(history, trusted=False)
    assert status == 0 and codes(document) == ["K807"]
    assert document["findings"][0]["severity"] == "warning"


def test_back_dated_commit_does_not_beat_the_received_time(history):
    """A branch dated two weeks back registers a customer "before" the real arrival."""
    history.customer(id="C2026-0002", phone="13700002222", registered_at="2026-11-03 09:00:00")
    pr_commit(history.root, "new customer", when="2026-11-03T10:00:00+08:00")
    assert codes(pr_review(history, "--received-at", "2026-11-18T10:00:00+08:00")[1]) == ["K804"]
    assert codes(pr_review(history)[1]) == []  # the forged date is believed only without --received-at


# --- everything that judges is read at the merge base -------------------------------------

def test_the_branch_cannot_rewrite_the_schemas_and_policy_it_is_judged_by(history):
    shutil.copytree(PROJECT / "schemas", history.root / "schemas")
    pr_on_main(history, "schemas", author="sunmin")
    schema = history.root / "schemas/policy.schema.json"
    edit(schema, '"default": [\n        "市场总监"\n      ]', '"default": [\n        "市场总监",\n        "客户经理"\n      ]')
    history.write("records/policy.yaml", "reclaim_after_days: 60\nassigner_roles: [市场总监, 客户经理]\n")
    path = history.root / CUSTOMER
    text = path.read_text(encoding="utf-8").replace("owner: liuyang", "owner: wangli")
    path.write_text(text + "owner_history:\n  - {owner: wangli, from: 2026-11-18, by: wangli, reason: 自己分配}\n",
                    encoding="utf-8")
    pr_commit(history.root, "take it", author="wangli")
    status, document = pr_review(history)
    assert status == 1
    # judged by the base: wangli is no assigner, so the entry is no assignment (K303 on the record too)
    assert codes(document) == ["K303", "K801", "K802", "K805", "K805"]
    admin = {f["file"] for f in document["findings"] if f["code"] == "K805"}
    assert admin == {"schemas/policy.schema.json", "records/policy.yaml"}


def test_site_and_ci_files_are_admin_paths(history):
    history.write("mkdocs.yml", "site_name: x\nmarkdown_extensions: [pymdownx.snippets]\n")
    history.write("site/overrides/main.html", "{{ config.__class__ }}\n")
    history.write(".github/workflows/kehu.yml", "on: push\n")
    history.write("kehu.yaml", "site_name: 改名\n")
    pr_commit(history.root, "site tweaks")
    status, document = pr_review(history)
    assert status == 1 and codes(document) == ["K805"] * 4
    assert all(c["required_approvers"] == ["sunmin"] for c in document["changes"])
    assert pr_review(history, "--approved-by", "sunmin")[0] == 0


# --- paths no approval lets in (K808) --------------------------------------------------------

def test_a_committed_cache_is_refused_and_never_read(history):
    history.customer(id="C2026-0002", phone="1370000222", registered_at="2026-11-18 09:00:00")  # K101: one digit short
    history.write(".kehu-cache/check.json", '{"format": 3, "key": "forged"}\n{}\n{}\n')
    pr_commit(history.root, "all good, says the cache")
    status, document = pr_review(history, "--approved-by", "sunmin")
    # the director's approval does not let the cache in; the record rules still see the bad phone
    assert status == 1 and blocking(document) == ["K101", "K808"]
    code, out, _ = kehu("check", repo=history)
    assert code == 1 and "K101" in out  # the check in CI ignores the committed cache


def test_hiding_a_record_under_a_dot_name_is_a_deletion_and_forbidden(history):
    pr_git(history.root, "mv", CUSTOMER, "records/customers/2026/.C2026-0001.yaml")
    pr_commit(history.root, "hide it")
    status, document = pr_review(history, "--approved-by", "sunmin")
    assert status == 1 and "K803" in codes(document) and "K808" in codes(document)


def test_a_symlink_anywhere_is_forbidden(history):
    os.symlink("/etc/passwd", history.root / "records/customers/2026/C2026-0002.yaml")
    os.makedirs(history.root / "site/pages")
    os.symlink("../../records/customers/2026/C2026-0001.yaml", history.root / "site/pages/secret.md")
    pr_commit(history.root, "links")
    status, document = pr_review(history, "--approved-by", "sunmin")
    assert status == 1
    forbidden = sorted(f["file"] for f in document["findings"] if f["code"] == "K808")
    assert forbidden == ["records/customers/2026/C2026-0002.yaml", "site/pages/secret.md"]


def test_bak_files_and_wrong_folders_under_records(history):
    history.write("records/customers/2026/C2026-0001.yaml.bak", "id: C2026-0001\n")
    history.write("records/customers/C2026-0005.yaml", "id: C2026-0005\n")
    pr_commit(history.root, "stray files")
    status, document = pr_review(history, "--approved-by", "sunmin")
    assert status == 1 and codes(document).count("K808") == 2


# --- moves, renames and disposals --------------------------------------------------------

def test_renumbering_a_customer_is_a_deletion(history):
    pr_git(history.root, "mv", CUSTOMER, "records/customers/2026/C2026-0100.yaml")
    edit(history.root / "records/customers/2026/C2026-0100.yaml", "id: C2026-0001", "id: C2026-0100")
    pr_commit(history.root, "renumber", author="liuyang")
    status, document = pr_review(history)
    # the old number is deleted without a disposal, its visit now names nobody (K201), and
    # the "new" customer carries an old date
    assert status == 1 and codes(document) == ["K201", "K803", "K804"]
    assert {c["kind"] for c in document["changes"]} == {"added", "deleted"}


def test_moving_a_colleagues_visit_onto_ones_own_customer(history):
    history.customer(id="C2026-0002", phone="13700002222", owner="wangli", registered_at="2026-11-11 09:00:00")
    pr_on_main(history, "wangli's customer", author="wangli")
    # liuyang's visit V2026-000001 moved onto wangli's customer, by wangli
    edit(history.root / "records/visits/2026/11/V2026-000001.yaml", "customer: C2026-0001", "customer: C2026-0002")
    pr_commit(history.root, "mine now", author="wangli")
    status, document = pr_review(history)
    assert status == 1 and codes(document) == ["K801"]
    assert "刘洋" in document["findings"][0]["message"]
    assert pr_review(history, "--approved-by", "liuyang")[0] == 0


def test_moving_a_visit_needs_both_owners(history):
    history.customer(id="C2026-0002", phone="13700002222", owner="wangli", registered_at="2026-11-11 09:00:00")
    pr_on_main(history, "wangli's customer", author="wangli")
    edit(history.root / "records/visits/2026/11/V2026-000001.yaml", "customer: C2026-0001", "customer: C2026-0002")
    pr_commit(history.root, "move", author="zhouhui")
    status, document = pr_review(history, "--approved-by", "liuyang")
    assert status == 1 and codes(document) == ["K801"] and "王丽" in document["findings"][0]["message"]
    assert pr_review(history, "--approved-by", "liuyang,wangli")[0] == 0


def test_a_disposal_naming_the_director_needs_the_directors_approval(history):
    (history.root / "records/visits/2026/11/V2026-000001.yaml").unlink()
    history.write("records/disposals/2026/D2026-0001.yaml",
                  "id: D2026-0001\nrecords: [V2026-000001]\nreason: 录错了\napproved_by: [sunmin]\nat: 2026-11-18 10:00:00\n")
    pr_commit(history.root, "dispose", author="liuyang")
    status, document = pr_review(history)
    assert status == 1 and codes(document) == ["K803"] and "孙敏" in document["findings"][0]["message"]


# --- honest flows ------------------------------------------------------------------------------

def test_honest_visit_by_the_owner_passes_in_every_format(history):
    history.visit(id="V2026-000002", at="2026-11-18 10:00:00")
    pr_commit(history.root, "visit")
    for fmt in ("text", "json", "github"):
        code, out, err = kehu("review", "--base", "main", "--author", "liuyang", "--received-at",
                              "2026-11-18T10:05:00+08:00", "--format", fmt, repo=history)
        assert code == 0, (fmt, out, err)


def test_review_text_speaks_as_check_does(history):
    history.visit(id="V2026-000002", at="2026-11-18 10:00:00", staff="wangli")
    pr_commit(history.root, "visit", author="wangli")
    trusted = ("--base", "main", "--author", "wangli", "--received-at", "2026-11-18T10:05:00+08:00")
    code, out, _ = kehu("review", *trusted, repo=history)
    assert code == 1
    assert "K801 错误 [V2026-000002]" in out and " error " not in out
    assert "需任一人批准" in out and "无需他人批准" not in out
    code, out, _ = kehu("review", *trusted, "--format", "github", repo=history)
    assert code == 1
    assert out.startswith("::error file=records/visits/2026/11/V2026-000002.yaml,") and "title=K801::" in out


def test_policy_severity_applies_to_review_rules(history):
    history.write("records/policy.yaml", "reclaim_after_days: 60\nrules: {K801: warning}\n")
    pr_on_main(history, "policy", author="sunmin")
    history.visit(id="V2026-000002", at="2026-11-18 10:00:00", staff="wangli")
    pr_commit(history.root, "visit", author="wangli")
    status, document = pr_review(history)
    assert status == 0 and [f["severity"] for f in document["findings"]] == ["warning"]


# --- new findings only ------------------------------------------------------------------------

def old_problems_on_main(history):
    """Main already carries someone else's problems: a malformed phone and a late complaint."""
    history.customer(id="C2026-0002", phone="1370000222", owner="wangli", registered_at="2026-11-11 09:00:00")
    history.write("records/complaints/2026/T2026-0001.yaml",
                  "id: T2026-0001\ncustomer: C2026-0002\nreceived_at: 2026-11-11 10:00:00\nchannel: 电话\n"
                  "category: 工期\ndescription: 工期拖延\nhandler: zhouhui\nstatus: 受理\n")
    pr_on_main(history, "old problems", author="wangli")


def test_a_clean_pull_request_passes_on_a_repository_with_old_findings(history):
    old_problems_on_main(history)
    history.visit(id="V2026-000002", at="2026-11-18 10:00:00")
    pr_commit(history.root, "my visit")
    status, document = pr_review(history)
    assert status == 0 and codes(document) == []  # judged on the customer it touches
    code, out, _ = kehu("check", "--new-since", "main", "--format", "json", repo=history)
    assert code == 0, out
    findings = json.loads(out)["findings"]
    assert {f["code"] for f in findings} >= {"K101", "K501"} and all(f["new"] is False for f in findings)
    assert kehu("check", repo=history)[0] == 1  # on main, the full check still fails on them


def test_a_pull_request_that_adds_a_problem_fails_on_it_alone(history):
    old_problems_on_main(history)
    history.visit(id="V2026-000002", at="2026-11-18 10:00:00", customer="C2026-0009")  # no such customer
    pr_commit(history.root, "typo")
    status, document = pr_review(history)
    assert status == 1 and codes(document) == ["K201"] and document["findings"][0]["new"] is True
    code, out, _ = kehu("check", "--new-since", "main", "--format", "github", repo=history)
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "title=K201" in errors[0]


# --- exceptions (豁免) and finished work --------------------------------------------------------

SIGNED = "stage: 签约\nmilestones: {contract_signed: 2026-11-12}\n"


def test_an_exception_signed_by_a_waiver_role_excepts_the_finding(repo):
    path = repo.customer(extra="exceptions:\n  - {code: K603, reason: 客户拒填调查表，总监同意, by: sunmin, at: 2026-11-13}\n")
    path.write_text(path.read_text(encoding="utf-8").replace("stage: 咨询\n", "") + SIGNED, encoding="utf-8")
    status, out, _ = repo.check("--format", "json", "--select", "K603")

    [finding] = json.loads(out)["findings"]
    assert status == 0 and finding["excepted"] is True and finding["code"] == "K603"
    text = repo.check("--select", "K603")[1]
    assert "K603 错误（已豁免）" in text and "另有已豁免 1 个" in text


def test_an_exception_by_someone_without_the_role_or_expired_does_not_count(repo):
    path = repo.customer(extra="exceptions:\n  - {code: K603, reason: 自己批的, by: liuyang, at: 2026-11-13}\n"
                               "  - {code: K603, reason: 过期了, by: sunmin, at: 2026-01-01, until: 2026-06-30}\n")
    path.write_text(path.read_text(encoding="utf-8").replace("stage: 咨询\n", "") + SIGNED, encoding="utf-8")
    status, out, _ = repo.check("--format", "json", "--select", "K603")

    [finding] = json.loads(out)["findings"]
    assert status == 1 and finding["excepted"] is False


def test_adding_an_exception_needs_the_signers_approval(history):
    path = history.root / CUSTOMER
    path.write_text(path.read_text(encoding="utf-8")
                    + "exceptions:\n  - {code: K403, reason: 客户出国, by: sunmin, at: 2026-11-18}\n", encoding="utf-8")
    pr_commit(history.root, "waive my own visits", author="liuyang")
    status, document = pr_review(history)
    assert status == 1 and codes(document) == ["K805"] and "孙敏" in document["findings"][0]["message"]
    assert document["changes"][0]["required_approvers"] == ["sunmin"]
    assert pr_review(history, "--approved-by", "sunmin")[0] == 0


def test_a_complaint_closed_late_is_done_late_and_does_not_fail(repo):
    repo.write("records/complaints/2026/T2026-0001.yaml",
               "id: T2026-0001\ncustomer: C2026-0001\nreceived_at: 2026-11-02 10:00:00\nchannel: 电话\ncategory: 工期\n"
               "description: 工期拖延\nhandler: zhouhui\nstatus: 已解决\ninvestigation_started_at: 2026-11-09 09:00:00\n"
               "replied_at: 2026-11-09 10:00:00\nresolved_at: 2026-11-10 10:00:00\nresolution: 已赔付\n"
               "follow_up: {at: 2026-11-12 10:00:00, by: zhouhui, satisfied: true}\n")
    status, out, _ = repo.check("--format", "json", "--select", "K5")

    document = json.loads(out)
    assert status == 0 and {f["code"] for f in document["findings"]} == {"K501", "K502", "K503"}
    assert all(f["state"] == "done_late" for f in document["findings"]) and document["summary"]["done_late"] == 3


def test_unknown_approver_gets_a_did_you_mean_and_a_chinese_name_counts(history):
    history.visit(id="V2026-000002", at="2026-11-18 10:00:00", staff="wangli")
    pr_commit(history.root, "visit", author="wangli")
    code, _, err = kehu("review", "--base", "main", "--author", "wangli", "--received-at", "2026-11-18T10:05:00+08:00",
                        "--approved-by", "liuyagn", repo=history)
    assert code == 1 and "--approved-by" in err and "liuyang" in err
    assert pr_review(history, "--approved-by", "刘洋")[0] == 0


# --- imports -----------------------------------------------------------------------------------

def test_an_imported_legacy_row_passes_review_with_an_admins_approval(history, tmp_path):
    sheet = tmp_path / "2019客户登记表.csv"
    sheet.write_text("客户姓名,联系电话,客户来源,登记日期,客户经理\r\n陈晨,13812345678,到店,2019-03-05,liuyang\r\n",
                     encoding="utf-8")
    code, out, err = kehu("import", str(sheet), "--write", "--by", "刘洋", repo=history, today="2026-11-18")
    assert code == 0, out + err
    [path] = (history.root / "records/customers/2019").glob("C2019-*.yaml")
    text = path.read_text(encoding="utf-8")
    assert "imported:" in text and "file: 2019客户登记表.csv" in text and "row: 2" in text and "by: liuyang" in text
    pr_commit(history.root, "import 2019", author="liuyang")
    status, document = pr_review(history)
    # K804 until an admin approves (a 2019 customer also shows as reclaimable: K401/K403 warnings)
    assert status == 1 and blocking(document) == ["K804"]
    assert "孙敏" in next(f["message"] for f in document["findings"] if f["code"] == "K804")
    assert document["changes"][0]["required_approvers"] == ["sunmin"]
    assert pr_review(history, "--approved-by", "sunmin")[0] == 0
    # without `imported:` the same old date is back-dating, whoever approves
    path.write_text(text[:text.index("imported:")], encoding="utf-8")
    pr_commit(history.root, "drop the stamp", author="liuyang")
    assert blocking(pr_review(history, "--approved-by", "sunmin")[1]) == ["K804"]


def test_review_honours_max_file_kb(history):
    """A 3 MB "record" on a branch is not read into memory; review says it is not a record."""
    history.write("records/customers/2026/C2026-0002.yaml", "id: C2026-0002\nnotes: '" + "长" * 1_000_000 + "'\n")
    pr_commit(history.root, "huge")
    status, document = pr_review(history)
    [change] = document["changes"]
    assert status == 1 and "note" in change and codes(document) == ["K808"]  # refused, never parsed
    assert "1024 KB" in document["findings"][0]["message"]
