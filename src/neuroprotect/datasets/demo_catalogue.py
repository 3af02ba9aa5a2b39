"""The demo studies ``neuroprotect demo`` can write: one per seed model.

MCAO/R is the bundled study with exact per-animal ground truth
(:mod:`neuroprotect.datasets.demo_mcao`, ``make demo``); the other seed models are drafted by
``design new`` and filled with simulated raw files (:mod:`neuroprotect.datasets.demo_models`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from neuroprotect.datasets.demo_mcao import make_demo_study
from neuroprotect.datasets.demo_models import DEMO_MODELS, demo_model, make_model_demo
from neuroprotect.knowledge.base import PROTOCOL_ALIASES, resolve_protocol

__all__ = ["DemoEntry", "MCAO_PROTOCOL", "demo_catalogue", "make_demo"]

MCAO_PROTOCOL = "mcao_r_filament"
MCAO_FOLDER = "imm-h004-mcao"


@dataclass(frozen=True)
class DemoEntry:
    """One demo of ``neuroprotect demo --list``."""

    protocol: str
    title: str
    simulates: str
    aliases: tuple[str, ...]


def _aliases(pid: str) -> tuple[str, ...]:
    return tuple(sorted(a for a, p in PROTOCOL_ALIASES.items() if p == pid and a != pid))


def demo_catalogue() -> list[DemoEntry]:
    """Every demo model, MCAO/R first."""
    entries = [
        DemoEntry(
            MCAO_PROTOCOL,
            "IMM-H004 in rat transient focal ischemia (MCAO/R); the default demo",
            "1 h filament MCAO, 24 h reperfusion, IMM-H004 1.5/3/6 mg/kg or edaravone 6 mg/kg: "
            "Longa score, TTC slices, brain water, Evans Blue (exact ground truth per animal)",
            _aliases(MCAO_PROTOCOL),
        )
    ]
    entries += [
        DemoEntry(m.protocol, m.title, m.simulates, _aliases(m.protocol))
        for m in DEMO_MODELS.values()
    ]
    return entries


def make_demo(
    model: str, out_dir: str | Path, *, seed: int, n_per_group: int | None = None
) -> Path:
    """Write the demo study of ``model`` into a subfolder of ``out_dir``; return its manifest.

    The subfolder is ``imm-h004-mcao`` for MCAO/R (as ``make demo``) and the protocol id for
    the other models.

    Raises
    ------
    InputError
        When ``model`` is no demo model.
    """
    out = Path(out_dir)
    if resolve_protocol(model) == MCAO_PROTOCOL:
        return make_demo_study(out / MCAO_FOLDER, seed=seed, n_per_group=n_per_group or 10)
    spec = demo_model(model)
    return make_model_demo(spec.protocol, out / spec.protocol, seed=seed, n_per_group=n_per_group)
