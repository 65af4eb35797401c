"""Custom actions, run by the Rasa SDK action server (``python -m rasa_sdk --actions bot.actions``)."""

from bot.actions.founder_centre import ActionShowFounderCentre
from bot.actions.language import ActionChangeLanguage
from bot.actions.recognition import ActionAnswerRecognition

__all__ = ["ActionAnswerRecognition", "ActionChangeLanguage", "ActionShowFounderCentre"]
