"""The cache's key: what decides the findings of `kehu check` besides the records --
the code of the modules that decide them (found by reading their imports, so a module a
rule starts to import is covered from then on), the schemas, the date and the selection.
A change to the site, reports or the demo leaves every company's cache valid."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

FORMAT = 3  # of the cache files; part of the key
CODE = Path(__file__).resolve().parent


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b"<unreadable>"


def key(schema_dir: Path, today, selection: tuple, package: Path = CODE, roots: tuple[str, ...] | None = None) -> str:
    """The check cache's key; with `roots`, the key of what those modules (and all they
    import) make of the records and schemas alone (kehu.records_cache: the loader's)."""
    digest = hashlib.sha256()
    digest.update(json.dumps([FORMAT, str(today), list(selection)]).encode())
    for relative, content in sources(package, roots):
        digest.update(relative.encode())
        digest.update(content)
    for schema in sorted(schema_dir.glob("*.json")):
        digest.update(schema.name.encode())
        digest.update(_read(schema))
    return digest.hexdigest()


# the modules whose code decides the findings of `kehu check`, with all they import
ROOTS = ("kehu.check",)
# `from kehu.x import a, b` (names in parentheses may span lines) or `import kehu.x`
_IMPORT = re.compile(rb"^[ \t]*(?:from[ \t]+(kehu(?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)"
                     rb"|import[ \t]+(kehu(?:\.\w+)*))", re.M)
_COMMENT = re.compile(rb"#[^\n]*")


def sources(package: Path = CODE, roots: tuple[str, ...] | None = None) -> list[tuple[str, bytes]]:
    """(path inside the package, content) of `roots` and every kehu module they import,
    directly or not, with the __init__.py of each package on the way; sorted by path."""
    found: dict[str, bytes] = {}
    seen: set[str] = set()
    todo = list(roots or ROOTS)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = _module_file(package, module)
        if path is None:
            continue  # `from kehu.x import name` where name is not a module
        found[path.relative_to(package).as_posix()] = content = _read(path)
        parts = module.split(".")
        todo += [".".join(parts[:n]) for n in range(1, len(parts))]  # a package's __init__ runs first
        for imported in _IMPORT.finditer(content):
            base, names, plain = imported.groups()
            if plain:
                todo.append(plain.decode())
                continue
            todo.append(base.decode())
            todo += [f"{base.decode()}.{name.decode()}" for name in re.findall(rb"\w+", _COMMENT.sub(b"", names))]
    return sorted(found.items())


def _module_file(package: Path, module: str) -> Path | None:
    folder = os.path.join(package, *module.split(".")[1:])
    for path in (os.path.join(folder, "__init__.py"), folder + ".py"):
        if os.path.isfile(path):
            return Path(path)
    return None
