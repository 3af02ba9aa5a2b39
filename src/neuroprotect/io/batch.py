"""Batches that keep going: one bad file (or trial) is skipped with a reason, the rest analysed.

The one rule every command and study readout that takes several files follows:

* a file or trial that fails a per-file check (no samples, too few samples, a track outside the
  arena, an unreadable or truncated file, the wrong format) is **skipped**: a :class:`Skipped`
  record the caller lists (``"skipped": [{"file", "reason"}]`` in JSON) and, from
  :meth:`Batch.finish`, one :class:`~neuroprotect.errors.InputWarning` naming the file and the
  reason (the CLI prints it as a ``warning:`` line, a study run keeps it among its warnings);
* with ``strict=True`` the first bad file stops the batch with its own one-line error;
* when every file was skipped, :meth:`Batch.finish` raises :class:`NothingAnalysed` (a batch of a
  single item raises that item's own error, as a single file always did);
* errors that do not depend on the file (a bad option, an unusable arena or manifest) are
  checked before the per-file loop, or named in ``global_fields``, and always stop the batch.

Usage::

    batch = Batch(strict=strict)
    for path in files:
        with batch.item(path):
            results.append(analyse(read(path)))   # skipped when it raises a per-file error
    batch.finish()          # one warning per skipped file; NothingAnalysed when all were skipped

Warnings raised while a skipped file was read (e.g. its encoding) are dropped with it: a skipped
file gives exactly one warning line.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from neuroprotect.errors import InputError, InputWarning

__all__ = ["PER_FILE_ERRORS", "Batch", "BatchStop", "NothingAnalysed", "Skipped"]

#: What a bad file raises while it is read or analysed: InputError (a ValueError), pandas parser
#: errors and UnicodeDecodeError (ValueErrors), unreadable files and images (OSError, which PIL's
#: UnidentifiedImageError is). Anything else is a bug and is never swallowed.
PER_FILE_ERRORS: tuple[type[BaseException], ...] = (ValueError, OSError)


@dataclass(frozen=True)
class Skipped:
    """A file (or one trial of it) left out of a batch, and why."""

    file: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "reason": self.reason}

    def one_line(self) -> str:
        """The warning line: ``FILE: skipped: REASON``."""
        return f"{self.file}: skipped: {self.reason}"


class NothingAnalysed(InputError):
    """Every file of a batch was skipped: there is no result to give."""


class BatchStop(InputError):
    """An error met while one file was handled that is not about that file (e.g. a layout naming
    samples that are not animals of the study): it stops the batch instead of skipping the file."""


def _same_file(a: str | None, b: str) -> bool:
    if a is None:
        return False
    if a == b:
        return True
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def skip_reason(exc: BaseException, file: str) -> str:
    """One line saying why ``file`` failed, without repeating the file name."""
    if isinstance(exc, InputError):
        if _same_file(exc.file, file):
            return InputError(exc.message, row=exc.row, field=exc.field).one_line()
        return exc.one_line()
    text = " ".join(str(exc).split())
    kind = type(exc).__name__
    if isinstance(exc, OSError):
        return f"Expected a readable file, but reading it failed ({exc.strerror or text or kind})"
    return (
        f"Expected a file the analysis can use, but it failed ({kind}: {text})"
        if text
        else (f"Expected a file the analysis can use, but it failed ({kind})")
    )


@dataclass
class Batch:
    """Collects what a per-file loop skipped; see the module docstring.

    Parameters
    ----------
    strict
        Refuse the batch at the first bad file (its own one-line error) instead of skipping it.
    global_fields
        Fields of an :class:`~neuroprotect.errors.InputError` (raised without a file or row) that
        name an option of the analysis, not a property of the file (e.g. ``centre_fraction``):
        such an error stops the batch. Fields starting with ``--`` always do.
    """

    strict: bool = False
    global_fields: Collection[str] = ()
    skipped: list[Skipped] = field(default_factory=list)
    analysed: int = 0
    _warned: int = field(default=0, init=False, repr=False)
    _errors: list[InputError] = field(default_factory=list, init=False, repr=False)

    def _is_global(self, exc: BaseException) -> bool:
        if isinstance(exc, (NothingAnalysed, BatchStop)):
            return True
        if not isinstance(exc, InputError) or exc.field is None:
            return False
        if exc.file is not None or exc.row is not None:
            return False
        return exc.field.startswith("--") or exc.field in self.global_fields

    @contextmanager
    def item(
        self,
        file: str | PathLike[str],
        *,
        name: str | None = None,
        trial: str | None = None,
        about: str | None = None,
        members: Mapping[str, str] | None = None,
        count: bool = True,
    ) -> Iterator[None]:
        """Run the block for one file (or one ``trial`` of it); skip it on a per-file error.

        ``name`` is how the file is listed (e.g. relative to a study's manifest; default the path
        as given). ``about`` prefixes the reason (e.g. ``animal R3`` for one animal's photos);
        ``trial`` is ``about="trial <trial>"``. ``members`` (path -> listed name) makes the item a
        group of files (one animal's slice photos): the skipped record names the member the
        error names, else ``file``. In strict mode the error is raised again, naming the file
        when it did not.
        ``count=False`` for a step that is not the analysis itself (reading files whose trials are
        then checked one by one): it does not count as analysed.
        """
        path = str(file)
        name = name or path
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InputWarning)
            try:
                yield
            except PER_FILE_ERRORS as exc:
                if self._is_global(exc):
                    raise
                failed: BaseException | None = exc
            else:
                failed = None
        # Outside catch_warnings: re-issue what the block warned (a skipped file's input
        # warnings go with it; other warnings always pass on).
        for w in caught:
            if failed is None or not issubclass(w.category, InputWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if failed is None:
            self.analysed += int(count)
            return
        if members and isinstance(failed, InputError) and failed.file is not None:
            for member, shown in members.items():
                if _same_file(failed.file, str(member)):
                    path, name = str(member), shown
        reason = skip_reason(failed, path)
        if trial is not None and about is None:
            about = f"trial {trial}" if trial not in reason else None
        if about:
            reason = f"{about}: {reason}"
        error = (
            failed
            if isinstance(failed, InputError) and failed.file is not None and trial is None
            else InputError(reason, file=name)
        )
        if self.strict:
            raise error from None
        self.skipped.append(Skipped(name, reason))
        self._errors.append(error)

    def finish(self, *, what: str = "files") -> None:
        """End the batch: one warning per skipped item, or an error when nothing was analysed.

        Raises
        ------
        InputError
            The one item tried was skipped: its own error (as a single file always gave).
        NothingAnalysed
            Several items were tried and every one was skipped (after their warnings).
        """
        if self.analysed == 0 and len(self.skipped) == 1:
            raise self._errors[0]
        for record in self.skipped[self._warned :]:  # each once, also when finished twice
            warnings.warn(record.one_line(), InputWarning, stacklevel=2)
        self._warned = len(self.skipped)
        if self.analysed == 0 and self.skipped:
            first = self.skipped[0]
            raise NothingAnalysed(
                f"Expected at least one of the {len(self.skipped)} {what} to be analysed, but all "
                f"were skipped (first: {first.file}: {first.reason})"
            )

    def records(self) -> list[dict[str, Any]]:
        """``[{"file", "reason"}, ...]`` for JSON and results tables."""
        return [s.to_dict() for s in self.skipped]
