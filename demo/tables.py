"""The demo's tables, read once from demo/data/*.yaml: the people, the places, what customers
are like, what visits and complaints say, and the company's own policy choices.

Everything there is invented but shaped like the records of a Shanghai home-decoration
company. Order matters: the generator draws from these tables with a seeded random.Random,
so append rather than reorder if old output is to stay the same. A weighted table
({value: weight, ...} in the file) is given here as ((value, weight), ...), the shape
`world.wchoice` draws from.
"""

from __future__ import annotations

from pathlib import Path

import yaml

FOLDER = Path(__file__).resolve().parent / "data"


def _load(name: str) -> dict:
    with open(FOLDER / f"{name}.yaml", encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _weighted(table: dict) -> tuple:
    return tuple(table.items())


_people = _load("people")
COMPANY: str = _people["company"]
EMAIL_DOMAIN: str = _people["email_domain"]
STAFF: tuple[dict, ...] = tuple(_people["staff"])
DIRECTOR: str = _people["director"]  # the only assigner (policy assigner_roles: [市场总监])
GM: str = _people["general_manager"]
LEAVER: str = _people["leaver"]  # the 客户经理 who leaves the company (left: today - 1)
QC: str = _people["quality_control"]
SERVICE: tuple[str, ...] = tuple(_people["service"])
MANAGERS: tuple[str, ...] = tuple(_people["managers"])
MANAGERS_WEIGHTED = _weighted(_people["managers"])
DESIGNERS_LARGE = _weighted(_people["designers_large"])
DESIGNERS_OTHER = _weighted(_people["designers_other"])
SURNAMES = _weighted(_people["surnames"])
GIVEN_MALE: tuple[str, ...] = tuple(_people["given_male"])
GIVEN_FEMALE: tuple[str, ...] = tuple(_people["given_female"])
WECHAT_WORDS: tuple[str, ...] = tuple(_people["wechat_words"])
WECHAT_SUFFIXES: tuple[str, ...] = tuple(_people["wechat_suffixes"])

_places = _load("places")
# (community, district, street address of the estate, kind of estate)
COMMUNITIES: tuple[tuple[str, str, str, str], ...] = tuple(tuple(row) for row in _places["communities"])
ESTATES: dict[str, dict] = _places["estates"]
COMMUNITIES_WEIGHTED = tuple((row, ESTATES[row[3]]["weight"]) for row in COMMUNITIES)
CONDITIONS = {kind: _weighted(estate.get("condition", _places["condition"])) for kind, estate in ESTATES.items()}
MOBILE_PREFIXES = _weighted(_places["mobile_prefixes"])
INTERMEDIARIES: tuple[str, ...] = tuple(_places["intermediaries"])
PARTNERS: tuple[str, ...] = tuple(_places["partners"])

_customers = _load("customers")
HOUSES: dict[str, dict] = _customers["houses"]
STYLES = _weighted(_customers["styles"])
GRADES = tuple((row["budget_from"], _weighted(row["weights"])) for row in _customers["grades"])
CHANNELS = _weighted(_customers["channels"])
TAGS: tuple[str, ...] = tuple(_customers["tags"])
NOTES: tuple[str, ...] = tuple(_customers["notes"])
CONFIDENTIAL_NOTES: dict[str, str] = _customers["confidential_notes"]
SURVEY: dict = _customers["survey"]
RECLAIM_REASON: str = _customers["reclaim_reason"]
REASSIGN_REASONS: tuple[str, ...] = tuple(_customers["reassign_reasons"])
LEAVER_REASON: str = _customers["leaver_reason"]

VISITS: dict = _load("visits")
SURVEY_SCORES = _weighted(VISITS["survey_scores"])

COMPLAINTS: dict = _load("complaints")
CATEGORIES_BUILDING = _weighted(COMPLAINTS["categories_building"])
CATEGORIES_BEFORE = _weighted(COMPLAINTS["categories_before"])
COMPLAINT_CHANNELS = _weighted(COMPLAINTS["channels"])

POLICY: dict = _load("policy")


def community(name: str) -> tuple[str, str, str, str]:
    """The row of COMMUNITIES for the 小区 `name`."""
    return next(row for row in COMMUNITIES if row[0] == name)
