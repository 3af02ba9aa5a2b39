"""The one table every benchmark prints: a row per hot path, beside its limit and earlier version.

A row is a dict: ``hot path``, ``seconds`` (ours), ``limit`` (what the limit is), ``limit_s`` (the
limit measured in the same run; None when it could not be), ``earlier`` (what is compared with)
and ``earlier_s``. ``ratio`` = seconds / limit_s (1.0 = at the limit); ``x earlier`` =
earlier_s / seconds (how much faster than the earlier version or baseline).
"""

from __future__ import annotations

import json
from pathlib import Path


def print_rows(table: list[dict]) -> None:
    """Print the rows as one aligned table."""
    print(
        f"{'hot path':<46}{'seconds':>9}  {'limit':<26}{'limit s':>8}{'ratio':>7}"
        f"  {'earlier':<24}{'earlier s':>10}{'x earlier':>10}"
    )
    for r in table:
        lim, old = r.get("limit_s"), r.get("earlier_s")
        ratio = f"{r['seconds'] / lim:>7.1f}" if lim else f"{'-':>7}"
        limit_s = f"{lim:>8.3f}" if lim is not None else f"{'-':>8}"
        old_s = f"{old:>10.2f}" if old is not None else f"{'-':>10}"
        speedup = f"{old / r['seconds']:>10.1f}" if old is not None else f"{'-':>10}"
        print(
            f"{r['hot path']:<46}{r['seconds']:>9.3f}  {r.get('limit') or '-':<26}{limit_s}"
            f"{ratio}  {r.get('earlier') or '-':<24}{old_s}{speedup}"
        )


def write_rows(table: list[dict], path: Path | None) -> None:
    """Save the rows for benchmarks/run_all.py (when it asked with ``--json``)."""
    if path is not None:
        path.write_text(json.dumps(table))
