"""``neuroprotect users``: accounts of the web app (add, list, disable, enable, reset)."""

from __future__ import annotations

import sys
from typing import Any

import typer

from neuroprotect.cli._common import fail, print_json, user_errors

app = typer.Typer(
    help="Web app accounts: add, list, disable, enable, reset.",
    no_args_is_help=True,
)

DB_HELP = "Database URL (SQLAlchemy) or SQLite file; default as for `neuroprotect serve`."
ROLE_HELP = (
    "admin (users, everything), pi (own studies, allocation, audit), analyst (upload, run, "
    "results), scorer (blinded: upload, group codes only)."
)


def _security() -> Any:
    try:
        from neuroprotect.web import security
    except ImportError as exc:
        fail(f"accounts need the [web] extra: pip install 'neuroprotect[web]' ({exc})")
    return security


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return str(password)


def _engine(db: str | None) -> Any:
    from neuroprotect.store.engine import init_db, make_engine

    engine = make_engine(db)
    init_db(engine)
    return engine


@app.command("add")
def add(
    email: str = typer.Argument(..., help="E-mail address (the login name)."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Create an account. Example: neuroprotect users add pi@lab.org --role admin"""
    from neuroprotect.store.accounts import add_user, check_role, normalise_email

    security = _security()
    with user_errors():
        normalise_email(email), check_role(role)
        password_hash = security.hash_password(_read_password(password_stdin))
        engine = _engine(db)
        try:
            user = add_user(engine, email, role=role, password_hash=password_hash)
        finally:
            engine.dispose()
    typer.echo(f"added {user.email} ({user.role})")


@app.command("list")
def list_cmd(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the accounts: e-mail, role, active, locked until."""
    from neuroprotect.store.accounts import list_users

    with user_errors():
        engine = _engine(db)
        try:
            users = list_users(engine)
        finally:
            engine.dispose()
    rows = [
        {
            "email": u.email,
            "role": u.role,
            "active": u.active,
            "locked_until": u.locked_until.isoformat() if u.locked_until else None,
            "created_at": u.created_at.isoformat(),
        }
        for u in users
    ]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        state = "active" if r["active"] else "disabled"
        locked = f", locked until {r['locked_until']}" if r["locked_until"] else ""
        typer.echo(f"{r['email']:<32} {r['role']:<8} {state}{locked}")


def _set_active(email: str, db: str | None, active: bool) -> None:
    from neuroprotect.store.accounts import set_active

    with user_errors():
        engine = _engine(db)
        try:
            user = set_active(engine, email, active=active)
        finally:
            engine.dispose()
    typer.echo(f"{'enabled' if active else 'disabled'} {user.email}")


@app.command("disable")
def disable(
    email: str = typer.Argument(..., help="E-mail address of the account."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Disable an account (its sessions end; its history stays)."""
    _set_active(email, db, False)


@app.command("enable")
def enable(
    email: str = typer.Argument(..., help="E-mail address of the account."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Enable a disabled account again."""
    _set_active(email, db, True)


@app.command("reset")
def reset(
    email: str = typer.Argument(..., help="E-mail address of the account."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new password from the first line of stdin."
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Set a new password; clears a lockout and ends the account's sessions."""
    from neuroprotect.store.accounts import reset_password

    security = _security()
    with user_errors():
        password_hash = security.hash_password(_read_password(password_stdin))
        engine = _engine(db)
        try:
            user = reset_password(engine, email, password_hash=password_hash)
        finally:
            engine.dispose()
    typer.echo(f"password reset for {user.email}")
