"""Translation catalogs and locale-aware formatting (Babel)."""

from bot.i18n.catalog import Catalogs
from bot.i18n.formatting import format_figure, format_long_date

__all__ = ["Catalogs", "format_figure", "format_long_date"]
