"""The built site makes no request outside itself.

MkDocs + Material, with `theme.font: false` and no search plugin, loads nothing from
outside; what is left are strings in Material's bundle that would reach the internet in
cases kehu never triggers (a polyfill for browsers without ResizeObserver, Mermaid, GitHub
repository facts) and licence URLs in comments. They are neutralised here, and the search
assets kehu does not use are removed, so a scan of the site finds no external address.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

# XML namespaces (SVG, the sitemap Material's instant navigation reads) and JSON Schema ids (the
# schemas' $schema, the meta-schemas inside the forms' validator) are identifiers, never fetched
IDENTIFIERS = (r"www\.w3\.org/2000/svg", r"www\.sitemaps\.org/schemas/", r"json-schema\.org/(?:draft/2020-12/|schema\b)",
               r"raw\.githubusercontent\.com/ajv-validator/ajv/master/lib/refs/data\.json")
# an address with a scheme, or a protocol-relative one as an attribute or string value
EXTERNAL = re.compile(rf"(?:https?:|(?<=[\"'(=]))//(?!{'|'.join(IDENTIFIERS)})[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.I)
LOCAL = "./kehu-offline/"
REWRITES = (
    ("https://unpkg.com/", LOCAL),  # polyfill / Mermaid loaders: never on modern browsers, no diagrams
    ("https://api.github.com/", LOCAL),  # repository facts: only with repo_url, which kehu never sets
    ("https://fontawesome.com/license/free", "fontawesome.com/license/free"),  # licence comments
    ("https://fontawesome.com", "fontawesome.com"),
    ("https://clipboardjs.com/", "clipboardjs.com/"),
)
FORMS_CONFIG = "assets/kehu-forms/forms.json"
UNUSED = ("assets/javascripts/lunr", "assets/javascripts/workers")



def harden(site: Path, written: list[str] | None = None) -> list[str]:
    """Neutralise external addresses in the built site; returns any that remain. `written`
    ("/"-separated, relative to the site) names the files this build wrote, if not all:
    the pages kept from the last build were looked at when they were made."""
    for folder in UNUSED:
        shutil.rmtree(site / folder, ignore_errors=True)
    files = [f for f in (_every_file(site) if written is None else written) if not f.startswith(UNUSED)]
    for relative in files:
        path = site / relative
        if relative.endswith(".map"):
            path.unlink(missing_ok=True)
        elif relative.endswith((".js", ".css")) and path.is_file():
            text = path.read_text(encoding="utf-8")
            changed = text
            for old, new in REWRITES:
                changed = changed.replace(old, new)
            if changed != text:
                path.write_text(changed, encoding="utf-8")
    return external_addresses(site, files)


def external_addresses(site: Path, files: list[str] | None = None) -> list[str]:
    found = []
    allowed = link_targets(site)
    for relative in _every_file(site) if files is None else files:
        path = site / relative
        if relative.endswith((".html", ".js", ".css", ".json", ".xml")) and path.is_file():
            for match in EXTERNAL.finditer(path.read_text(encoding="utf-8", errors="replace")):
                if match.group(0) not in allowed:
                    found.append(f"{relative}: {match.group(0)}")
    return found


def _every_file(site: Path) -> list[str]:
    found = []
    for folder, _, files in os.walk(site):
        relative = Path(folder).relative_to(site).as_posix()
        found.extend(name if relative == "." else f"{relative}/{name}" for name in files)
    return found


def link_targets(site: Path) -> tuple[str, ...]:
    """The one place outside the site a page may send someone (a link, never a load): the code
    host named in kehu.yaml, whose new-file page the 录入 forms open (kehu/site/forms.py)."""
    try:
        host = json.loads((site / FORMS_CONFIG).read_text(encoding="utf-8")).get("code_host")
    except (OSError, ValueError, AttributeError):
        return ()
    address = EXTERNAL.match(host["url"]) if isinstance(host, dict) and isinstance(host.get("url"), str) else None
    return (address.group(0),) if address else ()
