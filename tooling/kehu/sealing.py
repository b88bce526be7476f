"""Sealed fields: values encrypted with age so that a clone holds them only for its readers.

A sealed value is an ordinary YAML string, `age:v1:<base64 of an age file>`, so every
parser, schema and diff keeps working. Inside is JSON: the value itself and what it was
sealed for (`id`, `field`, `to` = the age recipients), so a value copied into another record
or field, or still sealed to a former owner, is told apart once it is opened (K811).

Which fields may be sealed is said once, in the record schemas (`"x-kehu-sealable": true`
on a top-level property); which ones must be, and to whom, in policy `sealing`
(levels -> {fields, readers}; the owner and `ci_recipient` always read). The identities a
person holds are in the file `KEHU_AGE_IDENTITY` names (age-keygen's format).

Opening happens once, after the schemas have checked the records as written
(`open_records`, called by kehu.validate): a value this process can open replaces the
sealed string in memory; one it cannot is taken out of the record's data (rules see the
field as absent) and kept in `record.withheld`, so every command works on what it can read
and counts what it could not.

Why pyrage (PyPI, Rust bindings of the `age` crate) and not Debian's `age` binary: it is a
wheel pip installs like every other dependency (no system package for a company's laptops
and CI images), and it runs in process, where a check opens thousands of values. Measured
here (pyrage 1.4.0): 0.33 ms of CPU to open one value (CI's key first among the stanzas;
each further stanza tried ~0.17 ms more), ~0.55 ms to seal one to four recipients. The
`age` binary was not measured (not installed on this machine); it takes one file per run,
so it would cost a process start per value.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from kehu.findings import Text

PREFIX = "age:v1:"
# the base64 of "age-encryption.org/v1": every age file starts with it
AGE_MAGIC_B64 = base64.b64encode(b"age-encryption.org/v1")[:28].decode()
SEALED_PATTERN = f"^{re.escape(PREFIX)}{AGE_MAGIC_B64}[A-Za-z0-9+/]*={{0,2}}$"
SEALABLE = "x-kehu-sealable"  # the schema annotation: this top-level field may hold a sealed value
IDENTITY_ENV = "KEHU_AGE_IDENTITY"
RECIPIENT = re.compile(r"age1[0-9a-z]{58}")


def is_sealed(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


class Unreadable(Exception):
    """A sealed value this process cannot open; `malformed` when nobody could."""

    def __init__(self, message: Text, malformed: bool = False):
        super().__init__(message.en)
        self.message = message
        self.malformed = malformed


@dataclass(frozen=True)
class Opened:
    value: object
    record_id: str | None
    field: str | None
    to: tuple[str, ...]  # the recipients it says it was sealed to


def seal(value, recipients: list[str], record_id: str, field: str) -> str:
    """`value` (anything JSON can carry) sealed to the age `recipients`."""
    import pyrage

    keys = [pyrage.x25519.Recipient.from_str(r) for r in recipients]
    inner = {"id": record_id, "field": field, "to": sorted(set(recipients)), "value": value}
    plain = json.dumps(inner, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    return PREFIX + base64.b64encode(pyrage.encrypt(plain, keys)).decode("ascii")


def stanzas(sealed: str) -> list[str] | None:
    """The kinds of recipient an age file is encrypted to (its header's `-> TYPE` lines, one
    per recipient, e.g. X25519), readable without a key; age's random "grease" stanzas are left
    out. None if it is not an age file."""
    raw = _raw(sealed)
    if raw is None:
        return None
    header, found, _ = raw.partition(b"\n---")
    if not found:
        return None
    kinds = [line[3:].split(b" ", 1)[0].decode("ascii", "replace") for line in header.split(b"\n") if line.startswith(b"-> ")]
    return [kind for kind in kinds if not kind.endswith("-grease")]


def _raw(sealed: str) -> bytes | None:
    try:
        raw = base64.b64decode(sealed[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if raw.startswith(b"age-encryption.org/v1\n") else None


def open_value(sealed: str, identities: list) -> Opened:
    """Open one sealed value with any of `identities`; raises Unreadable."""
    import pyrage

    raw = _raw(sealed)
    if raw is None:
        raise Unreadable(Text("加密值格式不对（不是 age:v1: 加 base64 的 age 密文）",
                              "a sealed value that is not age:v1: + base64 of an age file"), malformed=True)
    if not identities:
        raise Unreadable(Text("没有密钥", "no key"))
    try:
        plain = pyrage.decrypt(raw, identities)
    except pyrage.DecryptError as exc:
        if "No matching keys" in str(exc):
            raise Unreadable(Text("手上的密钥打不开（不是加密给你的）", "none of the keys held opens it")) from None
        raise Unreadable(Text(f"加密值已损坏：{exc}", f"the sealed value is damaged: {exc}"), malformed=True) from None
    try:
        inner = json.loads(plain.decode("utf-8"))
        to = tuple(str(r) for r in inner["to"])
        return Opened(inner["value"], inner.get("id"), inner.get("field"), to)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise Unreadable(Text("加密值里面不是 kehu 写的内容", "the sealed value does not hold what kehu seals"),
                         malformed=True) from None


# --- identities: the file KEHU_AGE_IDENTITY names -----------------------------------------

class IdentityProblem(Exception):
    def __init__(self, message: Text):
        super().__init__(message.en)
        self.message = message


_identities_cache: dict = {}


def identities(required: bool = False) -> list:
    """The age identities of the file KEHU_AGE_IDENTITY names (cached per file state); [] when
    the variable is not set. A set variable whose file cannot be read raises IdentityProblem."""
    name = os.environ.get(IDENTITY_ENV)
    if not name:
        if required:
            raise IdentityProblem(Text(f"没有设置 {IDENTITY_ENV}：请把它设为你的 age 私钥文件路径",
                                       f"{IDENTITY_ENV} is not set: point it at your age identity file"))
        return []
    path = Path(name).expanduser()
    try:
        state = (str(path), path.stat().st_mtime_ns)
        if state not in _identities_cache:
            _identities_cache.clear()
            _identities_cache[state] = parse_identities(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IdentityProblem(Text(f"读不了 {IDENTITY_ENV} 指向的私钥文件 {path}：{exc.strerror}",
                                   f"cannot read the identity file {path} ({IDENTITY_ENV}): {exc.strerror}")) from None
    found = _identities_cache[state]
    if not found:
        raise IdentityProblem(Text(f"{path} 里没有 AGE-SECRET-KEY-1… 私钥", f"{path} holds no AGE-SECRET-KEY-1… identity"))
    return found


def parse_identities(text: str) -> list:
    import pyrage

    found = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("AGE-SECRET-KEY-1"):
            try:
                found.append(pyrage.x25519.Identity.from_str(line))
            except pyrage.IdentityError:
                continue
    return found


def sight() -> str:
    """Who this process reads as (the public keys it holds), for cache keys: a check with
    a key and one without must not share cached findings."""
    try:
        return ",".join(sorted(str(i.to_public()) for i in identities()))
    except IdentityProblem:
        return "unreadable"


# --- the schemas: which fields may be sealed ---------------------------------------------

def sealable_fields(schemas, kind: str) -> tuple[str, ...]:
    properties = schemas.documents.get(f"{kind}.schema.json", {}).get("properties", {})
    return tuple(name for name, spec in properties.items() if isinstance(spec, dict) and spec.get(SEALABLE))


SEALED_BRANCH = {"type": "string", "pattern": SEALED_PATTERN}


def plain_branch(node) -> dict | None:
    """Of a schema node accept_sealed made, the field's own schema; else None."""
    branches = node.get("anyOf") if isinstance(node, dict) else None
    if isinstance(branches, list) and len(branches) == 2 and branches[1] == SEALED_BRANCH:
        return branches[0]
    return None


