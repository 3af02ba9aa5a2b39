"""Map a protocol's outcome measures (knowledge base) to the readout types of a draft study.

Each outcome measure text is matched against :data:`OUTCOME_RULES` (regular expressions on the
lower-cased text, first match wins). A match gives a readout template: id, type, the raw files to
expect and the parameters the knowledge base does know; parameters only the lab can know (an
open field's arena, a blot's loading control, a kit's incubation time) are listed in ``to_set``
and written as comments beside the readout, so that ``validate`` names them if they are left
out. Western blot targets named in several outcomes (Bax/Bcl-2, PSD-95, ...) gather in one
``western_blot`` readout; each ELISA analyte gets its own readout. An outcome no rule matches is
returned as unmapped: the draft lists it as a comment, never as an unrelated readout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DraftReadout", "OUTCOME_RULES", "map_outcomes"]


@dataclass
class DraftReadout:
    """One readout of a draft: the manifest entry, the outcomes it covers, what is left to set."""

    id: str
    type: str
    files: list[str]
    params: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    outcomes: list[str] = field(default_factory=list)
    to_set: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def entry(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type, "files": self.files}
        if self.title:
            out["title"] = self.title
        out["params"] = self.params
        return out


#: (pattern on the lower-cased outcome text, template key), tried in order.
OUTCOME_RULES: tuple[tuple[str, str], ...] = (
    (r"neurolog|deficit score|neuro score", "neuro"),
    (r"\bttc\b|infarct", "ttc"),
    (r"\bedema\b|oedema|brain water", "water"),
    (r"evans", "evans"),
    (r"\bca1\b.*neuron|neuron surviv|neuron (?:count|loss)", "nissl"),
    (r"locomotor", "activity"),
    (r"\bnos activity", "nos"),
    (r"\bmwm\b|water maze|escape latency", "mwm"),
    (r"tunel", "tunel"),
    (r"step-through|step-down|passive avoidance", "pa"),
    (r"alternation|y-maze", "ymaze"),
    (r"viability", "viability"),
    (r"\bldh\b", "ldh"),
    (r"\bros\b|reactive oxygen", "ros"),
    (r"mitochondrial membrane potential", "mmp"),
    (r"\batp\b", "atp"),
    (r"caspase-3 activ", "casp3"),
    (r"\(elisa\)", "elisa"),
)

#: Western blot targets recognised in outcome texts (pattern, name as written in the blot table).
WESTERN_TARGETS: tuple[tuple[str, str], ...] = (
    (r"\bbax\b", "Bax"),
    (r"\bbcl-2\b", "Bcl-2"),
    (r"cleaved caspase-3", "cleaved caspase-3"),
    (r"psd-95", "PSD-95"),
    (r"synapsin 1", "synapsin 1"),
    (r"cytochrome c", "cytochrome c"),
)
#: Targets whose increase is protective (anti-apoptotic, synaptic). Not PSD-95: seed 002 reports
#: that the protective compound *decreases* it (knowledge-base note on edge imm_h004->PSD95,
#: marked "verify"), so the draft does not call its increase protective.
PROTECTIVE_TARGETS = ("Bcl-2", "synapsin 1")

_GREEK = str.maketrans({"β": "b", "α": "a", "γ": "g", "κ": "k"})


def _template(key: str, control_group: str) -> DraftReadout:
    """The readout template of a rule key (``control_group``: the in vitro 100 % group)."""
    ctrl = {"control_group": control_group}
    templates = {
        "neuro": DraftReadout("neuro", "neuro_score", ["neuro_scores.csv"], {"scale": "longa"}),
        "ttc": DraftReadout("ttc", "ttc_table", ["ttc_slices.csv"], {"slice_thickness_mm": 2.0}),
        "water": DraftReadout("water", "brain_water", ["brain_water.csv"]),
        "evans": DraftReadout(
            "evans",
            "evans_blue",
            ["evans_blue_samples.csv"],
            {"standards": "evans_blue_standards.csv"},
            notes=[
                "samples table: animal_id, absorbance, tissue_weight_mg, extraction_volume_ml "
                "(or params.extraction_volume_ml)"
            ],
        ),
        "nissl": DraftReadout(
            "nissl",
            "nissl_images",
            ["nissl/*.tif"],
            {"sections": "nissl_sections.csv"},
            title="CA1 neurons (Nissl)",
            notes=["sections table: animal_id, image, pixel_size_um (and roi: a CA1 ROI JSON)"],
        ),
        "activity": DraftReadout(
            "activity",
            "open_field",
            ["tracks/open_field/*.csv"],
            title="Locomotor activity",
            to_set=[
                "params.rectangle [x_min, y_min, x_max, y_max] or params.circle [x, y, radius] "
                "(cm): your arena"
            ],
        ),
        "nos": DraftReadout(
            "nos",
            "nos_activity",
            ["nox_samples.csv"],
            {"method": "nox", "standards": "nitrate_standards.csv"},
            notes=[
                "total NOx (nitrate reduction + Griess); for the L-[3H]citrulline assay use "
                "method: citrulline with total_cpm, arginine_pmol and incubation_min"
            ],
        ),
        "mwm": DraftReadout(
            "mwm",
            "water_maze",
            ["tracks/water_maze/*.csv"],
            {"arena": "water_maze_arena.yaml", "trials": "water_maze_trials.csv"},
            notes=["trials table: file, animal_id, day, trial, probe (true for the probe trial)"],
        ),
        "tunel": DraftReadout(
            "tunel", "tunel_images", ["tunel/*.tif"], {"sections": "tunel_sections.csv"}
        ),
        "pa": DraftReadout(
            "pa",
            "passive_avoidance",
            ["passive_avoidance.csv"],
            notes=["file: animal_id, retention_latency_s, cutoff_s (or params.cutoff_s)"],
        ),
        "ymaze": DraftReadout("ymaze", "y_maze", ["y_maze_sequences.csv"]),
        "viability": DraftReadout("viability", "cell_viability", ["viability_wells.csv"], ctrl),
        "ldh": DraftReadout("ldh", "ldh_release", ["ldh_plate.csv"], {"layout": "ldh_layout.csv"}),
        "ros": DraftReadout(
            "ros", "ros_fluorescence", ["ros_plate.csv"], {"layout": "ros_layout.csv", **ctrl}
        ),
        "mmp": DraftReadout(
            "mmp",
            "mitochondrial_potential",
            ["jc1_red_plate.csv"],
            {"probe": "jc1", "green": "jc1_green_plate.csv", "layout": "jc1_layout.csv", **ctrl},
        ),
        "atp": DraftReadout(
            "atp", "atp_luminescence", ["atp_plate.csv"], {"layout": "atp_layout.csv", **ctrl}
        ),
        "casp3": DraftReadout(
            "casp3",
            "caspase3_activity",
            ["caspase3_plate.csv"],
            {"layout": "caspase3_layout.csv", "substrate": "pna", **ctrl},
            to_set=["params.incubation_h: the kit's reaction time (h)"],
        ),
    }
    return templates[key]


def _elisa(text: str) -> DraftReadout:
    analyte = text.split("(")[0].strip()
    slug = re.sub(r"[^a-z0-9]", "", analyte.lower().translate(_GREEK)) or "analyte"
    return DraftReadout(
        f"elisa_{slug}",
        "elisa",
        [f"elisa_{slug}_plate.csv"],
        {"layout": f"elisa_{slug}_layout.csv", "analyte": analyte, "unit": "pg/mL"},
        title=f"{analyte} (ELISA)",
    )


def _western(targets: list[str]) -> DraftReadout:
    params: dict[str, Any] = {"layout": "western_lanes.csv", "targets": targets}
    if "Bax" in targets and "Bcl-2" in targets:
        params["ratios"] = ["Bax/Bcl-2"]
    protective = [t for t in targets if t in PROTECTIVE_TARGETS]
    if protective:
        params["higher_is_better"] = protective
    return DraftReadout(
        "western",
        "western_blot",
        ["western_bands.csv"],
        params,
        title="Western blot",
        to_set=["params.loading_control: the band name of your loading control (e.g. beta-actin)"],
    )


def map_outcomes(
    outcomes: list[str], *, control_group: str = "sham"
) -> tuple[list[DraftReadout], list[str]]:
    """Readouts for a protocol's outcome measures, in the protocol's order, and the outcomes
    that map to no readout type."""
    readouts: dict[str, DraftReadout] = {}
    targets: list[str] = []
    western_outcomes: list[str] = []
    unmapped: list[str] = []
    for text in outcomes:
        low = str(text).lower()
        key = next((k for pattern, k in OUTCOME_RULES if re.search(pattern, low)), None)
        if key == "elisa":
            r = _elisa(str(text))
            readouts.setdefault(r.id, r).outcomes.append(str(text))
            continue
        if key is not None:
            readouts.setdefault(key, _template(key, control_group)).outcomes.append(str(text))
            continue
        found = [name for pattern, name in WESTERN_TARGETS if re.search(pattern, low)]
        if found:
            if not western_outcomes:
                readouts["western"] = _western(targets)  # placeholder keeps the order
            targets += [t for t in found if t not in targets]
            western_outcomes.append(str(text))
            continue
        unmapped.append(str(text))
    if targets:
        readouts["western"] = _western(targets)
        readouts["western"].outcomes = western_outcomes
    return list(readouts.values()), unmapped
