"""NLU quality per language on the held-out sets in tests/nlu_heldout/.

``make eval`` trains the shipped configuration from scratch (to measure the
training time), loads it, and reports per language: intent accuracy and
macro-F1 on the held-out examples, plus training time, load time, latency of
one message through NLU and dialogue in-process, and peak memory.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.languages import CODES

HELDOUT = Path("tests") / "nlu_heldout"


@dataclass
class LanguageScore:
    language: str
    examples: int
    accuracy: float
    macro_f1: float
    confusions: list[tuple[str, str, int]]


def load_heldout(root: Path) -> dict[str, list[tuple[str, str]]]:
    """language -> [(text, intent)] from tests/nlu_heldout/<lang>.yml."""
    from rasa.shared.nlu.training_data.loading import load_data

    sets = {}
    for lang in CODES:
        path = root / HELDOUT / f"{lang}.yml"
        if path.exists():
            data = load_data(str(path))
            sets[lang] = [(m.get("text"), m.get("intent")) for m in data.intent_examples]
    return sets


async def score_agent(agent, sets: dict[str, list[tuple[str, str]]]) -> tuple[list[LanguageScore], list[float]]:  # type: ignore[no-untyped-def]
    """Scores per language, and per-message NLU latencies in seconds."""
    from collections import Counter

    from sklearn.metrics import f1_score

    scores, latencies = [], []
    for lang, examples in sets.items():
        truth, predicted = [], []
        for text, intent in examples:
            started = time.perf_counter()
            parsed = await agent.parse_message(text)
            latencies.append(time.perf_counter() - started)
            truth.append(intent)
            predicted.append(parsed["intent"]["name"])
        accuracy = sum(t == p for t, p in zip(truth, predicted, strict=False)) / len(truth)
        macro = f1_score(truth, predicted, average="macro", zero_division=0)
        confusions = Counter((t, p) for t, p in zip(truth, predicted, strict=False) if t != p).most_common(5)
        scores.append(LanguageScore(lang, len(truth), accuracy, float(macro), [(t, p, n) for (t, p), n in confusions]))
    return scores, latencies


def format_scores(scores: list[LanguageScore]) -> str:
    lines = ["| language | examples | intent accuracy | macro-F1 | most confused (true → predicted ×n) |",
             "|---|---:|---:|---:|---|"]
    for s in scores:
        conf = "; ".join(f"{t} → {p} ×{n}" for t, p, n in s.confusions[:3])
        lines.append(f"| {s.language} | {s.examples} | {s.accuracy:.3f} | {s.macro_f1:.3f} | {conf} |")
    total = sum(s.examples for s in scores)
    mean_acc = sum(s.accuracy * s.examples for s in scores) / total
    lines.append(f"| all | {total} | {mean_acc:.3f} | {statistics.mean(s.macro_f1 for s in scores):.3f} | |")
    return "\n".join(lines)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(root: Path, config: Path, report: Path | None) -> int:
    from rasa.core.agent import Agent

    from bot.training import train

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        model = train(root, config, Path(tmp), fixed_name="eval")
        training_s = time.perf_counter() - started
        started = time.perf_counter()
        agent = Agent.load(str(model))
        load_s = time.perf_counter() - started
        scores, latencies = asyncio.run(score_agent(agent, load_heldout(root)))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = (
        f"Configuration: `{config.name}`\n\n{format_scores(scores)}\n\n"
        f"- training time: {training_s:.0f} s\n- model load time: {load_s:.1f} s\n"
        f"- NLU latency per message in-process: median {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {_percentile(latencies, 0.95) * 1000:.1f} ms\n- peak memory (RSS): {peak_mb:.0f} MB\n"
    )
    print(text)
    if report:
        report.write_text(text, encoding="utf-8")
    return 0
