"""kehu.demo: the deterministic demo records of a Shanghai home-decoration company.

    cd tooling && python3 -m kehu.demo --force          # regenerate records/ and docs/demo.md
    python3 -m kehu.demo --customers 20000 --out /tmp/bench-records

`generate()` returns a Manifest whose `scenarios` list is the single source of the rule
stories (also left in SCENARIOS after a run, and rendered into docs/demo.md).
"""

from __future__ import annotations

from kehu.demo.model import Manifest, Scenario

SCENARIOS: list[Scenario] = []


def generate(*args, **kwargs) -> Manifest:
    from kehu.demo.generate import generate as _generate

    manifest = _generate(*args, **kwargs)
    SCENARIOS[:] = manifest.scenarios
    return manifest


__all__ = ["generate", "Manifest", "Scenario", "SCENARIOS"]
