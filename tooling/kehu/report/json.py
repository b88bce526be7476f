"""`--format json`: one object: for check the shape of schemas/check-output.schema.json."""

from __future__ import annotations

import json


def render(result, lang: str, out) -> None:
    json.dump(result.as_dict(lang), out, ensure_ascii=False, indent=2)
    out.write("\n")
