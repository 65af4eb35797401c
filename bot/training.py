"""Training, skipped when nothing the model learns from has changed.

The fingerprint covers the configuration, the domain without the wording of
responses (wording is rendered live from domain.yml and the catalogs, so it
never needs a new model), the NLU and story files, and our NLU components.
It is stored beside each model as ``<model>.inputs``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import yaml

from bot import modelstore
from bot.errors import ModelNotFoundError

log = logging.getLogger(__name__)

TRAINING_DATA = ("nlu", "stories")
SIDECAR = ".inputs"


def fingerprint(root: Path, config: Path) -> str:
    digest = hashlib.sha256()
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8")) or {}
    domain["responses"] = sorted(domain.get("responses") or {})
    digest.update(json.dumps(domain, sort_keys=True, default=str).encode())
    files = [config]
    for name in TRAINING_DATA:
        files += sorted((root / name).rglob("*.yml"))
    files += sorted((root / "bot" / "nlu").glob("*.py"))
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train(root: Path, config: Path, output: Path, fixed_name: str | None = None) -> Path:
    """The newest model in ``output`` if it was trained from the same inputs,
    else a newly trained one."""
    wanted = fingerprint(root, config)
    try:
        newest = modelstore.latest(output)
        sidecar = newest.with_name(newest.name + SIDECAR)
        if fixed_name is None and sidecar.exists() and sidecar.read_text().strip() == wanted:
            log.info("Nothing the model learns from has changed; keeping %s", newest.name)
            return newest
    except ModelNotFoundError:
        pass
    from rasa.api import train as rasa_train

    result = rasa_train(
        domain=str(root / "domain.yml"),
        config=str(config),
        training_files=[str(root / name) for name in TRAINING_DATA],
        output=str(output),
        fixed_model_name=fixed_name,
        force_training=False,
    )
    if result.code != 0 or not result.model:
        raise RuntimeError(f"Training failed with code {result.code}")
    model = Path(result.model)
    model.with_name(model.name + SIDECAR).write_text(wanted + "\n")
    return model
