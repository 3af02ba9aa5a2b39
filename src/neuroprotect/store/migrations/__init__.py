"""Alembic migrations of the store (run through ``neuroprotect.store.engine.init_db``)."""
