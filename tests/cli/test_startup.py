"""Start-up: the CLI's top level imports none of the heavy analysis stack (issue 16, part 2).

Analytic check on ``sys.modules`` in a fresh interpreter, not a timing: speed is measured in
benchmarks/bench_startup.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("scipy.stats", "matplotlib", "statsmodels", "rdkit", "skimage", "sqlalchemy", "pandas")


def _imported_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_pulls_in_no_heavy_library() -> None:
    loaded = _imported_after("import neuroprotect.cli.main")
    assert [m for m in HEAVY if m in loaded] == []


def test_top_level_help_imports_no_command_group() -> None:
    code = (
        "import contextlib, io\n"
        "from neuroprotect.cli.main import app\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    app(['--help'])"
    )
    loaded = _imported_after(code)
    assert [m for m in HEAVY if m in loaded] == []
    assert not any(m.startswith("neuroprotect.cli.") and m != "neuroprotect.cli.main"
                   and m not in {"neuroprotect.cli._common", "neuroprotect.cli.lazy"}
                   for m in loaded)  # fmt: skip


@pytest.mark.parametrize("group", ["meta", "stats", "design", "kb", "histology"])
def test_a_group_is_loaded_when_named(group: str) -> None:
    from typer.testing import CliRunner

    from neuroprotect.cli.main import app

    result = CliRunner().invoke(app, [group, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output
