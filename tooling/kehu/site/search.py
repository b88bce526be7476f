"""The site's search index: what staff type to find a customer, a colleague or a rule.

A person types part of a Chinese name (芳), the 小区, the manager's name, the full pinyin
(wangfang), the initials (wf) or the id (C2025-0014, 0014). Chinese needs no word
segmentation for that: the browser matches substrings of the text itself. Pinyin comes
from pypinyin, which reads names with their everyday reading; for surnames that are read
differently (单 Shàn, 曾 Zēng, 解 Xiè …) both readings are indexed, because people type either.

At 20,000 customers one file holding everything is 3 MB, fetched whole on the first search.
So the index is split into shards, and a search fetches the small `meta.json` and one
shard per query word (site/overrides/assets/kehu-search.js does the searching):

    assets/search/meta.json   the tables rows point into (owners with their page, role and
                              number of customers; 小区; 地区; stages; grades), the other
                              entries (staff and rules), how many customers each key's
                              shard holds, and a version for the shards' URLs
    assets/search/<file>.json one shard: the customers under one key, as rows
                              [id, name, owner, 小区, 地区, stage, grade, "spellings"]
                              (numbers index meta's tables, 0 meaning none)

Keys and their files: "c" + one character of a name (`c王`), "p" + the first two letters
of a spelling (`pwa` for wangfang, `pwf` for its initials), "n" + the first two digits
of the id's number (`n00` for C2025-0014); a shard's file is the hex of its key's UTF-8
(`c王` -> 63e78e8b.json), which the browser computes the same way. Each 小区 and each
owner has a shard of its customers too, its file named in meta (they can be long, or
anything). A query word made of Chinese fetches the shard of its rarest character plus the
小区 whose name holds the word; two letters or more, their pinyin shard; digits, the id
shard; a colleague's exact name, id or pinyin adds the shard of their customers.

Privacy is the caller's `text` (Visibility.text) applied to every string stored, plus the
rule for 机密 customers kept here too: their row holds id, owner and stage only (name
null), under the id and owner keys only, so nothing of their name or 小区 reaches any file.
A 绝密 customer is never given to the index.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from pypinyin import lazy_pinyin

# surnames whose surname reading differs from pypinyin's everyday one
SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha", "乐": "yue", "区": "ou",
    "盖": "ge", "尉": "yu", "缪": "miao", "翟": "zhai", "卜": "bu", "覃": "qin", "繁": "po", "种": "chong",
    "员": "yun", "华": "hua", "纪": "ji", "任": "ren", "沈": "shen", "宁": "ning", "薄": "bo", "过": "guo",
}
COMPOUND_SURNAMES = {"尉迟": ["yu", "chi"], "万俟": ["mo", "qi"], "单于": ["chan", "yu"]}
ID_NUMBER = re.compile(r"C\d{4}-(\d{2,})")  # a customer id; its number's first two digits key the id shard
LATIN_WORD = re.compile(r"[a-z][a-z0-9]+")  # a word of a name in Latin letters is typed as it is
FOLDER = "assets/search"


def readings(name: str) -> list[list[str]]:
    """The name's syllables in every reading a searcher might use."""
    if not name:
        return []
    everyday = lazy_pinyin(name)
    out = [everyday]
    for compound, syllables in COMPOUND_SURNAMES.items():
        if name.startswith(compound):
            out.append(syllables + everyday[len(compound):])
    if name[0] in SURNAME_READINGS and everyday and everyday[0] != SURNAME_READINGS[name[0]]:
        out.append([SURNAME_READINGS[name[0]]] + everyday[1:])
    return out


def spellings(name: str) -> list[str]:
    """Full pinyin and initials, in every reading a searcher might use: wangfang, wf."""
    out = []
    for syllables in readings(name):
        for text in ("".join(syllables), "".join(s[0] for s in syllables if s)):
            if text not in out:
                out.append(text)
    return out


def entry(title: str, url: str, kind: str, words: list[str], spelled: list[str], detail: str = "") -> dict:
    """One result that is not a customer (a rule, a page): what it shows (t, d), where it goes
    (u), what matches (w, p)."""
    return {"t": title, "u": url, "k": kind, "w": " ".join(w for w in words if w), "p": " ".join(spelled), "d": detail}


def key_file(key: str) -> str:
    """The shard file of a key: the hex of its UTF-8, as kehu-search.js computes it."""
    return key.encode("utf-8").hex()


