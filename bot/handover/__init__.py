"""Handover of complex cases to staff at the regional founder centres (architecture §6)."""
