"""Which pages of the last build can be kept as they are.

MkDocs renders every page on every build; at 20,000 customers that is minutes. A page's
HTML depends on its own Markdown, on which of the files it links to exist (MkDocs turns a
link to an existing page into that page's address and leaves any other link as written),
and on what every page shares: the MkDocs configuration, the theme with kehu's overrides,
and the installed packages that render it. The digest of all that is the page's key.

Each build leaves a manifest in kehu's cache folder (inside .git, where no branch can commit
a doctored copy): per page, its key, the file it became and the SHA-256 of that file. The
next build keeps a page only when its key is unchanged *and* the file in the previous site
still has exactly that content; anything else -- a new or edited page, a page whose output
someone altered, a damaged or missing manifest -- is rendered again. The new site is made
of this build's pages only, so the page of a record that is gone, or that became 绝密, is
not carried over.

A site whose MkDocs configuration has plugins (the search plugin, say, whose index covers
only the pages it rendered) is always built in full.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import stat
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote

import yaml

FORMAT = 1
NAME = "site-{}.json"  # per output folder, in kehu's cache folder
HOOK = Path(__file__).with_name("build_hook.py")
RACY_NS = 2_000_000_000

# every link target a page may hold: Markdown inline and reference links, raw href/src
_LINK = re.compile(r"""\]\(\s*<?([^)\s>]+)|^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)|(?:href|src)\s*=\s*["']([^"']+)""",
                   re.M | re.I)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def environment(config: dict, base: Path) -> str | None:
    """What every page's HTML shares, as a digest; None when pages cannot be reused at all."""
    inherited = base / "mkdocs.yml"
    digest = hashlib.sha256(json.dumps([FORMAT, sys.version], ensure_ascii=False).encode())
    if inherited.is_file():
        text = inherited.read_bytes()
        try:
            settings = yaml.safe_load(text)
        except yaml.YAMLError:
            return None  # tags such as !ENV: what the configuration holds is not known here
        if not isinstance(settings, dict) or settings.get("plugins") != [] or "INHERIT" in settings:
            return None
        digest.update(text)
    elif "plugins" not in config:
        return None  # MkDocs' default: the search plugin
    shared = {k: v for k, v in config.items() if k not in ("docs_dir", "site_dir", "INHERIT", "hooks", "theme")}
    digest.update(json.dumps(shared, ensure_ascii=False, sort_keys=True, default=str).encode())
    digest.update(json.dumps(config.get("theme"), ensure_ascii=False, sort_keys=True, default=str).encode())
    overrides = base / "site" / "overrides"
    for folder, _, files in sorted(os.walk(overrides)):
        for name in sorted(files):
            path = Path(folder) / name
            digest.update(path.relative_to(overrides).as_posix().encode() + b"\0" + _read(path))
    digest.update(HOOK.read_bytes())
    # whatever renders the pages: MkDocs, Material, Markdown and its extensions, Pygments ...
    installed = sorted({(d.metadata["Name"] or "").lower(): d.version for d in metadata.distributions()}.items())
    digest.update(json.dumps(installed).encode())
    return digest.hexdigest()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b"<unreadable>"


def docs_files(docs: Path) -> list[str]:
    """Every file of the docs folder, "/"-separated and relative to it, sorted."""
    found = []
    for folder, _, files in os.walk(docs):
        relative = Path(folder).relative_to(docs).as_posix()
        prefix = "" if relative == "." else relative + "/"
        found.extend(prefix + name for name in files)
    return sorted(found)


def page_keys(docs: Path, files: list[str], env: str, memo: dict | None = None) -> dict[str, str]:
    """Each Markdown page's key: the shared digest, its path, its text, and which of the
    files its links could name exist. `memo` (kept by `kehu serve` between builds) spares
    reading a page whose size and times are unchanged."""
    present = set(files)
    keys = {}
    for relative in files:
        if not relative.endswith(".md"):
            continue
        text_digest, targets = _page(docs / relative, relative, memo)
        digest = hashlib.sha256(f"{env}\0{relative}\0{text_digest}".encode())
        for target, path in targets:
            exists = [candidate in present for candidate in
                      (path, path + ".md", posixpath.join(path, "index.md"), posixpath.join(path, "README.md"))]
            digest.update(f"\0{target}:{''.join('1' if e else '0' for e in exists)}".encode())
        keys[relative] = digest.hexdigest()
    return keys


