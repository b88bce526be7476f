"""`kehu codeowners`: generated from the records, refused over hand-written files, checkable."""

from __future__ import annotations

from conftest import STAFF, kehu


def codeowners(repo, *args):
    code, _, err = kehu("codeowners", *args, repo=repo)
    return code, err


def with_handles(repo):
    for staff_id, (name, role, dept) in STAFF.items():
        repo.staff(staff_id, name, role, dept, extra=f"git:\n  handle: gh-{staff_id}\n")


def test_owner_lines_and_admin_lines(repo):
    with_handles(repo)
    repo.customer(id="C2026-0002", phone="13700002222", owner="pool", registered_by="liuyang",
                  extra="owner_history:\n  - {owner: pool, from: 2026-11-15, by: sunmin}\n")
    code, err = codeowners(repo)
    assert code == 0, err
    lines = (repo.root / ".github/CODEOWNERS").read_text(encoding="utf-8").splitlines()
    assert "/records/ @gh-sunmin" in lines
    assert "/records/customers/2026/C2026-0001.yaml @gh-liuyang @gh-sunmin" in lines
    assert "/records/visits/2026/11/V2026-000001.yaml @gh-liuyang @gh-sunmin" in lines
    assert "/records/customers/2026/C2026-0002.yaml @gh-sunmin" in lines  # pool: the assigners
    # admin paths come last: on GitHub the last matching pattern wins
    assert lines[-3:] == ["/records/policy.yaml @gh-sunmin", "/records/staff/ @gh-sunmin", "/schemas/ @gh-sunmin"]


def test_check_fails_when_stale_and_passes_when_fresh(repo):
    with_handles(repo)
    assert codeowners(repo, "--check")[0] == 1
    assert codeowners(repo)[0] == 0
    assert codeowners(repo, "--check")[0] == 0
    # a new customer has no line yet: it falls under the /records/ default, still correct
    repo.customer(id="C2026-0002", phone="13700002222", owner="wangli", registered_by="wangli")
    code, err = codeowners(repo, "--check")
    assert code == 0 and "1 个新记录文件" in err
    # an owner change makes a line wrong: stale
    path = repo.root / "records/customers/2026/C2026-0001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("owner: liuyang", "owner: wangli"), encoding="utf-8")
    code, err = codeowners(repo, "--check")
    assert code == 1 and "过期" in err and "C2026-0001.yaml" in err


def test_gitlab_target_and_hand_written_file_is_not_overwritten(repo):
    with_handles(repo)
    assert codeowners(repo, "--gitlab")[0] == 0
    assert (repo.root / ".gitlab/CODEOWNERS").is_file()
    repo.write(".github/CODEOWNERS", "* @someone\n")
    code, err = codeowners(repo)
    assert code == 2 and (repo.root / ".github/CODEOWNERS").read_text(encoding="utf-8") == "* @someone\n"
