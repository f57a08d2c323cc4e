"""Run Python in a fresh interpreter with the app's settings: what start-up loads can only be seen in a
process where no other test has imported anything yet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def last_line(code: str, env: dict[str, str] | None = None) -> str:
    """The last line ``code`` prints, run by this interpreter in the repository with the app's settings
    (and ``env`` over the test process's environment)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "duelarena.settings", **(env or {})}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip().splitlines()[-1]


def loaded_after(imports: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` are in ``sys.modules`` once ``imports`` (``import ...`` targets) are imported."""
    return json.loads(
        last_line(f"import json, sys, {imports}; print(json.dumps(sorted(m for m in {modules!r} if m in sys.modules)))")
    )
