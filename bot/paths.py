"""Where the project's files are: one place, derived from the package location
unless VEIVISER_HOME points elsewhere (e.g. a copy of the project in a test)."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    home = os.environ.get("VEIVISER_HOME")
    return Path(home).resolve() if home else Path(__file__).resolve().parent.parent
