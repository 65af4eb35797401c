"""The models folder: every trained model is kept; the newest one serves.

`python -m bot rollback` sets the newest model aside (models/rolled-back/),
so the one before it serves again; a running bot notices the change and
swaps models without a restart (bot/engine.py, ModelWatcher).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.errors import ModelNotFoundError

ROLLED_BACK = "rolled-back"


def models(folder: Path) -> list[Path]:
    """Trained models, oldest first."""
    return sorted(folder.glob("*.tar.gz"), key=lambda p: (p.stat().st_mtime, p.name))


def latest(folder: Path) -> Path:
    if folder.is_file():
        return folder
    found = models(folder)
    if not found:
        raise ModelNotFoundError(f"No trained model in {folder}: run `make train`.")
    return found[-1]


def rollback(folder: Path) -> tuple[Path, Path]:
    """Set the newest model aside; return (set aside, now serving)."""
    found = models(folder)
    if len(found) < 2:
        raise ModelNotFoundError(f"Nothing to roll back to: {folder} holds {len(found)} model(s).")
    aside = folder / ROLLED_BACK
    aside.mkdir(exist_ok=True)
    moved = Path(shutil.move(str(found[-1]), aside / found[-1].name))
    return moved, found[-2]
