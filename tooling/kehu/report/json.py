"""`--format json`: one object, the shape of schemas/check-output.schema.json."""

from __future__ import annotations

import json


def render(result, lang: str, out) -> None:
    document = {
        "findings": [f.as_dict(lang) for f in result.findings],
        "summary": result.summary(),
    }
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")
