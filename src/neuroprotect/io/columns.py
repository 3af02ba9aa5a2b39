"""Column specifications of the tabular inputs (see :func:`neuroprotect.io.tables.read_table`).

Kept apart from the reader so that modules declaring their columns (the CLI's) do not import
pandas when they are imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Column", "Kind"]

Kind = Literal["str", "float", "int", "bool"]


@dataclass(frozen=True)
class Column:
    """A required (or optional) column and the values it may hold."""

    name: str
    kind: Kind = "float"
    required: bool = True
    min: float | None = None
    max: float | None = None
    allow_missing: bool = False
    integer: bool = False
    aliases: tuple[str, ...] = ()

    def expected(self) -> str:
        what = {"str": "text", "float": "a number", "int": "a whole number", "bool": "true/false"}[
            self.kind
        ]
        if self.min is not None and self.max is not None:
            what += f" between {self.min:g} and {self.max:g}"
        elif self.min is not None:
            what += " >= 0" if self.min == 0 else f" >= {self.min:g}"
        return what
