"""The lab web app: studies, uploads, runs as background jobs, reports, roles and the audit log.

A shell over the workflows and the store, like the CLI: it holds no analysis of its own. Needs the
``[web]`` extra (FastAPI, uvicorn, argon2). Start it with ``neuroprotect serve``; create users with
``neuroprotect users add``. Nothing here is imported by ``import neuroprotect``.

Modules: ``app`` (the FastAPI app), ``routers`` (one per resource, JSON API and pages),
``deps`` (typed dependencies: login, rights, CSRF), ``permissions`` (rights per role),
``sessions``/``security``/``login`` (cookies, argon2, lockout), ``uploads`` (files by hash),
``worker`` (the job worker), ``queries`` (what a role may see), ``schemas`` (API bodies).
"""
