"""Reporters: one function per format, in one dict by name."""

from __future__ import annotations

from kehu.report.github import render as github
from kehu.report.json import render as json_
from kehu.report.text import render as text

REPORTERS = {"text": text, "json": json_, "github": github}
