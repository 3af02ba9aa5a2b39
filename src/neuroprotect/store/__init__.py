"""The provenance store: studies, raw-file hashes, runs, measurements, results and an audit log.

SQLite in the user's data directory by default, any SQLAlchemy URL through
``NEUROPROTECT_DATABASE_URL``. No engine exists at import time.

Examples
--------
>>> from neuroprotect.store import init_db, list_runs, make_engine
>>> engine = make_engine("sqlite:///:memory:")
>>> init_db(engine)
>>> len(list_runs(engine))
0
"""

# The web app's tables share the store's metadata (one schema, one set of migrations).
from neuroprotect.store import app_models as _app_models  # noqa: F401
from neuroprotect.store.engine import (
    DATABASE_URL_ENV,
    current_revision,
    database_url,
    head_revision,
    init_db,
    make_engine,
)
from neuroprotect.store.reading import list_runs, load_run, resolve_run_id
from neuroprotect.store.records import RawFileRecord, SaveOutcome
from neuroprotect.store.repository import (
    audit,
    compute_input_hash,
    current_actor,
    find_run,
    save_run,
)

__all__ = [
    "DATABASE_URL_ENV",
    "RawFileRecord",
    "SaveOutcome",
    "audit",
    "compute_input_hash",
    "current_actor",
    "current_revision",
    "database_url",
    "find_run",
    "head_revision",
    "init_db",
    "list_runs",
    "load_run",
    "make_engine",
    "resolve_run_id",
    "save_run",
]
