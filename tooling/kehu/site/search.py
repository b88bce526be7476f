"""The site's search index: what staff type to find a customer.

A person types part of a Chinese name (芳), the 小区, the manager's name, the full pinyin
(wangfang) or the initials (wf). Chinese needs no word segmentation for that: the browser
matches substrings of the text itself. Pinyin comes from pypinyin, which reads names with
their everyday reading; for surnames that are read differently (单 Shàn, 曾 Zēng, 解 Xiè …)
both readings are indexed, because people type either.
"""

from __future__ import annotations

from pypinyin import lazy_pinyin

# surnames whose surname reading differs from pypinyin's everyday one
SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha", "乐": "yue", "区": "ou",
    "盖": "ge", "尉": "yu", "缪": "miao", "翟": "zhai", "卜": "bu", "覃": "qin", "繁": "po", "种": "chong",
    "员": "yun", "华": "hua", "纪": "ji", "任": "ren", "沈": "shen", "宁": "ning", "薄": "bo", "过": "guo",
}
COMPOUND_SURNAMES = {"尉迟": ["yu", "chi"], "万俟": ["mo", "qi"], "单于": ["chan", "yu"]}


def spellings(name: str) -> list[str]:
    """Full pinyin and initials, in every reading a searcher might use: wangfang, wf."""
    if not name:
        return []
    everyday = lazy_pinyin(name)
    readings = [everyday]
    for compound, syllables in COMPOUND_SURNAMES.items():
        if name.startswith(compound):
            readings.append(syllables + everyday[len(compound):])
    if name[0] in SURNAME_READINGS and everyday and everyday[0] != SURNAME_READINGS[name[0]]:
        readings.append([SURNAME_READINGS[name[0]]] + everyday[1:])
    out = []
    for syllables in readings:
        for text in ("".join(syllables), "".join(s[0] for s in syllables if s)):
            if text not in out:
                out.append(text)
    return out


def entry(title: str, url: str, kind: str, words: list[str], spelled: list[str]) -> dict:
    """One search result: what it shows (t), where it goes (u), what matches (w, p)."""
    return {"t": title, "u": url, "k": kind, "w": " ".join(w for w in words if w), "p": " ".join(spelled)}

