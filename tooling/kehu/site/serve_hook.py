"""MkDocs hook for `kehu serve`: regenerate the pages from the records before each rebuild,
so editing a record file shows up in the browser (MkDocs watches records/ and reloads)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path


def on_pre_build(config, **kwargs):
    from kehu.site.build import write_pages

    write_pages(Path(os.environ["KEHU_ROOT"]), date.fromisoformat(os.environ["KEHU_TODAY"]),
                Path(os.environ["KEHU_DOCS"]), os.environ.get("KEHU_FULL") == "1")
