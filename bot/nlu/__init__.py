"""Custom Rasa NLU components for text in eight languages and four scripts."""
