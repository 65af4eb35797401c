"""Veiviser's own exception hierarchy, turned into messages or exit codes at the edges."""


class VeiviserError(Exception):
    """Base class for errors Veiviser raises on purpose."""


class ConfigurationError(VeiviserError):
    """A setting is missing or malformed; the message names the variable."""


class ModelNotFoundError(VeiviserError):
    """No trained model where one was expected."""


class ContentError(VeiviserError):
    """Content files (facts, places, catalogs) are malformed."""