def _page(path: Path, relative: str, memo: dict | None) -> tuple[str, list[tuple[str, str]]]:
    """A page's text digest and its link targets (as written, and resolved from its folder)."""
    if memo is not None:
        info = os.lstat(path)
        signature = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        known = memo.get(relative)
        if known is not None and known[0] == signature:
            return known[1], known[2]
    text = path.read_bytes()
    folder = posixpath.dirname(relative)
    targets = [(target, posixpath.normpath(posixpath.join(folder, target)))
               for target in sorted(set(_targets(text.decode("utf-8", "replace"))))]
    answer = hashlib.sha256(text).hexdigest(), targets
    if memo is not None and max(info.st_mtime_ns, info.st_ctime_ns) < time.time_ns() - RACY_NS:
        memo[relative] = (signature, *answer)  # a page written moments ago may be written again within the clock's tick
    return answer


def _targets(text: str):
    for match in _LINK.finditer(text):
        url = next(group for group in match.groups() if group is not None)
        url = unquote(url.split("#", 1)[0].split("?", 1)[0])
        if url and not url.startswith("/") and not _SCHEME.match(url):
            yield url


@dataclass
class Manifest:
    """The last build of one output folder: its shared digest and, per page, [key, output
    file relative to the site, SHA-256 of that file]."""

    env: str | None = None
    pages: dict[str, list] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path, target: Path) -> Manifest:
        try:
            header, _, body = (_folder(root) / _name(target)).read_bytes().partition(b"\n")
            head = json.loads(header)
            if head.get("format") != FORMAT or head.get("checksum") != hashlib.sha256(body).hexdigest():
                return cls()
            data = json.loads(body)
            pages = data["pages"]
            if isinstance(data["env"], str) and isinstance(pages, dict) and all(
                    isinstance(v, list) and len(v) == 3 and all(isinstance(x, str) for x in v) for v in pages.values()):
                return cls(data["env"], pages)
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return cls()

    def save(self, root: Path, target: Path) -> None:
        from kehu import cache

        body = json.dumps({"env": self.env, "pages": self.pages}, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8", "surrogateescape")
        header = json.dumps({"format": FORMAT, "checksum": hashlib.sha256(body).hexdigest()}).encode()
        cache._write(root, _name(target), header + b"\n" + body)


def _folder(root: Path) -> Path:
    from kehu import cache

    return cache.folder_of(root)


def _name(target: Path) -> str:
    return NAME.format(hashlib.sha256(str(target).encode("utf-8", "surrogateescape")).hexdigest()[:16])


@dataclass
class Plan:
    keys: dict[str, str]  # every page -> its key
    reuse: dict[str, str]  # page -> its output file in the previous site, unchanged and verified
    build: list[str]  # pages MkDocs renders


def plan(docs: Path, env: str | None, previous: Path, manifest: Manifest) -> Plan:
    files = docs_files(docs)
    keys = page_keys(docs, files, env or "")
    reuse: dict[str, str] = {}
    if env is not None and manifest.env == env and previous.is_dir() and not previous.is_symlink():
        for page, key in keys.items():
            entry = manifest.pages.get(page)
            if entry and entry[0] == key and entry[1] and _holds(previous, entry[1], entry[2]):
                reuse[page] = entry[1]
    return Plan(keys, reuse, [page for page in keys if page not in reuse])


def _holds(site: Path, relative: str, sha: str) -> bool:
    """Whether the previous site's file is a regular file with exactly that content."""
    if relative.startswith(("/", "../")) or "/../" in relative:
        return False
    path = site / relative
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        return file_sha(path) == sha
    except OSError:
        return False


def file_sha(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def seed(previous: Path, site: Path, reuse: dict[str, str]) -> None:
    """The reused pages' files in the new site: hard links to the previous site's files
    (its folder is removed once the new one is in place), copies where links fail."""
    made: set[str] = set()
    for relative in reuse.values():
        folder = posixpath.dirname(relative)
        if folder not in made:
            (site / folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)
        try:
            os.link(previous / relative, site / relative, follow_symlinks=False)
        except OSError:
            with open(previous / relative, "rb") as source, open(site / relative, "wb") as out:
                out.write(source.read())
