"""Shared CLI helpers: one-line errors and JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer

from neuroprotect.errors import InputError

EXIT_INPUT_ERROR = 2


def fail(message: str) -> NoReturn:
    """Print one line on stderr and exit with code 2."""
    typer.echo(f"error: {' '.join(str(message).split())}", err=True)
    raise typer.Exit(EXIT_INPUT_ERROR)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn user-input errors into one line on stderr and exit code 2 (no traceback)."""
    try:
        yield
    except InputError as exc:
        fail(exc.one_line())
    except (ValueError, OSError, KeyError) as exc:
        fail(str(exc) if not isinstance(exc, KeyError) else f"unknown name {exc}")


def in_file(exc: InputError, table: Any, data: Any) -> InputError:
    """The same error, naming the table and its spreadsheet row (header = row 1).

    ``exc.row`` counts the rows of ``data`` (as read by ``read_table``, from 1); it becomes the
    ``source_row`` of that record. Errors about an option (a field that is not a column, no row)
    are left as they are.
    """
    if exc.file is not None:
        return exc
    if exc.row is None and exc.field is not None and exc.field not in data.columns:
        return exc
    row = exc.row
    if row is not None and 1 <= row <= len(data):
        row = int(data["source_row"].iloc[row - 1])
    return InputError(exc.message, file=table, row=row, field=exc.field)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, allow_nan=False, default=str)
    sys.stdout.write("\n")


def format_cell(value: Any, *, digits: int = 4, missing: str = "NA") -> str:
    """A value for a terminal table: ``digits`` significant figures, NaN/None as ``missing``."""
    import math

    import numpy as np

    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def save_figure(fig: Any, path: Any) -> None:
    """Write a matplotlib Figure (format from the suffix) and say where on stderr."""
    fig.savefig(path, dpi=150)
    typer.echo(f"figure written to {path}", err=True)
