"""The errors of results folders (a module of their own so that every part can raise them)."""

from __future__ import annotations


class ResultsError(OSError):
    """A results folder that cannot be written or read."""


class UnknownColumnError(ResultsError, KeyError):
    """A column or run asked for that a results folder does not hold (a ``KeyError`` too)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DamagedFolder(ResultsError):
    """A results folder whose files do not match what its manifest recorded."""
