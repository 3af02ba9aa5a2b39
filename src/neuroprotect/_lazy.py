"""Lazy package attributes: a package's public names imported on first use (issue 16, start-up).

A package ``__init__`` that imported every submodule pulled pandas and scipy.stats into any
command that touched it. With :func:`lazy_exports` the ``__init__`` names each public attribute's
submodule; ``from neuroprotect.stats import compare_groups`` works as before, and imports only
what it names. The same names are imported under ``TYPE_CHECKING`` for mypy and editors.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(
    package: str, exports: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``exports`` maps name -> submodule."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(importlib.import_module(package), name, value)  # later look-ups skip this
        return value

    def __dir__() -> list[str]:
        return sorted(set(exports) | set(vars(importlib.import_module(package))))

    return __getattr__, __dir__