class Index:
    """The search entries of one site; `write` puts them into assets/search/."""

    def __init__(self, text=None):
        self.text = text or (lambda value: value)
        self.rows: list[list] = []
        self.keys: list[set[str]] = []  # per row: the char, pinyin and id keys it is filed under
        self.owners: dict[str, dict] = {}  # owner id -> name, page, detail
        self.entries: list[dict] = []  # staff, rules and other pages
        self.tables = {name: {"": 0} for name in ("communities", "districts", "stages", "grades")}

    def show(self, value) -> str:
        """A value as the site shows it: text, masked by the site's Visibility."""
        if value is None:
            return ""
        return str(self.text(value if isinstance(value, str) else str(value)))

    def _code(self, table: str, value) -> int:
        codes = self.tables[table]
        return codes.setdefault(self.show(value), len(codes))

    def _owner(self, owner, name) -> int:
        key = owner if isinstance(owner, str) else repr(owner)
        if key not in self.owners:
            self.owners[key] = {"name": self.show(name if name is not None else owner), "id": self.show(key),
                                "url": "", "detail": "", "at": len(self.owners)}
        return self.owners[key]["at"]

    def customer(self, customer_id, name=None, owner=None, owner_name=None, community=None, district=None,
                 stage=None, grade=None, restricted: bool = False) -> None:
        """A customer as the site shows it in lists; a `restricted` (机密) one as id, owner
        and stage only, whatever else is passed."""
        shown_id = self.show(customer_id)
        keys = set()
        number = ID_NUMBER.fullmatch(shown_id)
        if number:
            keys.add("n" + number.group(1)[:2])
        row = [shown_id, None, self._owner(owner, owner_name), 0, 0, self._code("stages", stage), 0, ""]
        if not restricted:
            shown = self.show(name)
            spelled = []
            for text in [*spellings(shown), *LATIN_WORD.findall(shown.lower())]:  # and a Latin name's words: Anna, Tom
                text = "".join(text.lower().split())
                if text and text not in spelled:
                    spelled.append(text)
            row[1] = shown
            row[3], row[4], row[6] = self._code("communities", community), self._code("districts", district), self._code("grades", grade)
            row[7] = " ".join(spelled)
            keys.update("c" + ch for ch in shown.lower() if not ch.isascii() and not ch.isspace())
            keys.update("p" + s[:2] for s in spelled if len(s) >= 2 and s[:2].isascii() and s[:2].isalpha())
        self.rows.append(row)
        self.keys.append(keys)

    def person(self, staff_id: str, name, url: str, detail: str = "") -> None:
        """A colleague: found by name, id, pinyin, role and department; an exact name, id or
        pinyin also lists their customers."""
        self._owner(staff_id, name)
        self.owners[staff_id if isinstance(staff_id, str) else repr(staff_id)].update(url=url, detail=self.show(detail))

    def append(self, item: dict) -> None:
        """Another result (a rule, a page), as made by `entry`."""
        self.entries.append({key: self.show(value) for key, value in item.items()})

    # --- files ---------------------------------------------------------------------------

    def files(self) -> dict[str, str]:
        """File name (in assets/search/) -> JSON text."""
        shards: dict[str, list[int]] = {}
        for at, keys in enumerate(self.keys):
            for key in keys:
                shards.setdefault(key, []).append(at)
        by_community: dict[int, list[int]] = {}
        by_owner: dict[int, list[int]] = {}
        for at, row in enumerate(self.rows):
            if row[3]:
                by_community.setdefault(row[3], []).append(at)
            by_owner.setdefault(row[2], []).append(at)

        out: dict[str, str] = {}

        def shard(rows: list[int]) -> str:
            ordered = sorted(rows, key=lambda at: self.rows[at][0])
            return json.dumps([self.rows[at] for at in ordered], ensure_ascii=False, separators=(",", ":"))

        for key, rows in shards.items():
            out[key_file(key) + ".json"] = shard(rows)

        def named(prefix: str, value: str, rows: list[int]) -> str:
            file = prefix + hashlib.sha1(value.encode("utf-8")).hexdigest()[:16]
            if rows:
                out[file + ".json"] = shard(rows)
            return file

        communities = [[name, len(by_community.get(code, ())), named("m-", name, by_community.get(code, [])) if code else ""]
                       for name, code in self.tables["communities"].items()]
        owners = []
        for owner_id, owner in self.owners.items():
            rows = by_owner.get(owner["at"], [])
            exact = [owner["name"], owner["id"]] + ["".join(s) for s in readings(owner["name"])]
            owners.append([owner["name"], owner["id"], owner["url"], owner["detail"], len(rows),
                           named("o-", owner_id, rows), " ".join(spellings(owner["name"])),
                           " ".join(sorted({e.lower() for e in exact if e}))])
        size = sum(len(text) for text in out.values())
        copies = sum(len(keys) + 1 + bool(row[3]) for keys, row in zip(self.keys, self.rows))
        version = hashlib.sha1("".join(sorted(out)).encode() + b"".join(
            hashlib.sha1(out[name].encode()).digest() for name in sorted(out))).hexdigest()[:12]
        meta = {
            "v": version,
            "customers": len(self.rows),
            "row": round(size / copies) if copies else 0,  # bytes per row in a shard, for the browser's budget
            "keys": {key: len(rows) for key, rows in sorted(shards.items())},
            "owners": owners,
            "communities": communities,
            "districts": list(self.tables["districts"]),
            "stages": list(self.tables["stages"]),
            "grades": list(self.tables["grades"]),
            "entries": [[e.get("t", ""), e.get("u", ""), e.get("k", ""), e.get("w", ""), e.get("p", ""), e.get("d", "")]
                        for e in self.entries],
        }
        out["meta.json"] = json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
        return out

    def write(self, folder: Path) -> dict[str, str]:
        """Write the files into `folder`; an unchanged file is left alone (`kehu serve`
        watches the folder) and a file from an earlier run that is not written now is
        removed: its customer may since have been made 绝密."""
        files = self.files()
        folder.mkdir(parents=True, exist_ok=True)
        for path in folder.glob("*.json"):
            if path.name not in files:
                path.unlink()
        for name, text in files.items():
            path = folder / name
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
        return files