def accept_sealed(node: dict) -> dict:
    """A sealable property's schema, made to accept a sealed string too (kehu.validate)."""
    plain = {k: v for k, v in node.items() if k != SEALABLE}
    return {"anyOf": [plain, SEALED_BRANCH],
            **{k: plain[k] for k in ("title", "description") if k in plain}}


# --- policy: which fields a record must have sealed, and to whom --------------------------

@dataclass(frozen=True)
class Demand:
    fields: tuple[str, ...]  # the fields of this record that must be sealed (present ones only)
    recipients: tuple[str, ...]  # whom to seal them to
    missing: tuple[str, ...]  # readers policy names who have no age_recipient


def settings(policy: dict, schemas) -> dict:
    """Policy `sealing` over the schema's defaults, level by level."""
    default = schemas.documents["policy.schema.json"].get("properties", {}).get("sealing", {}).get("default", {})
    given = policy.get("sealing") or {}
    levels = {**default.get("levels", {}), **(given.get("levels") or {})}
    return {"ci_recipient": given.get("ci_recipient"), "levels": levels}


def in_force(policy: dict) -> bool:
    """Sealing is on once the company has a CI key in policy."""
    return bool((policy.get("sealing") or {}).get("ci_recipient"))


def demand(repo, record) -> Demand:
    """What policy asks of one record at its level."""
    return demand_for(repo.policy, repo.schemas, repo.ids("staff"), record)


