"""Random and mutated input never produces a traceback or a hang (a short run; the long one
is bench/fuzz.py)."""

from __future__ import annotations

import os
import time
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.check import Settings, run_check
from kehu.load.yamlfile import decode, parse

VALID = """id: C2026-0009
name: 李强
phones: ['13700001111']
source: {channel: 电话}
grade: C
stage: 咨询
owner: liuyang
registered_at: 2026-05-01 09:00:00
registered_by: liuyang
owner_history:
  - {owner: liuyang, from: 2026-05-01, by: sunmin}
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
