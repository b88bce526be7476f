"""The schemas in schemas/: loaded once, applied to every record, read for vocabularies.

The schemas are the one place that defines fields, vocabularies (grades, stages,
channels ...), references between records, and policy defaults; the code asks them.
"""

from __future__ import annotations

import json
import math
import re
import sys
from datetime import date
from functools import cached_property
from pathlib import Path

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError, best_match

from kehu.calendar import WorkCalendar
from kehu.explain import explain, field_name
from kehu.findings import Hit, Text
from kehu.load import Repository
from kehu.load.locate import locate
from kehu.load.yamlfile import YamlTime
from kehu.sealing import SEALABLE, accept_sealed, is_sealed, open_records, plain_branch
from kehu.timeutil import in_range, parse_datetime

KINDS = ("customer", "visit", "complaint", "staff", "policy", "disposal", "appeal")
COMMON = "common.schema.json"
REFERENCE_DEFS = {"staffRef": "staff", "ownerRef": "owner", "customerRef": "customer", "appealRef": "appeal"}


class SchemaError(Exception):
    """The schemas themselves are missing or broken: kehu cannot run."""


def schema_dir(root: Path | None) -> Path:
    """A records repository's own schemas/ wins; else the ones kehu was installed with
    (root None: only those)."""
    here = Path(__file__).resolve()
    for candidate in (
        *([root / "schemas"] if root is not None else []),
        here.parents[2] / "schemas",  # a source checkout: tooling/kehu/validate.py
        Path(sys.prefix) / "share" / "kehu" / "schemas",  # a wheel install
    ):
        if (candidate / COMMON).is_file():
            return candidate
    raise SchemaError((root / "schemas") if root is not None else "schemas")


# --- times: an unquoted date is welcome where the schema wants a date, and only there ------

TIME_FORMATS = ("date", "kehu-datetime")
_base_type = Draft202012Validator.VALIDATORS["type"]


def _type(validator, types, instance, schema):
    if type(instance) is YamlTime and schema.get("format") not in TIME_FORMATS:
        yield ValidationError(f"{instance!r} was read by YAML as a date", validator="type",
                              validator_value=types, instance=instance, schema=schema)
        return
    yield from _base_type(validator, types, instance, schema)


def _is_date(value) -> bool:
    try:
        return not isinstance(value, str) or in_range(date.fromisoformat(value))
    except ValueError:
        return False


def _is_datetime(value) -> bool:
    try:
        return not isinstance(value, str) or in_range(parse_datetime(value).date())
    except ValueError:
        return False


