"""Run a command on a damaged file and check it ends as a user may see it end."""

from __future__ import annotations

import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from typer.testing import CliRunner

from neuroprotect.cli.main import app

runner = CliRunner()

#: Longest a single case may take before it counts as a hang.
HANG_S = 60


@contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    def _raise(signum: int, frame: object) -> None:
        raise TimeoutError(f"the command did not end within {seconds} s")

    old = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def check_command(
    files: dict[str, bytes], args: Callable[[dict[str, Path], Path], Sequence[str]]
) -> None:
    """Write ``files`` into a fresh folder, run ``neuroprotect *args(paths, folder)`` and check it
    ends in a result (exit 0) or one-line errors (exit 2): no traceback, no other exit code."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = {}
        for name, data in files.items():
            paths[name] = folder / name
            paths[name].write_bytes(data)
        argv = [str(a) for a in args(paths, folder)]
        with _alarm(HANG_S):
            result = runner.invoke(app, argv, catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(
                f"neuroprotect {' '.join(argv[:3])} raised {type(result.exception).__name__}: "
                f"{result.exception}"
            ) from result.exception
        assert result.exit_code in (0, 2), (result.exit_code, result.output[-500:])
        assert "Traceback" not in result.output
        if result.exit_code == 2:
            errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
            assert errors, result.stderr[-500:]
            others = [
                ln
                for ln in result.stderr.splitlines()
                if ln.strip() and not ln.startswith(("error: ", "warning: "))
            ]
            assert others == [], others
