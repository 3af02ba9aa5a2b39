"""Shared CLI helpers: one-line errors, JSON output, output paths and batches of files."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer

from neuroprotect.errors import InputError, InputErrors, collect_input_warnings

EXIT_INPUT_ERROR = 2


def fail(message: str) -> NoReturn:
    """Print one line on stderr and exit with code 2."""
    typer.echo(f"error: {' '.join(str(message).split())}", err=True)
    raise typer.Exit(EXIT_INPUT_ERROR)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn user-input errors into one line on stderr and exit code 2 (no traceback).

    Input warnings raised inside (e.g. a CSV read as Windows-1252) are printed as ``warning:``
    lines on stderr.
    """
    notes: list[str] = []
    error: str | None = None
    try:
        with collect_input_warnings() as notes:
            yield
    except InputErrors as exc:  # one line per problem
        for line in exc.lines()[:-1]:
            typer.echo(f"error: {line}", err=True)
        error = exc.lines()[-1]
    except InputError as exc:
        error = exc.one_line()
    except (ValueError, OSError, KeyError) as exc:
        error = str(exc) if not isinstance(exc, KeyError) else f"unknown name {exc}"
    finally:
        for note in notes:
            typer.echo(f"warning: {note}", err=True)
    if error is not None:
        fail(error)


STRICT_HELP = (
    "Refuse the whole batch at the first bad file (one-line error, exit 2) instead of skipping "
    "it with a warning."
)


def strict_option() -> Any:
    """The ``--strict`` option of every command that analyses several files."""
    return typer.Option(False, "--strict", help=STRICT_HELP)


def new_batch(strict: bool, *, global_fields: tuple[str, ...] = ()) -> Any:
    """A :class:`neuroprotect.io.batch.Batch` for a command's per-file loop.

    Inside :func:`user_errors`, each skipped file is printed as one ``warning:`` line, and
    ``batch.finish()`` (all files skipped) or a strict batch's first bad file give one ``error:``
    line and exit code 2.
    """
    from neuroprotect.io.batch import Batch

    return Batch(strict=strict, global_fields=global_fields)


def batch_json(rows: list[dict[str, Any]], batch: Any) -> dict[str, Any]:
    """The ``--json`` document of a batch command: ``{"rows": [...], "skipped": [{"file",
    "reason"}, ...]}``."""
    return {"rows": rows, "skipped": batch.records()}


def note_skipped(batch: Any, *, what: str = "files") -> None:
    """After a text (not JSON) listing: one stderr line counting the skipped files, if any."""
    if batch.skipped:
        typer.echo(
            f"note: {len(batch.skipped)} {what} skipped, {batch.analysed} analysed (see the "
            "warnings above); --strict refuses the batch instead",
            err=True,
        )


SHEET_HELP = "Excel input: the sheet to read, by name or position (1 = first); default the first."


def sheet_option() -> Any:
    """The ``--sheet NAME|INDEX`` option of every command that reads an Excel table."""
    return typer.Option(None, "--sheet", metavar="NAME|INDEX", help=SHEET_HELP)


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


def json_safe(data: Any) -> Any:
    """``data`` with every non-finite float (NaN, ±inf) as None: JSON has no such numbers, and a
    command must not crash on a degenerate fit (e.g. a reading of 1e308) when it prints JSON."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: json_safe(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_safe(v) for v in data]
    item = getattr(data, "item", None)  # numpy scalars
    if callable(item) and getattr(data, "shape", None) == ():
        return json_safe(item())
    return data


def print_json(data: Any) -> None:
    json.dump(json_safe(data), sys.stdout, indent=2, allow_nan=False, default=str)
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


def output_dir(path: Path, *, create: bool = True) -> Path:
    """An output folder, created (with its parents) when missing; one-line error if it cannot be.

    With ``create=False`` only refuse a path that exists and is not a folder (the command creates
    the folder itself once its input is read).
    """
    if not create:
        if path.exists() and not path.is_dir():
            fail(f"{path}: Expected a folder for the output, but got a file")
        return path
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        fail(f"{path}: Expected a folder for the output, but got a file")
    except OSError as exc:
        fail(f"{path}: Expected a folder that can be created, but got: {exc.strerror or exc}")
    return path


def output_file(path: Path) -> Path:
    """An output file's path, its folder created (with parents) when missing.

    Every CLI option that writes a file (``--out``, ``--plot``, ``--key-out``...) passes its path
    through here before writing, so a new folder is made instead of failing with a traceback.
    """
    if path.is_dir():
        fail(f"{path}: Expected an output file name, but got a folder")
    output_dir(path.parent)
    return path


def save_figure(fig: Any, path: Path) -> None:
    """Write a matplotlib Figure (format from the suffix) and say where on stderr."""
    fig.savefig(output_file(path), dpi=150)
    typer.echo(f"figure written to {path}", err=True)
