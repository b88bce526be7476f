"""The deterministic demo records of a Shanghai home-decoration company.

Run from the project root (kehu installed, e.g. `pip install -e .`):

    python3 -m demo --force                                   # regenerate records/ and docs/demo.md
    python3 -m demo --customers 20000 --out /tmp/bench-records

This folder is tooling, not part of the kehu package: setuptools finds packages only under
tooling/, so `pip install` never ships it, and kehu's cache key never hashes it.

`generate()` returns a Manifest whose `scenarios` list is the single source of the rule
stories (also left in SCENARIOS after a run, and rendered into docs/demo.md).
"""

from __future__ import annotations

from demo.model import Manifest, Scenario

SCENARIOS: list[Scenario] = []


def generate(*args, **kwargs) -> Manifest:
    from demo.generate import generate as _generate

    manifest = _generate(*args, **kwargs)
    SCENARIOS[:] = manifest.scenarios
    return manifest


__all__ = ["generate", "Manifest", "Scenario", "SCENARIOS"]
