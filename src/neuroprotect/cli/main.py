"""``neuroprotect`` command line: ``run``, ``validate``, ``demo``, ``info`` and the area groups."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer

from neuroprotect.cli._common import output_dir, output_file, user_errors
from neuroprotect.cli.lazy import LazyCommand, LazyTyperGroup
from neuroprotect.workflows.provenance import package_versions

app = typer.Typer(
    name="neuroprotect",
    help="Workbench for preclinical neuroprotection studies: analyse a study's raw readouts, "
    "store them with provenance, and write a report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyTyperGroup,
)


@app.command()
def info() -> None:
    """Print the versions of neuroprotect, Python and the core libraries."""
    for name, ver in package_versions().items():
        typer.echo(f"{name:<14} {ver}")


def _progress_runner(quiet: bool) -> Any:
    """A rich progress display driven by the workflow's progress messages (stderr, so --json stays clean)."""
    from contextlib import contextmanager

    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    @contextmanager
    def runner() -> Iterator[Callable[[str], None]]:
        if quiet:
            yield lambda _msg: None
            return
        console = Console(stderr=True)
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("starting", total=None)
            yield lambda msg: bar.update(task, description=msg)

    return runner()


def _echo_run(outcome: Any, db: str | None) -> None:
    """On stderr: where the run was stored (or that an identical one was reused), its warnings."""
    from neuroprotect.store.engine import make_engine, store_name
    from neuroprotect.workflows.outcome import all_warnings

    if outcome.run_id:
        engine = make_engine(db)
        try:
            where = store_name(engine)
        finally:
            engine.dispose()
        state = "already stored (identical inputs), reused" if outcome.reused else "stored"
        typer.echo(f"run {outcome.run_id} {state} in {where}", err=True)
    for w in all_warnings(outcome):
        typer.echo(f"warning: {w}", err=True)


DB_HELP = (
    "Database URL (SQLAlchemy), e.g. sqlite:///study.sqlite. Default: $NEUROPROTECT_DATABASE_URL, "
    "else a SQLite file in the user data directory."
)


#: --allow-outside-paths of run and validate (one definition, one help text).
ALLOW_OUTSIDE_HELP = (
    "Let study.yaml name files outside its own folder (refused by default, so that a manifest "
    "from elsewhere cannot read or write other files); NEUROPROTECT_ALLOW_OUTSIDE_PATHS=1 does "
    "the same."
)


@app.command()
def validate(
    manifest: Path = typer.Argument(..., help="Path of the study.yaml to check."),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="A readout file that would be skipped is an error (as run --strict).",
    ),
    allow_outside_paths: bool = typer.Option(
        False, "--allow-outside-paths", help=ALLOW_OUTSIDE_HELP
    ),
) -> None:
    """Check a study manifest, its animals table and every readout file, without running anything.

    Nothing is analysed, stored or written. Exit code 0 when valid, 2 with a one-line error
    otherwise. A readout file that `run` would skip is a warning line (an error with --strict).
    """
    from neuroprotect.workflows.analyse import validate_study

    with user_errors():
        study = validate_study(
            manifest, strict=strict, allow_outside_paths=allow_outside_paths or None
        )
    typer.echo(f"ok: {study.study_id}: {len(study.groups)} groups, {len(study.readouts)} readouts")


@app.command()
def run(
    manifest: Path = typer.Argument(..., help="Path of the study.yaml to run."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for report.html and results.json."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    no_store: bool = typer.Option(False, "--no-store", help="Analyse and report without storing."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Refuse the run at the first bad readout file (one-line error, exit 2) instead of "
        "skipping the file with a warning listed in the report's quality control.",
    ),
    allow_outside_paths: bool = typer.Option(
        False, "--allow-outside-paths", help=ALLOW_OUTSIDE_HELP
    ),
) -> None:
    """Run a study: read every readout, compute statistics, store the run, write the report.

    A readout file that cannot be analysed (unreadable, no or too few samples, a track outside
    the arena) is skipped with a warning, listed in the report's quality control and in
    results.json's "skipped"; --strict (or "strict: true" on the readout) refuses instead.

    Example: neuroprotect run examples/imm-h004-mcao/study.yaml --out out/
    """
    from neuroprotect.workflows.run import run_study

    output_dir(out, create=False)
    with user_errors(), _progress_runner(quiet) as progress:
        outcome, files = run_study(
            manifest,
            out_dir=out,
            db_url=db,
            store=not no_store,
            progress=progress,
            strict=strict,
            allow_outside_paths=allow_outside_paths or None,
        )
    _echo_run(outcome, db)
    typer.echo(f"results: {files.results}")
    typer.echo(f"report: {files.report}")


