"""Training: Rasa's own fingerprinting skips training when nothing changed."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

TRAINING_DATA = ("nlu", "stories")


def train(root: Path, config: Path, output: Path, fixed_name: str | None = None) -> Path:
    """Train (or reuse) the model for ``config`` into ``output``; return its path."""
    from rasa.api import train as rasa_train

    result = rasa_train(
        domain=str(root / "domain.yml"),
        config=str(config),
        training_files=[str(root / name) for name in TRAINING_DATA],
        output=str(output),
        fixed_model_name=fixed_name,
    )
    if result.code != 0 or not result.model:
        raise RuntimeError(f"Training failed with code {result.code}")
    return Path(result.model)
