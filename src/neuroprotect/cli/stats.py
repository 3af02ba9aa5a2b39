"""``neuroprotect stats ...``: statistics on any CSV table."""

import typer

app = typer.Typer(
    help="Statistics on a CSV table: repeated measures, power, survival, dose-response, trend.",
    no_args_is_help=True,
)