@app.command()
def demo(
    out: Path = typer.Option(
        Path("demo-output"), "--out", "-o", help="Folder for the demo study and its outputs."
    ),
    model: str = typer.Option(
        "mcao_r_filament",
        "--model",
        "-m",
        help="Seed model (knowledge-base protocol id or alias); --list shows them.",
    ),
    list_models: bool = typer.Option(False, "--list", help="List the demo models and exit."),
    n_per_group: int | None = typer.Option(
        None, "--n", min=3, help="Animals (or cultures) per group; default: the model's."
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    seed: int = typer.Option(20251201, "--seed", help="Seed of the synthetic data generator."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Generate a simulated demo study of a seed model, run it, store it and write its report.

    Without --model: the IMM-H004 MCAO/R study (as `make demo`). Every demo is marked
    `simulated: true`; its effect sizes are inventions that follow the seeds' directions.

    Example: neuroprotect demo --model 4vo_rat --out demo-4vo
    """
    from neuroprotect.datasets.demo_catalogue import demo_catalogue, make_demo

    if list_models:
        for entry in demo_catalogue():
            aliases = f" (also: {', '.join(entry.aliases)})" if entry.aliases else ""
            typer.echo(f"{entry.protocol:<20} {entry.title}{aliases}")
            typer.echo(f"{'':<20} simulates: {entry.simulates}")
        return
    from neuroprotect.workflows.run import run_study

    output_dir(out, create=False)
    with user_errors(), _progress_runner(quiet) as progress:
        progress("generating the simulated demo study")
        manifest = make_demo(model, out, seed=seed, n_per_group=n_per_group)
        outcome, files = run_study(manifest, out_dir=out, db_url=db, progress=progress)
    typer.echo(f"demo study: {manifest}")
    _echo_run(outcome, db)
    typer.echo(f"results: {files.results}")
    typer.echo(f"report: {files.report.resolve()}")


@app.command()
def unblind(
    manifest: Path = typer.Argument(..., help="study.yaml of the blinded study."),
    key: Path = typer.Option(
        ..., "--key", help="Sealed allocation-key file (from design randomize --seal-key)."
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Unblind a study: open its sealed key with the passphrase and record who did it and when.

    The passphrase comes from $NEUROPROTECT_KEY_PASSPHRASE or a hidden prompt. Later runs of the
    study use the group names; the audit log keeps the unblinding (and any refused attempt).
    """
    from neuroprotect.cli.design import passphrase_from_env_or_prompt
    from neuroprotect.workflows.run import unblind_study

    with user_errors():
        result = unblind_study(
            manifest,
            key_path=key,
            passphrase=passphrase_from_env_or_prompt(confirm=False),
            db_url=db,
        )
    typer.echo(f"unblinded {result['study_id']} at {result['unblinded_at']}")
    for code, group in sorted(result["group_codes"].items()):
        typer.echo(f"  {code} = {group}")


@app.command("readouts")
def readouts_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the readout types a study.yaml can use, with the variables each produces."""
    from neuroprotect.cli._common import print_json
    from neuroprotect.workflows.readouts import readout_types

    types = readout_types()
    if as_json:
        print_json(
            [
                {
                    "type": name,
                    "title": t.title,
                    "description": t.description,
                    "variables": [
                        {"name": v.name, "label": v.label, "unit": v.unit, "ordinal": v.ordinal}
                        for v in t.variables
                    ],
                }
                for name, t in types.items()
            ]
        )
        return
    for name, t in types.items():
        names = ", ".join(v.name for v in t.variables) or "set by the readout's parameters"
        typer.echo(f"{name:<18} {t.title}: {t.description}\n{'':<18} variables: {names}")


@app.command("schema")
def schema_cmd(
    out: Path | None = typer.Option(None, "--out", help="Write to this file instead of stdout."),
) -> None:
    """Print the JSON Schema of study.yaml."""
    import json

    from neuroprotect.schema.manifest import study_json_schema

    text = json.dumps(study_json_schema(), indent=2) + "\n"
    if out:
        output_file(out).write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


#: Top-level command groups (and ``meta``), imported only when a command line names them: each with
#: its one-line summary for ``neuroprotect --help`` (tests/cli/test_startup.py checks it is the
#: group's own help) and the Typer apps (module, attribute) whose commands make it up. A group's
#: verbs live in modules by topic; the first app gives the group its help text.
COMMAND_GROUPS: dict[str, LazyCommand] = {
    "meta": LazyCommand(
        "Meta-analysis of treatment-vs-control comparisons (CAMARADES style).",
        (("meta", "meta_command"),),
    ),
    "stats": LazyCommand(
        "Statistics on any CSV/XLSX table: compare groups, curves, power.",
        (
            ("stats", "stats_app"),
            ("stats_repeated", "stats_extra_app"),
            ("stats_curves", "app"),
            ("stats_synergy", "app"),
        ),
    ),
    "design": LazyCommand(
        "Draft, size, randomise, blind; dosing, dose conversion, checklist",
        (("design", "app"),),
        # Planning a study's n is a design step too: the same command as `stats power`.
        extra=(("power", "stats_repeated", "power"),),
    ),
    "behavior": LazyCommand(
        "Video tracking, water maze, strategies, Y-maze, open field, passive avoidance.",
        (("behavior", "app"), ("behavior_other", "app"), ("behavior_video", "app")),
    ),
    "assay": LazyCommand(
        "ELISA, binding, Griess, NOS, qPCR, western; viability, ROS, ATP, LDH.",
        (("assay", "app"), ("assay_molecular", "molecular_app"), ("assay_invitro", "app")),
    ),
    "kb": LazyCommand(
        "Look up the cited knowledge base: compounds, targets, efficacy.", (("kb", "kb_app"),)
    ),
    "runs": LazyCommand(
        "Stored runs: list them, show one run's provenance and results.", (("store", "app"),)
    ),
    "histology": LazyCommand(
        "Histology images: TTC infarct, Nissl neurons, nuclei, TUNEL, DAB IHC.",
        (
            ("histology", "app"),
            ("histology_cells", "app"),
            ("histology_nuclei", "app"),
            ("histology_train", "app"),
        ),
    ),
    "users": LazyCommand(
        "Web app accounts: add, list, disable, enable, reset.", (("users", "app"),)
    ),
    "serve": LazyCommand(
        "Start the web app (pages and JSON API) and its job worker.",
        (("serve", "serve"),),
    ),
}
LazyTyperGroup.lazy = COMMAND_GROUPS

if __name__ == "__main__":  # pragma: no cover
    app()
