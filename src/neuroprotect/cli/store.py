"""``neuroprotect runs ...``: list and inspect the runs kept in the provenance store."""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from neuroprotect.cli._common import print_json, user_errors
from neuroprotect.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


app = typer.Typer(
    help="Stored runs: list them, show one run's provenance and results.",
    no_args_is_help=True,
)

DB_HELP = (
    "Store: a SQLAlchemy URL (sqlite:///runs.sqlite, postgresql+psycopg://...) or a SQLite file. "
    "Default: $NEUROPROTECT_DATABASE_URL, else neuroprotect.sqlite in the user data directory."
)


def _engine(db: str | None) -> Any:
    from neuroprotect.store import init_db, make_engine

    if db is not None and "://" not in db and not Path(db).expanduser().exists():
        raise InputError("Expected an existing store file, but it does not exist", file=db)
    engine = make_engine(db)
    init_db(engine)
    return engine


def _plain(value: Any) -> Any:
    """JSON-ready scalar: NaN/NA -> None, numpy scalars -> Python, timestamps -> ISO 8601."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _jsonable(data: Any) -> Any:
    """Nested JSON data with NaN/inf replaced by None (JSON has no NaN)."""
    if isinstance(data, dict):
        return {k: _jsonable(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_jsonable(v) for v in data]
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: _plain(v) for k, v in row.items()}
        for row in frame.astype(object).to_dict(orient="records")
    ]


def _fmt(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _blinded_text(run: dict[str, Any]) -> str:
    """``yes`` (analysed on group codes), ``no`` (saying when a key unblinded it), or unknown."""
    blinded = run.get("blinded")
    if blinded is None:
        return "not recorded"
    if blinded:
        return "yes (analysed on group codes)"
    key = (run.get("parameters") or {}).get("unblinded_with_key")
    return f"no (unblinded with key {str(key)[:12]})" if key else "no"


def _df_text(result: dict[str, Any]) -> str:
    """Degrees of freedom as reported: ``4, 43`` for an F test, else the single df."""
    num, den = _plain(result.get("num_df")), _plain(result.get("den_df"))
    if num is not None and den is not None:
        return f"{_fmt(num)}, {_fmt(den)}"
    return _fmt(num if num is not None else result.get("dof"))


def _table(frame: pd.DataFrame, columns: list[str], title: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in frame[columns].itertuples(index=False):
        table.add_row(*(_fmt(v) for v in row))
    Console(width=160).print(table)


@app.command("list")
def list_cmd(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    study: str | None = typer.Option(None, "--study", help="Only runs of this study id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per run)."),
) -> None:
    """List stored runs, oldest first.

    Example: neuroprotect runs list --study imm-h004-mcao --json
    """
    from neuroprotect.store import list_runs

    with user_errors():
        engine = _engine(db)
        try:
            runs = list_runs(engine, study)
        finally:
            engine.dispose()
    if as_json:
        print_json(_records(runs))
        return
    if runs.empty:
        typer.echo("no runs stored" + (f" for study {study!r}" if study else ""))
        return
    shown = runs.assign(
        run_id=runs["run_id"].str[:8],
        blinded=[{True: "yes", False: "no"}.get(b, "") for b in runs["blinded"]],
        started_at=[t.strftime("%Y-%m-%d %H:%M:%S") for t in runs["started_at"]],
    )
    _table(
        shown,
        [
            "run_id",
            "study_id",
            "status",
            "blinded",
            "started_at",
            "package_version",
            "n_measurements",
        ]
        + ["n_results"],
    )


@app.command("show")
def show_cmd(
    run_id: str = typer.Argument(
        ..., help="Run id, or a unique prefix of it (as `runs list` shows)."
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(
        False, "--json", help="Print JSON: run, study, raw files, results."
    ),
) -> None:
    """Show one run: study, provenance (package version, input hash, raw files) and results.

    Example: neuroprotect runs show 3f2a91c0
    """
    import pandas as pd

    from neuroprotect.store import load_run, resolve_run_id

    with user_errors():
        engine = _engine(db)
        try:
            data = load_run(engine, resolve_run_id(engine, run_id))
        finally:
            engine.dispose()
    run, study = data["run"], data["study"]
    measurements: pd.DataFrame = data["measurements"]
    counts = (
        measurements.groupby(["readout", "variable"], dropna=False).size().rename("n").reset_index()
        if len(measurements)
        else pd.DataFrame(columns=["readout", "variable", "n"])
    )
    if as_json:
        print_json(
            {
                "run": {k: _plain(v) for k, v in run.items() if k != "parameters"}
                | {"parameters": _jsonable(run["parameters"])},
                "study": {k: _plain(v) for k, v in study.items() if k != "extra"}
                | {"extra": _jsonable(study["extra"])},
                "raw_files": [asdict(f) for f in data["raw_files"]],
                "measurement_counts": _records(counts),
                "results": _records(data["results"]),
            }
        )
        return
    typer.echo(f"run        {run['run_id']} ({run['status']})")
    typer.echo(f"study      {study['study_id']}: {study['title']}")
    typer.echo(f"blinded    {_blinded_text(run)}")
    typer.echo(f"started    {run['started_at'].isoformat()}")
    finished = run["finished_at"].isoformat() if run["finished_at"] else ""
    typer.echo(f"finished   {finished}")
    typer.echo(f"version    neuroprotect {run['package_version']}")
    typer.echo(f"input hash {run['input_hash']}")
    typer.echo("raw files")
    for f in data["raw_files"]:
        typer.echo(f"  {f.role:<12} {f.sha256[:12]}  {f.size:>10} B  {f.path}")
    if len(counts):
        _table(counts, ["readout", "variable", "n"], title="measurements")
    results: pd.DataFrame = data["results"]
    if len(results):
        _table(
            results.assign(df=[_df_text(r) for r in results.to_dict(orient="records")]),
            ["readout", "variable", "family", "test", "group", "control", "estimate"]
            + ["statistic", "df"]
            + ["p_val", "p_adj", "effect_size", "n"],
            title="results",
        )
