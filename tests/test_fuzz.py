"""Random and mutated input never produces a traceback or a hang (a short run; the long one
is bench/fuzz.py)."""

from __future__ import annotations

import os
import time
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CUSTOMER_C0009
from kehu.check import Settings, run_check
from kehu.load.yamlfile import decode, parse

VALID = CUSTOMER_C0009 + """\
owner_history:
  - {owner: wangli, from: 2026-05-01, by: sunmin}
milestones: {first_consult: 2026-05-01, contract_signed: 2026-06-01}
"""
YAML_BITS = st.sampled_from(["\n", ": ", "- ", "'", '"', "{", "}", "[", "]", "&a ", "*a", "!!", "\t", "#", "---\n",
                             "? ", "|", ">", "%", "@", "\ufeff", "\x00", "no", "13800138000", "2026-02-30", "~", "<<: *a"])
EXAMPLES = int(os.environ.get("KEHU_FUZZ_EXAMPLES", "300"))  # bench/fuzz.py raises it to 20,000
FIELD_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                         st.text(max_size=30), st.lists(st.text(max_size=5), max_size=3),
                         st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))


def mutate(text: str, cuts: list[tuple[int, str]]) -> str:
    for position, bit in cuts:
        at = position % (len(text) + 1)
        text = text[:at] + bit + text[at:]
    return text


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_load_or_fail_cleanly(raw):
    started = time.perf_counter()
    text, problem = decode(raw)
    if text is not None:
        parsed = parse(text)
        assert parsed.data is not None or parsed.problems
    assert time.perf_counter() - started < 5


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), YAML_BITS), max_size=6))
def test_mutated_records_parse_or_give_problems(cuts):
    parsed = parse(mutate(VALID, cuts))
    assert parsed.data is not None or parsed.problems[0].code in ("K001", "K003")


@settings(max_examples=max(40, EXAMPLES // 100), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["name", "phones", "grade", "stage", "owner", "registered_at", "house", "milestones",
                                        "owner_history", "survey", "locked", "contract", "source", "notes"]),
                       FIELD_VALUES, max_size=5))
def test_rules_survive_any_record_shape(repo, changes):
    lines = [line for line in VALID.splitlines() if line.split(":")[0] not in changes]
    import json

    body = "\n".join(lines) + "\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in changes.items())
    repo.write("records/customers/2026/C2026-0009.yaml", body)
    result = run_check(Settings(repo.root, date(2026, 11, 20)))
    assert not [f for f in result.findings if "运行出错" in f.message.zh], result.findings


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)


@settings(max_examples=max(20, EXAMPLES // 200), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=TEXT, community=TEXT, notes=TEXT, summary=TEXT)
def test_site_pages_escape_any_text(repo, tmp_path_factory, name, community, notes, summary):
    """Any name, 小区, note or visit summary becomes text on the pages, never markup."""
    import json as _json

    from kehu.check import prepare
    from kehu.site.pages import generate

    quoted = {k: _json.dumps(v, ensure_ascii=False) for k, v in
              (("name", name), ("community", community), ("notes", notes), ("summary", summary))}
    repo.write("records/customers/2026/C2026-0009.yaml", VALID.replace("name: 李强", f"name: {quoted['name']}")
               + f"community: {quoted['community']}\nnotes: {quoted['notes']}\n")
    repo.write("records/visits/2026/11/V2026-000009.yaml",
               f"id: V2026-000009\ncustomer: C2026-0009\nat: 2026-11-12 10:00:00\nstaff: liuyang\ntype: 电话\n"
               f"summary: {quoted['summary']}\n")
    out = tmp_path_factory.mktemp("pages")
    repository = prepare(repo.root, date(2026, 11, 20))
    generate(repository, [], out, full=False)
    from kehu.markdown import esc

    page_file = out / "customers" / "C2026-0009.md"
    customer = repository.ids("customer").get("C2026-0009")
    if customer is None or not customer.valid:
        return  # unreadable (K001: YAML refuses control characters) or invalid (K101): no page
    body = page_file.read_text(encoding="utf-8").split("---", 2)[-1]
    # compare with the values as YAML read them (a double-quoted "\x85" is a line break, read as a space)
    assert esc(customer.data["name"]) in body
    visit = repository.ids("visit").get("V2026-000009")
    if visit is not None and visit.valid:
        assert esc(visit.data["summary"]) in body
    # the page itself writes no HTML, so any '<' would have come from a record value
    assert "<" not in body


@settings(max_examples=max(10, EXAMPLES // 1000), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(["records/customers/2026/C2026-0001.yaml",
                                                  "records/visits/2026/11/V2026-000001.yaml",
                                                  "records/staff/liuyang.yaml", "records/policy.yaml",
                                                  "records/customers/2026/C2026-0077.yaml", "docs/x.bin"]),
                                 st.binary(max_size=120) | st.text(max_size=120)), min_size=1, max_size=4))
def test_review_survives_any_change(repo, tmp_path_factory, edits):
    """Whatever a branch does to the files, kehu review answers without a traceback."""
    import shutil
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("review") / "r"
    shutil.copytree(repo.root, root)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, env=env,
                       check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("checkout", "-q", "-b", "change")
    for path, content in edits:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if content == "":
            target.unlink(missing_ok=True)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    git("add", "-A")
    git("commit", "-q", "--allow-empty", "-m", "change")
    run = subprocess.run([sys.executable, "-m", "kehu", "review", "--repo", str(root), "--base", "main",
                          "--today", "2026-11-20", "--format", "json"], capture_output=True, text=True, timeout=60)
    assert run.returncode in (0, 1), run.stderr
    assert "Traceback" not in run.stderr
