"""User-facing input errors.

Every error a user can fix (a bad manifest, a missing file, a non-numeric cell) is an
:class:`InputError`: a ``ValueError`` whose message names the place (file, row, field) and says
what was expected. The CLI prints it as one line and exits with code 2.
"""

from __future__ import annotations

from os import PathLike


class InputError(ValueError):
    """Bad user input, with the place it was found.

    Parameters
    ----------
    message
        What was expected and what was found ("Expected a number, but got 'abc'").
    file
        The file the problem is in, if any.
    row
        1-based data row (the header is row 0), if any.
    field
        Column or manifest field path, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | PathLike[str] | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        text = f"{prefix}: {self.message}" if prefix else self.message
        return " ".join(text.split())  # always one line