def demand_for(policy: dict, schemas, staff: dict, record) -> Demand:
    """What `policy` asks of one record, with these schemas and staff (id -> record)."""
    from kehu.domain.vocabulary import CONFIDENTIALITY, DEFAULT_CONFIDENTIALITY

    config = settings(policy, schemas)
    level = record.data.get("confidentiality", DEFAULT_CONFIDENTIALITY)
    level = level if level in CONFIDENTIALITY else list(CONFIDENTIALITY)[-1]  # a level nobody knows: the strictest
    rule = config["levels"].get(level) or {}
    sealable = sealable_fields(schemas, record.kind)
    present = set(record.data) | set(record.withheld or ())
    fields = tuple(f for f in rule.get("fields", ()) if f in sealable and f in present)
    recipients, missing = [], []
    owner = record.data.get("owner")
    working = {i for i, member in staff.items() if member.data.get("active", True) is not False}  # who left reads nothing new
    readers = [owner] if owner in working else []
    roles = set(rule.get("readers", ()))
    readers += sorted(i for i in working if staff[i].data.get("role") in roles and i != owner)
    for reader in readers:
        key = staff[reader].data.get("age_recipient")
        (recipients.append(key) if isinstance(key, str) and RECIPIENT.fullmatch(key) else missing.append(reader))
    ci = config["ci_recipient"]
    if isinstance(ci, str) and RECIPIENT.fullmatch(ci):
        recipients.insert(0, ci)  # first: CI, the reader that opens the most, tries it first
    return Demand(fields, tuple(dict.fromkeys(recipients)), tuple(missing))


# --- opening a loaded repository ---------------------------------------------------------

_NOTE = re.compile(r"\d+ sealed values could not be opened")


@dataclass
class Tally:
    opened: int = 0
    withheld: int = 0
    malformed: int = 0

    @staticmethod
    def is_note(text: Text) -> bool:
        """Whether a note is one `note()` wrote (kehu.incremental keeps it up to date itself)."""
        return _NOTE.match(text.en) is not None

    def note(self) -> Text | None:
        if not self.withheld:
            return None
        broken = Text(f"，其中 {self.malformed} 个格式已损坏", f"; {self.malformed} malformed") if self.malformed else Text("", "")
        return Text(f"有 {self.withheld} 个加密字段打不开（没有对应的密钥{broken.zh}），只按能读到的内容检查："
                    "这些值没有参与比较（如撞单）",
                    f"{self.withheld} sealed values could not be opened (no matching key{broken.en}): checked on "
                    "what could be read; those values were not compared (e.g. for phone collisions)")


def open_fields(data: dict, fields, keys: list) -> tuple[dict, dict, dict]:
    """A copy of `data` with the sealed values among `fields` opened where `keys` open them and
    the others left out; with {field: Opened} and {field: Unreadable}."""
    data, opened, withheld = dict(data), {}, {}
    for name in fields:
        if is_sealed(data.get(name)):
            try:
                opened[name] = open_value(data[name], keys)
                data[name] = opened[name].value
            except Unreadable as problem:
                withheld[name] = problem
                del data[name]
    return data, opened, withheld


def open_record(record, schemas, keys: list):
    """A copy of a record as written (a file, a git blob), opened as `open_fields` does."""
    from kehu.load import Record

    data, opened, withheld = open_fields(record.data, sealable_fields(schemas, record.kind), keys)
    return Record(record.kind, record.file, data, opened=opened or None, withheld=withheld or None)


def open_records(repo, schemas) -> list:
    """Open what this process can; take the rest out of the records' data (`record.withheld`).
    Returns the records whose data changed by opening, for the schemas to check again."""
    keys = identities() if _identity_file_ok() else []
    tally = Tally()
    changed = []
    fields_of = {kind: sealable_fields(schemas, kind) for kind in {r.kind for r in repo.records if r.kind}}
    for record in repo.records:
        fields = fields_of.get(record.kind) if record.kind else None
        if not fields or not any(is_sealed(record.data.get(f)) for f in fields):
            continue
        record.data, opened, withheld = open_fields(record.data, fields, keys)
        record.opened, record.withheld = opened or None, withheld or None
        tally.opened += len(opened)
        tally.withheld += len(withheld)
        tally.malformed += sum(problem.malformed for problem in withheld.values())
        if opened:
            changed.append(record)
    repo.sealing = tally
    return changed


def _identity_file_ok() -> bool:
    try:
        identities()
        return True
    except IdentityProblem:
        return False


def identity_note() -> Text | None:
    """Said once by commands when KEHU_AGE_IDENTITY is set but unusable."""
    try:
        identities()
    except IdentityProblem as problem:
        return problem.message
    return None
