"""The code keeps the rule sets it passes (pyproject's [tool.ruff]): pyflakes, pycodestyle,
bugbear, complexity at most 15, sorted imports. A new violation fails here, not in review."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT


def test_ruff_passes_on_the_whole_project():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is a test dependency (pip install -e '.[test]')"
    run = subprocess.run([ruff, "check", "--no-cache", "--output-format", "concise", "."], cwd=PROJECT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
