"""TF-IDF character and word n-gram features on normalised text.

Raw counts of character n-grams weigh frequent, uninformative n-grams too much
across eight languages; sublinear TF-IDF on script-normalised text separates
close intents better (measured in docs/benchmarks.md). The features are
sentence-level and sparse, for DIET or a linear classifier.
"""

from __future__ import annotations

import pickle
from typing import Any

import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.nlu.normalize import normalize

_FILE = "vectorizers.pkl"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class TfidfFeaturizer(SparseFeaturizer, GraphComponent):
    """Sentence features: sublinear TF-IDF over char_wb and word n-grams."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **SparseFeaturizer.get_default_config(),
            "char_ngram_range": [2, 5],
            "word_ngram_range": [1, 2],
            "max_features": 60000,
            "min_df": 1,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        low, high = config["char_ngram_range"]
        if not 1 <= low <= high:
            raise ValueError("char_ngram_range must be [low, high] with 1 <= low <= high")

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vectorizers: list[TfidfVectorizer] | None = None,
    ) -> None:
        super().__init__(resource.name, config)
        self._model_storage = model_storage
        self._resource = resource
        self.vectorizers = vectorizers or []

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TfidfFeaturizer:
        return cls(config, model_storage, resource)

    def _new_vectorizers(self) -> list[TfidfVectorizer]:
        common = {"preprocessor": normalize, "sublinear_tf": True, "min_df": self._config["min_df"]}
        return [
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=tuple(self._config["char_ngram_range"]),
                max_features=self._config["max_features"],
                **common,
            ),
            TfidfVectorizer(
                analyzer="word",
                ngram_range=tuple(self._config["word_ngram_range"]),
                token_pattern=r"(?u)\b\w+\b",
                **common,
            ),
        ]

    def train(self, training_data: TrainingData) -> Resource:
        texts = [m.get(TEXT) for m in training_data.training_examples if m.get(TEXT)]
        self.vectorizers = self._new_vectorizers()
        for vectorizer in self.vectorizers:
            vectorizer.fit(texts)
            # a set whose pickled order changes with hash randomisation: without it
            # the saved file is byte-identical for identical data, so Rasa's cache
            # recognises it and `make train` skips work when nothing changed
            if hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _FILE).write_bytes(pickle.dumps(self.vectorizers))
        return self._resource

    def _featurize(self, messages: list[Message]) -> None:
        todo = [m for m in messages if m.get(TEXT)]
        if not todo or not self.vectorizers:
            return
        texts = [m.get(TEXT) for m in todo]
        matrix = scipy.sparse.hstack([v.transform(texts) for v in self.vectorizers]).tocsr()
        for row, message in enumerate(todo):
            self.add_features_to_message(None, matrix[row].tocoo(), TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TfidfFeaturizer:
        try:
            with model_storage.read_from(resource) as directory:
                vectorizers = pickle.loads((directory / _FILE).read_bytes())  # noqa: S301 (our own model file)
        except ValueError:
            vectorizers = None
        return cls(config, model_storage, resource, vectorizers)
