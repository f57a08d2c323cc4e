"""Print the runtime dependencies of pyproject.toml (no dev extras), for the image's pip install."""

import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
print("\n".join(project["dependencies"]))
