"""User-facing input errors.

Every error a user can fix (a bad manifest, a missing file, a non-numeric cell) is an
:class:`InputError`: a ``ValueError`` whose message names the place (file, row, field) and says
what was expected. The CLI prints it as one line and exits with code 2.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
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


class InputErrors(InputError):
    """Several problems found in one input file, reported together, one line each.

    ``str()`` joins them with "; " (one line); :meth:`lines` gives ``file: problem`` per problem.
    """

    def __init__(self, problems: list[str], *, file: str | PathLike[str] | None = None) -> None:
        self.problems = [" ".join(p.split()) for p in problems]
        super().__init__("; ".join(self.problems), file=file)

    def lines(self) -> list[str]:
        prefix = f"{self.file}: " if self.file else ""
        return [prefix + p for p in self.problems]


class InputWarning(UserWarning):
    """Input that was read, but with an assumption the user should check (e.g. its encoding).

    Raised with :func:`warnings.warn`; the CLI prints each as one ``warning:`` line on stderr and
    ``neuroprotect run`` lists them among the run's warnings.
    """


@contextmanager
def collect_input_warnings() -> Iterator[list[str]]:
    """Collect the messages of :class:`InputWarning` raised inside (other warnings pass through).

    The list is filled when the block ends (also when it raises).
    """
    messages: list[str] = []
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as recorded:
            caught = recorded
            warnings.simplefilter("always", InputWarning)
            yield messages
    finally:
        # Outside the ``with``: inside it, showwarning would append to ``caught`` (endless loop).
        for w in caught:
            if issubclass(w.category, InputWarning):
                messages.append(" ".join(str(w.message).split()))
            else:  # not ours: shown as Python would have
                warnings.showwarning(w.message, w.category, w.filename, w.lineno)
