"""The fast validator and jsonschema (the authority) agree on what is valid.

kehu asks fastjsonschema first and jsonschema only for records the fast path rejects; a
record the fast path wrongly passed would lose its K101, so they must agree everywhere.
"""

from __future__ import annotations

import copy

import pytest
import yaml

from conftest import PROJECT
from kehu.load.yamlfile import YamlTime, parse
from kehu.validate import Schemas

SCHEMAS = Schemas(PROJECT / "schemas")

CUSTOMER = parse("""\
id: C2025-0042
name: 王芳
phones: ['13916052231', '+86 139-1605-2231', '021-64381234']
gender: 女
district: 闵行区
community: 万科城市花园
address: 闵行区七莘路3333弄12号601室
source: {channel: 老客户介绍, referrer: C2024-0007, intermediary: false}
house: {type: 别墅, area_sqm: 260, condition: 毛坯}
budget_wan: 80
style: 新中式
grade: A
stage: 签约
owner: liuyang
designer: chenjing
registered_at: 2025-03-04 10:30:00
registered_by: liuyang
confidentiality: 机密
milestones: {first_consult: 2025-03-04, deposit_paid: 2025-03-20, contract_signed: 2025-04-10}
contract: {amount_wan: 76.5, signed_at: 2025-04-10}
survey: {household_size: 4, age_range: 35-45, occupation: 教师, decision_maker: 本人, heard_from: 朋友,
         priorities: [环保, 收纳], filled_by: chenjing, filled_at: 2025-04-10}
owner_history: [{owner: liuyang, from: 2025-03-04, by: sunmin, reason: 首次分配}]
locked: true
tags: [老客户, 别墅]
notes: 客户希望春节前完工
""").data

VISIT = parse("""\
id: V2025-000123
customer: C2025-0042
at: '2025-03-05T14:00:00+08:00'
staff: liuyang
type: 满意度调查
summary: 回访满意
next_contact: 2025-04-01
customer_confirmed: true
satisfaction: 5
counts_as_sales_action: false
""").data

WRONG = [None, 0, 7.5, True, False, "", "x" * 300, [], {}, ["x"], {"a": 1}, YamlTime("2026-03-04"), "C2025-0042", "pool"]


def mutations(document: dict):
    for key in list(document):
        shorter = copy.deepcopy(document)
        del shorter[key]
        yield shorter
        for value in WRONG:
            changed = copy.deepcopy(document)
            changed[key] = value
            yield changed
        if isinstance(document[key], dict):
            for inner in mutations(document[key]):
                changed = copy.deepcopy(document)
                changed[key] = inner
                yield changed
        if isinstance(document[key], list) and document[key] and isinstance(document[key][0], dict):
            for inner in mutations(document[key][0]):
                changed = copy.deepcopy(document)
                changed[key] = [inner]
                yield changed
    extra = copy.deepcopy(document)
    extra["unexpected"] = 1
    yield extra


@pytest.mark.parametrize("kind,document", [("customer", CUSTOMER), ("visit", VISIT)])
def test_fast_and_full_validators_agree(kind, document):
    assert not list(SCHEMAS.validators[kind].iter_errors(document))
    SCHEMAS.fast[kind](document)
    checked = 0
    for mutated in mutations(document):
        full = bool(list(SCHEMAS.validators[kind].iter_errors(mutated)))
        try:
            SCHEMAS.fast[kind](mutated)
            fast = False
        except Exception:
            fast = True
        assert fast == full, mutated
        checked += 1
    assert checked > 100


def test_vocabularies_come_from_the_schemas():
    common = yaml.safe_load((PROJECT / "schemas" / "common.schema.json").read_text(encoding="utf-8"))
    assert SCHEMAS.vocabulary("grade") == common["$defs"]["grade"]["enum"] == ["A", "B", "C", "D"]
    assert "公海" not in SCHEMAS.vocabulary("stage")


def test_policy_defaults_come_from_the_policy_schema():
    defaults = SCHEMAS.policy_defaults()
    assert defaults["max_customers_per_owner"] == 300
    assert defaults["reclaim_after_days"] == 60
    assert defaults["assigner_roles"] == ["市场总监"]


def test_reference_fields_are_read_from_the_schemas():
    customer_refs = dict(SCHEMAS.references["customer"])
    assert customer_refs[("owner",)] == "owner"
    assert customer_refs[("owner_history", "*", "by")] == "staff"
    assert dict(SCHEMAS.references["visit"])[("customer",)] == "customer"


def test_validation_does_not_fill_in_defaults():
    document = copy.deepcopy(VISIT)
    del document["counts_as_sales_action"]
    customer = copy.deepcopy(CUSTOMER)
    del customer["confidentiality"]
    before = (copy.deepcopy(document), copy.deepcopy(customer))
    assert not list(SCHEMAS.check("visit", document)) and not list(SCHEMAS.check("customer", customer))
    assert (document, customer) == before
