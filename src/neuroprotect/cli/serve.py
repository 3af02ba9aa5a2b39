"""``neuroprotect serve``: the lab web app and its job worker, in one command."""

from __future__ import annotations

from pathlib import Path

import typer

from neuroprotect.cli._common import fail, user_errors

DB_HELP = (
    "Database URL (SQLAlchemy), e.g. postgresql+psycopg://user@host/lab or sqlite:///lab.sqlite. "
    "Default: $NEUROPROTECT_DATABASE_URL, else a SQLite file in the user data directory."
)


def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (loopback by default; 0.0.0.0 for all)."
    ),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    data_dir: Path | None = typer.Option(
        None,
        "--data-dir",
        help="Folder for uploaded files (kept by SHA-256) and run reports. "
        "Default: $NEUROPROTECT_DATA_DIR, else 'web' in the user data directory.",
    ),
    job_workers: int = typer.Option(
        1, "--job-workers", min=1, help="Runs at once (worker threads; each run uses one core)."
    ),
    secure_cookies: bool = typer.Option(
        False, "--secure-cookies", help="Send cookies over HTTPS only (behind a TLS proxy)."
    ),
) -> None:
    """Start the web app (pages and JSON API) and its job worker.

    Example: neuroprotect users add pi@lab.org --role admin, then neuroprotect serve, and open
    http://127.0.0.1:8000 . The JSON API is documented at /openapi.json.
    """
    try:
        import uvicorn

        from neuroprotect.web.app import create_app
        from neuroprotect.web.settings import WebSettings
    except ImportError as exc:
        fail(f"the web app needs the [web] extra: pip install 'neuroprotect[web]' ({exc})")
    with user_errors():
        settings = WebSettings.from_env(database_url=db, data_dir=data_dir)
        settings = settings.model_copy(
            update={"secure_cookies": secure_cookies, "job_workers": job_workers}
        )
        app = create_app(settings)
    typer.echo(
        f"neuroprotect web app on http://{host}:{port}  (data: {settings.data_dir})", err=True
    )
    uvicorn.run(app, host=host, port=port, log_level="info")
