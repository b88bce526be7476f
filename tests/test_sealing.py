"""Sealed records (issue 18): values sealed with real age keys made here, a clone that holds
only ciphertext, readers who can open it, and hostile sealed values that give findings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pyrage import x25519

from conftest import STAFF
from kehu import sealing

SECRET_PHONE = "13916052231"
SECRET_NAME = "诸葛青云"
FILE = "records/customers/2026/C2026-0001.yaml"


class Keys:
    """An age identity per staff member and one for CI, written to files like age-keygen's."""

    def __init__(self, folder):
        self.folder = folder
        folder.mkdir(exist_ok=True)
        self.identity = {who: x25519.Identity.generate() for who in (*STAFF, "ci", "stranger")}

    def public(self, who: str) -> str:
        return str(self.identity[who].to_public())

    def file(self, who: str):
        path = self.folder / f"{who}.txt"
        path.write_text(f"# created: 2026-11-20\n# public key: {self.public(who)}\n{self.identity[who]}\n")
        return path


@pytest.fixture
def keys(tmp_path) -> Keys:
    return Keys(tmp_path / "keys")


@pytest.fixture
def sealed_repo(repo, keys):
    """The fixture repository with sealing on: every staff member has a key, the customer is 机密."""
    for staff_id, (name, role, dept) in STAFF.items():
        repo.staff(staff_id, name, role, dept, extra=f"age_recipient: {keys.public(staff_id)}\n")
    repo.write("records/policy.yaml", f"reclaim_after_days: 60\nsealing:\n  ci_recipient: {keys.public('ci')}\n")
    repo.customer(name=SECRET_NAME, phone=SECRET_PHONE, extra="confidentiality: 机密\nnotes: 客户周末才有空\n")
    return repo


def run_as(who, keys, *args, repo, today="2026-11-20"):
    env = dict(os.environ)
    env.pop(sealing.IDENTITY_ENV, None)
    if who is not None:
        env[sealing.IDENTITY_ENV] = str(keys.file(who))
    extra = ["--repo", str(repo.root), *(["--today", today] if today else [])]
    done = subprocess.run([sys.executable, "-m", "kehu", *args, *extra], capture_output=True, text=True, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


# --- the core: seal, recognise, open --------------------------------------------------------

def test_a_sealed_value_is_one_yaml_string_that_opens_only_for_its_recipients(keys):
    sealed = sealing.seal(["13916052231"], [keys.public("ci"), keys.public("liuyang")], "C2026-0001", "phones")
    assert sealing.is_sealed(sealed) and "\n" not in sealed
    assert SECRET_PHONE not in sealed
    import re

    assert re.fullmatch(sealing.SEALED_PATTERN, sealed)
    opened = sealing.open_value(sealed, [keys.identity["liuyang"]])
    assert opened.value == ["13916052231"] and opened.record_id == "C2026-0001" and opened.field == "phones"
    assert sorted(opened.to) == sorted([keys.public("ci"), keys.public("liuyang")])
    assert sealing.stanzas(sealed) == ["X25519", "X25519"]
    with pytest.raises(sealing.Unreadable) as stranger:
        sealing.open_value(sealed, [keys.identity["stranger"]])
    assert not stranger.value.malformed
    with pytest.raises(sealing.Unreadable) as broken:
        sealing.open_value("age:v1:bm90IGFuIGFnZSBmaWxl", [keys.identity["liuyang"]])
    assert broken.value.malformed


def test_policy_says_which_fields_and_whom(sealed_repo, keys):
    from conftest import TODAY
    from kehu.check import prepare

    repo = prepare(sealed_repo.root, TODAY)
    customer = repo.ids("customer")["C2026-0001"]
    wanted = sealing.demand(repo, customer)
    assert set(wanted.fields) == {"name", "phones", "notes"}  # of 机密's defaults, the ones it has
    assert wanted.recipients[0] == keys.public("ci")  # CI first: it opens the most values
    assert set(wanted.recipients) == {keys.public(w) for w in ("ci", "liuyang", "sunmin")}  # owner + 市场总监
    assert wanted.missing == ()


def test_schemas_accept_a_sealed_string_only_where_a_field_is_sealable(sealed_repo, keys):
    sealed = sealing.seal("B", [keys.public("ci")], "C2026-0001", "grade")
    text = (sealed_repo.root / FILE).read_text().replace("grade: B", f"grade: {sealed}")
    sealed_repo.write(FILE, text)
    findings = sealed_repo.run("K101")
    assert [f["code"] for f in findings] == ["K101"]  # grade is not sealable: the rules need it
    district = sealing.seal("闵行区", [keys.public("ci")], "C2026-0001", "district")
    text = text.replace(f"grade: {sealed}", "grade: B").replace("district: 闵行区", f"district: {district}")
    sealed_repo.write(FILE, text)
    assert sealed_repo.run("K101") == []
