"""``neuroprotect users`` and ``neuroprotect serve`` (CLI shells over the store and the app)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.store import make_engine
from neuroprotect.store.accounts import list_users, password_hash_of
from neuroprotect.store.audit_query import list_audit
from neuroprotect.web.security import verify_password

runner = CliRunner()


def test_users_add_list_disable_enable_reset(tmp_path: Path) -> None:
    db = str(tmp_path / "lab.sqlite")
    add = ["users", "add", "PI@Lab.org", "--role", "pi", "--password-stdin", "--db", db]
    done = runner.invoke(app, add, input="first password 1\n")
    assert done.exit_code == 0 and "added pi@lab.org (pi)" in done.output
    again = runner.invoke(app, add, input="first password 1\n")
    assert again.exit_code == 2 and "exists" in again.output
    bad_role = ["users", "add", "x@lab.org", "--role", "boss", "--password-stdin", "--db", db]
    assert runner.invoke(app, bad_role, input="long enough pw\n").exit_code == 2
    short = ["users", "add", "y@lab.org", "--role", "scorer", "--password-stdin", "--db", db]
    refused = runner.invoke(app, short, input="short\n")
    assert refused.exit_code == 2 and "at least 10 characters" in refused.output

    listed = json.loads(runner.invoke(app, ["users", "list", "--json", "--db", db]).output)
    assert [(u["email"], u["role"], u["active"]) for u in listed] == [("pi@lab.org", "pi", True)]
    assert runner.invoke(app, ["users", "disable", "pi@lab.org", "--db", db]).exit_code == 0
    engine = make_engine(db)
    assert not list_users(engine)[0].active
    assert runner.invoke(app, ["users", "enable", "pi@lab.org", "--db", db]).exit_code == 0
    reset = ["users", "reset", "pi@lab.org", "--password-stdin", "--db", db]
    assert runner.invoke(app, reset, input="second password 2\n").exit_code == 0
    found = password_hash_of(engine, "pi@lab.org")
    assert found is not None and verify_password(found[1], "second password 2")
    assert not verify_password(found[1], "first password 1")
    actions = [e["action"] for e in list_audit(engine)][::-1]
    assert actions == ["user added", "user disabled", "user enabled", "password reset"]
    unknown = runner.invoke(app, ["users", "disable", "nobody@lab.org", "--db", db])
    assert unknown.exit_code == 2 and "no user" in unknown.output
    engine.dispose()


def test_cli_start_up_does_not_import_the_web_stack() -> None:
    code = (
        "import sys, neuroprotect.cli.main; "
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'argon2', 'starlette') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_serve_help_names_its_options() -> None:
    done = runner.invoke(app, ["serve", "--help"], terminal_width=120)
    assert done.exit_code == 0
    for option in ("--host", "--port", "--db", "--data-dir", "127.0.0.1", "8000"):
        assert option in done.output
