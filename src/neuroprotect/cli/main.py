"""``neuroprotect`` command line: ``run``, ``validate``, ``demo``, ``info`` and the area groups."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import typer

import neuroprotect
from neuroprotect.cli._common import user_errors
from neuroprotect.cli.stats import stats_app

app = typer.Typer(
    name="neuroprotect",
    help="Workbench for preclinical neuroprotection studies: analyse a study's raw readouts, "
    "store them with provenance, and write a report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.add_typer(stats_app, name="stats")

CORE_PACKAGES = ("numpy", "scipy", "pandas", "statsmodels", "pydantic", "sqlalchemy", "matplotlib")


def package_versions() -> dict[str, str]:
    out = {"neuroprotect": neuroprotect.__version__, "python": platform.python_version()}
    for name in CORE_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


@app.command()
def info() -> None:
    """Print the versions of neuroprotect, Python and the core libraries."""
    for name, ver in package_versions().items():
        typer.echo(f"{name:<14} {ver}")


@app.command()
def validate(
    manifest: Path = typer.Argument(..., help="Path of the study.yaml to check."),
) -> None:
    """Check a study manifest, its animals table and its readout files without running anything."""
    from neuroprotect.schema.manifest import load_study

    with user_errors():
        study = load_study(manifest)
    typer.echo(f"ok: {study.study_id} ({len(study.groups)} groups, {len(study.readouts)} readouts)")


if __name__ == "__main__":  # pragma: no cover
    app()