def _non_finite(node, path=()):
    """Paths of .inf / .nan numbers: JSON Schema's "number" lets them through."""
    if isinstance(node, float) and not math.isfinite(node):
        yield path
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _non_finite(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _non_finite(value, (*path, index))


_EMAIL = re.compile(r"[^\s@,;<>()\[\]\\\"]+@[^\s@,;<>()\[\]\\\"]+\.[^\s@,;<>()\[\]\\\"]+")


def _is_email(value) -> bool:
    """One plain address: it reaches CODEOWNERS and e-mail headers, so no spaces, newlines,
    commas or brackets."""
    return not isinstance(value, str) or _EMAIL.fullmatch(value) is not None


FORMATS = {"date": _is_date, "kehu-datetime": _is_datetime, "email": _is_email}
_format_checker = FormatChecker(formats=())
for _name, _check in FORMATS.items():
    _format_checker.checks(_name)(_check)

KehuValidator = validators.extend(Draft202012Validator, {"type": _type})


class Schemas:
    def __init__(self, directory: Path | str, texts: dict[str, bytes] | None = None):
        """The schemas in `directory`, or in `texts` (file name -> content, e.g. read from
        a git commit; `directory` then only names where they came from)."""
        self.directory = directory
        self.documents: dict[str, dict] = {}
        try:
            if texts is None:
                texts = {path.name: path.read_bytes() for path in sorted(Path(directory).glob("*.schema.json"))}
            for name in sorted(texts):
                self.documents[name] = json.loads(texts[name].decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise SchemaError(f"{directory}: {exc}") from exc
        missing = [k for k in KINDS if f"{k}.schema.json" not in self.documents]
        if missing or COMMON not in self.documents:
            raise SchemaError(f"{directory}: missing {', '.join(missing) or COMMON}")
        # $refs are resolved once, here: looking them up per record was most of the cost
        try:
            self.inlined = {kind: self._inline(self.documents[f"{kind}.schema.json"]) for kind in KINDS}
        except (KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise SchemaError(f"{directory}: a $ref points nowhere or in a circle ({type(exc).__name__}: {exc})") from None
        self.validators = {
            kind: KehuValidator(schema, format_checker=_format_checker) for kind, schema in self.inlined.items()
        }
        try:
            self.fast = {
                kind: fastjsonschema.compile(_plain_text_marked(schema), formats=_FAST_FORMATS, use_default=False)
                for kind, schema in self.inlined.items()
            }
        except fastjsonschema.JsonSchemaDefinitionException as exc:
            raise SchemaError(f"{directory}: {exc}") from exc

    def _inline(self, node):
        if isinstance(node, dict):
            if "$ref" in node:
                target = self._inline(self._resolve({"$ref": node["$ref"]}))
                own = {k: self._inline(v) for k, v in node.items() if k != "$ref"}
                inlined = {**target, **own}
            else:
                inlined = {k: self._inline(v) for k, v in node.items() if k != "$defs"}
            return accept_sealed(inlined) if node.get(SEALABLE) else inlined
        if isinstance(node, list):
            return [self._inline(item) for item in node]
        return node

    @property
    def defs(self) -> dict:
        return self.documents[COMMON].get("$defs", {})

    def vocabulary(self, name: str) -> list[str]:
        """An enumeration of common.schema.json, e.g. vocabulary("grade") -> [A, B, C, D]."""
        return list(self.defs[name]["enum"])

    def policy_defaults(self) -> dict:
        props = self.documents["policy.schema.json"].get("properties", {})
        return {key: spec["default"] for key, spec in props.items() if "default" in spec}

    def label(self, kind: str, path: tuple) -> str | None:
        """The Chinese title of a field, for messages."""
        node = self.documents[f"{kind}.schema.json"]
        for step in path:
            node = self._resolve(node)
            if isinstance(step, int):
                node = node.get("items", {})
            else:
                node = node.get("properties", {}).get(step, {})
        return node.get("title") or self._resolve(node).get("title")

    def _resolve(self, node: dict) -> dict:
        ref = node.get("$ref")
        if not ref:
            return node
        document, _, pointer = ref.partition("#")
        target = self.documents[document] if document else self.documents[COMMON]
        for part in filter(None, pointer.split("/")):
            target = target[part]
        return self._resolve(target)

    @cached_property
    def references(self) -> dict[str, list[tuple[tuple, str]]]:
        """Per kind, the fields that name another record: (path with "*" for list items, target)."""
        found: dict[str, list[tuple[tuple, str]]] = {}
        for kind in KINDS:
            paths: list[tuple[tuple, str]] = []
            self._collect_refs(self.documents[f"{kind}.schema.json"], (), paths)
            found[kind] = paths
        return found

    def _collect_refs(self, node: dict, path: tuple, out: list) -> None:
        ref = node.get("$ref", "")
        for name, target in REFERENCE_DEFS.items():
            if ref.endswith(f"#/$defs/{name}"):
                out.append((path, target))
                return
        if ref:
            return self._collect_refs(self._resolve(node), path, out)
        for key, child in node.get("properties", {}).items():
            self._collect_refs(child, path + (key,), out)
        if isinstance(node.get("items"), dict):
            self._collect_refs(node["items"], path + ("*",), out)

    def check(self, kind: str, data: dict, source=lambda path: None):
        """Schema problems of one record as (path, at_key, Text); `source(path)` gives the
        value as written in the file, for messages about what YAML made of it."""
        odd = list(_non_finite(data))
        for path in odd:
            yield path, False, Text(f"{field_name(path)} 不是一个有限的数（YAML 把 .inf / .nan 读成了无穷大或非数）",
                                    f"{field_name(path)} is not a finite number (YAML read .inf / .nan)")
        try:
            if not odd:
                self.fast[kind](data)
                return
        except Exception:  # invalid, or too odd for the fast path: the full validator decides
            pass
        errors = []
        for error in self.validators[kind].iter_errors(data):
            errors.extend(_meant_branch(error) if error.validator in ("oneOf", "anyOf") and error.context else [error])
        # a value of the wrong type fails its enum or pattern too: say the first thing once
        mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
        seen = set()
        for error in errors:
            if error.validator != "type" and tuple(error.absolute_path) in mistyped:
                continue
            for problem in explain(error, kind, self, source):
                if problem[:2] + (problem[2].zh,) not in seen:
                    seen.add(problem[:2] + (problem[2].zh,))
                    yield problem


def _meant_branch(error) -> list:
    """Of a oneOf/anyOf, the errors of the branch the writer evidently meant: the first whose
    own type fits the value (a mapping for a per-grade table), else jsonschema's best guess.
    A sealable field's: the field's own schema, unless the value looks sealed."""
    if plain_branch(error.schema) is not None:
        meant = 1 if is_sealed(error.instance) else 0
        return [sub for sub in error.context if sub.relative_schema_path[0] == meant]
    branches: dict = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    for subs in branches.values():
        if not any(sub.validator == "type" and not sub.relative_path for sub in subs):
            return subs
    return [best_match(error.context)]


_FAST_FORMATS = {**FORMATS, "plain-text": lambda value: type(value) is not YamlTime}


def _plain_text_marked(node):
    """The fast validator's copy: text fields without a format refuse an unquoted date.

    fastjsonschema cannot tell a str subclass from a str by type, but it calls format
    checks, so every plain text field gets the "plain-text" format.
    """
    if isinstance(node, dict):
        out = {k: _plain_text_marked(v) for k, v in node.items()}
        if out.get("type") == "string" and "format" not in out:
            out["format"] = "plain-text"
        return out
    if isinstance(node, list):
        return [_plain_text_marked(item) for item in node]
    return node


def validate(repo: Repository, schemas: Schemas, checked: dict[str, list] | None = None) -> list[Hit]:
    """Mark each record valid or not and return its K101 hits; settle the policy.
    `checked` holds the schema problems already found per file (kehu.parallel), if any."""
    hits: list[Hit] = []
    for record in repo.records:
        if record.kind is None:
            continue
        if checked is not None:
            problems = checked[record.file]
        else:
            path_on_disk = repo.path(record)
            problems = list(schemas.check(
                record.kind, record.data, lambda p, f=path_on_disk: locate(f, p).source))
        record.valid = not problems
        for path, at_key, message in problems:
            hits.append(Hit(message, record=record, path=path, at_key=at_key))
    for record in open_records(repo, schemas):  # a value opened is checked as what it holds
        problems = list(schemas.check(record.kind, record.data))
        if problems:
            record.valid = False
            hits = [hit for hit in hits if hit.record is not record]
            hits.extend(Hit(message, record=record, path=path, at_key=at_key) for path, at_key, message in problems)
    repo.schemas = schemas
    repo.schema_problems = hits
    repo.forget_indexes()
    policy = next((r for r in repo.of("policy")), None)
    repo.policy = {**schemas.policy_defaults(), **(policy.data if policy else {})}
    repo.calendar = WorkCalendar(repo.policy["extra_holidays"], repo.policy["extra_workdays"])
    return hits
