"""A record schema -> the fields of a form on the site, as HTML.

Everything a field shows comes from the schema: its Chinese title and description, whether
it is required, an enumeration as choices, a date or time as the phone's date picker, a
phone pattern as the phone keypad, a staff reference as a list of the people who work here.
A property added to a schema appears on the form at the next build; nothing is written twice.
The values themselves are checked in the browser against the same schema (kehu-forms.js).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

# text fields people write sentences into: a text area instead of one line
MULTILINE = frozenset({"summary", "description", "notes", "resolution", "comment", "reason", "note", "address"})
# $defs whose values name a person: a choice among the staff
STAFF_REFS = ("#/$defs/staffRef", "#/$defs/ownerRef")
CUSTOMER_REF = "#/$defs/customerRef"
CHIPS_AT_MOST = 12  # an enumeration this short is shown as buttons to tap, a longer one as a list


@dataclass
class Field:
    path: str  # "source.channel"
    title: str
    description: str
    widget: str  # chips, bool, date, datetime, staff, customer, number, integer, phones, list, text, textarea
    required: bool
    choices: list = field(default_factory=list)


class SchemaFields:
    """The fields of one record kind, read from its schema document and the common one."""

    def __init__(self, documents: dict, kind: str):
        self.documents = documents
        self.kind = kind
        self.root = documents[f"{kind}.schema.json"]

    def resolve(self, node: dict, document: str | None = None) -> dict:
        return self.locate(node, document)[0]

    def locate(self, node: dict, document: str | None = None) -> tuple[dict, str]:
        """A node with its $ref followed (and the referring node's own keys on top), and the
        document it was found in: a $ref without a file name points into its own document."""
        document = document or f"{self.kind}.schema.json"
        ref = node.get("$ref")
        if not ref:
            return node, document
        name, _, pointer = ref.partition("#")
        target = self.documents[name or document]
        for part in filter(None, pointer.split("/")):
            target = target[part]
        spec, found_in = self.locate(target, name or document)
        return {**spec, **{k: v for k, v in node.items() if k != "$ref"}}, found_in

    def fields(self, skip: tuple = ()) -> list[Field]:
        """Every property a form can fill, in the schema's order; objects of simple values
        give one field per value (source.channel); lists of mappings are left out."""
        return list(self._walk(self.root, "", True, set(skip), f"{self.kind}.schema.json"))

    def _walk(self, node: dict, prefix: str, parent_required: bool, skip: set, document: str):
        required = set(node.get("required", ()))
        for name, raw in node.get("properties", {}).items():
            path = f"{prefix}{name}"
            if path in skip:
                continue
            spec, found_in = self.locate(raw, document)
            is_required = parent_required and name in required
            if spec.get("type") == "object":
                yield from self._walk(spec, f"{path}.", is_required, skip, found_in)
                continue
            widget = self.widget(name, raw, spec, found_in)
            if widget is None:
                continue
            choices = list(spec.get("enum", ()))
            yield Field(path, spec.get("title", name), spec.get("description", ""), widget, is_required, choices)

    def widget(self, name: str, raw: dict, spec: dict, document: str) -> str | None:
        ref = raw.get("$ref", "")
        kind = spec.get("type")
        if ref.endswith(STAFF_REFS):
            return "staff"
        if ref.endswith(CUSTOMER_REF):
            return "customer"
        if "enum" in spec:
            return "chips" if len(spec["enum"]) <= CHIPS_AT_MOST else "select"
        if kind == "boolean":
            return "bool"
        if kind in ("number", "integer"):
            return kind
        if kind == "array":
            items = self.resolve(spec.get("items", {}), document)
            if items.get("type") != "string":
                return None  # lists of mappings (owner_history, escalations) have their own tools
            return "phones" if "phone" in items.get("title", "") or name == "phones" else "list"
        if kind == "string":
            fmt = spec.get("format")
            if fmt == "date":
                return "date"
            if fmt == "kehu-datetime":
                return "datetime"
            if "电话" in spec.get("title", "") and "pattern" in spec:
                return "tel"
            return "textarea" if name in MULTILINE else "text"
        return None


def field_html(f: Field, staff: list[dict], default: str | None = None) -> str:
    """One field: label (with * when required), the input, the schema's description, and
    the place its error message goes. Every text from a schema is escaped. `default` is
    filled in by the browser ("now": the current time, "me": the person using the form)."""
    e = html.escape
    ident = "f-" + f.path.replace(".", "-")
    star = '<span class="kehu-req" title="必填">*</span>' if f.required else ""
    attrs = f'class="kehu-field" data-path="{e(f.path)}" data-widget="{f.widget}"' + (" data-required" if f.required else "")
    attrs += f' data-default="{e(default)}"' if default is not None else ""
    control = _control(f, ident, staff)
    label = f'<label class="kehu-label" for="{ident}">{e(f.title)}{star}</label>'
    if f.widget in ("chips", "bool"):
        label = f'<span class="kehu-label" id="{ident}-label">{e(f.title)}{star}</span>'
    help_text = f'<p class="kehu-help">{e(f.description)}</p>' if f.description else ""
    error = f'<p class="kehu-error" data-error-for="{e(f.path)}" role="alert" hidden></p>'
    return f"<div {attrs}>{label}{control}{error}{help_text}</div>"


def _control(f: Field, ident: str, staff: list[dict]) -> str:
    e = html.escape
    name = e(f.path)
    if f.widget in ("chips", "bool"):
        values = [("true", "是"), ("false", "否")] if f.widget == "bool" else [(c, c) for c in f.choices]
        chips = "".join(f'<label class="kehu-chip"><input type="radio" name="{name}" value="{e(str(v))}">'
                        f"<span>{e(str(text))}</span></label>" for v, text in values)
        return f'<div class="kehu-chips" role="radiogroup" aria-labelledby="{ident}-label" id="{ident}">{chips}</div>'
    if f.widget == "select":
        options = '<option value=""></option>' + "".join(f'<option value="{e(str(c))}">{e(str(c))}</option>' for c in f.choices)
        return f'<select id="{ident}" name="{name}">{options}</select>'
    if f.widget == "staff":
        options = '<option value="">（请选择）</option>' + "".join(
            f'<option value="{e(s["id"])}">{e(s["name"])}（{e(s["id"])}）</option>' for s in staff if s["active"])
        return f'<select id="{ident}" name="{name}">{options}</select>'
    if f.widget == "textarea":
        return f'<textarea id="{ident}" name="{name}" rows="3"></textarea>'
    if f.widget == "phones":
        return (f'<div class="kehu-phones" id="{ident}"><input type="tel" inputmode="tel" autocomplete="off" name="{name}" '
                f'aria-label="{e(f.title)}"></div><button type="button" class="kehu-more-phone">＋ 再加一个号码</button>')
    kinds = {"date": 'type="date"', "datetime": 'type="datetime-local" step="60"', "tel": 'type="tel" inputmode="tel"',
             "number": 'type="text" inputmode="decimal"', "integer": 'type="text" inputmode="numeric"',
             "customer": 'type="text" autocapitalize="characters" placeholder="C2025-0001"',
             "list": 'type="text" placeholder="用逗号或顿号分开"'}
    kind = kinds.get(f.widget, 'type="text"')
    return f'<input id="{ident}" name="{name}" {kind} autocomplete="off">'
