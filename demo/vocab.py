"""Enumerations read from the repository's schemas/common.schema.json ($defs ... enum).

The schemas are the one place that defines the vocabularies; the demo reads them rather than
keeping a second copy, and fails loudly if a value it writes is not in them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # demo/ -> the project root
SCHEMA_DIR = ROOT / "schemas"
ENUMS = ("grade", "stage", "channel", "houseType", "houseCondition", "confidentiality",
         "visitType", "complaintChannel", "complaintCategory", "complaintStatus",
         "appealLevel", "role", "gender")


@lru_cache(maxsize=None)
def load(schema_dir: Path = SCHEMA_DIR) -> dict[str, tuple[str, ...]]:
    path = schema_dir / "common.schema.json"
    try:
        defs = json.loads(path.read_text(encoding="utf-8"))["$defs"]
        return {name: tuple(defs[name]["enum"]) for name in ENUMS}
    except (OSError, ValueError, KeyError) as exc:
        raise SystemExit(f"demo: cannot read the vocabularies from {path}: {exc}") from exc


@lru_cache(maxsize=None)
def policy_schema(schema_dir: Path = SCHEMA_DIR) -> dict:
    """policy.schema.json's properties (key -> spec), in the schema's order."""
    path = schema_dir / "policy.schema.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))["properties"]
    except (OSError, ValueError, KeyError) as exc:
        raise SystemExit(f"demo: cannot read the policy's keys from {path}: {exc}") from exc


class Vocab:
    """V.check('stage', x) -> x, if x is one of $defs/stage of common.schema.json."""

    def __init__(self, schema_dir: Path = SCHEMA_DIR):
        self._enums = load(schema_dir)

    def check(self, name: str, value: str) -> str:
        if value not in self._enums[name]:
            raise ValueError(f"{value!r} is not in $defs/{name} of common.schema.json")
        return value
