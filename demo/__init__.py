"""The deterministic demo records of a Shanghai home-decoration company.

Run from the project root (kehu installed, e.g. `pip install -e .`):

    python3 -m demo --force                                   # regenerate records/ and docs/demo.md
    python3 -m demo --customers 20000 --out /tmp/bench-records

This folder is tooling, not part of the kehu package: setuptools finds packages only under
tooling/, so `pip install` never ships it, and kehu's cache key never hashes it. It uses
kehu's working-day calendar, and reads the vocabularies and policy keys from schemas/.

    __main__    the command line
    generate    generate(): the order of the work; files: the folder and the files
    world       the shared state and random draws
    staff, customers, visits, complaints, disposals
                one module per kind of record: how it is made, and its YAML
    policy      records/policy.yaml, and the numbers the records keep inside
    baseline    the records that follow the company's process
    stories, scenarios
                the records that break a rule on purpose, each a story in docs/demo.md
    tables      the phrase and name tables of data/*.yaml
    docs        docs/demo.md

`generate()` returns a Manifest whose `scenarios` list is the single source of the rule
stories, rendered into docs/demo.md.
"""

from __future__ import annotations

from demo.generate import generate
from demo.model import Manifest, Scenario

__all__ = ["generate", "Manifest", "Scenario"]
