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


#: Groups whose --help may still pull a heavy library: histology's modules are being reworked by
#: another session (its image stack is imported at their top).
HEAVY_HELP_ALLOWED: set[str] = set()  # groups whose --help may still import the stack


def _help_imports(argv: list[str]) -> set[str]:
    code = (
        "import contextlib, io\n"
        "from neuroprotect.cli.main import app\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        f"    app({argv!r})"
    )
    return _imported_after(code)


def _groups() -> list[str]:
    from neuroprotect.cli.main import COMMAND_GROUPS

    return sorted(COMMAND_GROUPS)


@pytest.mark.parametrize("group", _groups())
def test_a_groups_help_imports_no_heavy_library(group: str) -> None:
    if group in HEAVY_HELP_ALLOWED:
        pytest.skip(f"{group} --help still imports its analysis stack (see HEAVY_HELP_ALLOWED)")
    loaded = _help_imports([group, "--help"])
    assert [m for m in HEAVY if m in loaded] == []


@pytest.mark.parametrize("command", ["run", "validate", "unblind", "readouts", "schema"])
def test_a_top_level_commands_help_imports_no_heavy_library(command: str) -> None:
    loaded = _help_imports([command, "--help"])
    assert [m for m in HEAVY if m in loaded] == []


def test_kb_show_imports_neither_rdkit_nor_pandas() -> None:
    code = (
        "import contextlib, io\n"
        "from neuroprotect.cli.main import app\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    app(['kb', 'show', 'igmesine'])"
    )
    loaded = _imported_after(code)
    assert [m for m in ("rdkit", "pandas", "scipy.stats", "matplotlib") if m in loaded] == []


def test_lazy_package_attributes_keep_the_public_api() -> None:
    import neuroprotect.design as design
    import neuroprotect.io as io_pkg
    import neuroprotect.stats as stats

    for pkg in (stats, io_pkg, design):
        for name in pkg.__all__:
            assert getattr(pkg, name) is not None, name
        assert set(pkg.__all__) <= set(dir(pkg))
    with pytest.raises(AttributeError):
        _ = stats.no_such_function  # type: ignore[attr-defined]


@pytest.mark.parametrize("group", ["meta", "stats", "design", "kb", "histology"])
def test_a_group_is_loaded_when_named(group: str) -> None:
    from typer.testing import CliRunner

    from neuroprotect.cli.main import app

    result = CliRunner().invoke(app, [group, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output
