"""Provenance facts recorded with every run."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

import neuroprotect

CORE_PACKAGES = ("numpy", "scipy", "pandas", "statsmodels", "pydantic", "sqlalchemy", "matplotlib")


def package_versions() -> dict[str, str]:
    """Versions of neuroprotect, Python and the core libraries in the running environment."""
    out = {"neuroprotect": neuroprotect.__version__, "python": platform.python_version()}
    for name in CORE_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out
