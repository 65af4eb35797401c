"""Veiviser: a multilingual assistant for immigrant founders and career seekers in Norway."""

__version__ = "0.1.0"
