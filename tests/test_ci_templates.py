"""The ready-to-copy CI files parse and call kehu only with commands and options it has."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from conftest import PROJECT
from kehu.cli import cli

TEMPLATES = [PROJECT / "docs/ci/github-workflow.yml", PROJECT / "docs/ci/gitlab-ci.yml", PROJECT / ".pre-commit-hooks.yaml"]


def kehu_calls(text: str):
    joined = re.sub(r"\\\n\s*", " ", text)
    for match in re.finditer(r"(?<![\w-])kehu ([a-z]+)([^\n|;&]*)", joined):
        yield match.group(1), shlex.split(re.sub(r"\$\{\{[^}]*\}\}|\"\$[^\"]*\"|\$\w+", "X", match.group(2)))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_is_yaml_and_calls_real_options(path):
    text = path.read_text(encoding="utf-8")
    yaml.safe_load(text)
    calls = list(kehu_calls(text))
    assert calls, path
    for command, words in calls:
        assert command in cli.commands, (path.name, command)
        known = {opt for param in cli.commands[command].params for opt in param.opts}
        for word in words:
            if word.startswith("--"):
                assert word.split("=")[0] in known, (path.name, command, word)
