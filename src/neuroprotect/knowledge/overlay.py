"""A study's measured readouts on the compound's pathway: the mechanism check.

Each analysed variable is mapped to a pathway node (infarct volume -> ``infarct``, Evans Blue ->
``BBB_permeability``, a qPCR or Western blot target -> its protein or cytokine node). The study's
observed direction for the compound (its treatment groups vs vehicle) is compared with the sign the
pathway predicts (product of edge signs along every path from the compound;
:func:`~neuroprotect.knowledge.pathway.predicted_effect`):

- ``agree``: significant change in the predicted direction;
- ``disagree``: significant change against it;
- ``not shown``: no significant change;
- ``ambiguous``: the pathway's paths conflict (or pass a context-dependent edge);
- ``no prediction``: the compound reaches the node by no path, or the variable has no node.

Some variables measure their node inversely (a shorter escape latency is better memory, more
LDH release is less survival: :data:`INVERSE_VARIABLES`); for them the ``predicted`` column gives
the direction the variable itself should move, so that it reads against the observed direction.
"""

from __future__ import annotations

import re

import pandas as pd

from neuroprotect.knowledge.pathway import predicted_effects

#: Analysed variables of the readouts -> pathway node.
VARIABLE_NODES: dict[str, str] = {
    "neuro_score": "neuro_deficit",
    "infarct_volume_mm3": "infarct",
    "corrected_infarct_volume_mm3": "infarct",
    "hemispheric_infarct_pct": "infarct",
    "edema_pct": "edema",
    "brain_water_pct": "edema",
    "evans_blue_ug_per_g": "BBB_permeability",
    "spontaneous_alternation_pct": "memory",
    "escape_latency_s": "memory",
    # behaviour: water maze (acquisition and probe), passive avoidance
    "escape_latency_last_day_s": "memory",
    "path_length_last_day_cm": "memory",
    "probe_target_quadrant_pct": "memory",
    "probe_mean_distance_to_goal_cm": "memory",
    "retention_latency_s": "memory",
    # histology: surviving (CA1) neurons, TUNEL-positive (apoptotic) nuclei
    "neuron_density_per_mm2": "neuronal_survival",
    "tunel_positive_pct": "apoptosis",
    "tunel_positive_per_mm2": "apoptosis",
    # NOS activity (citrulline assay or total NOx)
    "nos_activity_pmol_min_mg": "NOS",
    "nox_um": "NOS",
    "nox_nmol_per_mg_protein": "NOS",
    # in vitro plate readouts
    "viability_pct": "neuronal_survival",
    "cytotoxicity_pct": "neuronal_survival",
    "ros_pct_of_control": "ROS",
    "mmp_pct_of_control": "MMP_mito",
    "atp_nmol_per_mg_protein": "ATP",
    "atp_um": "ATP",
    "atp_pct_of_control": "ATP",
    "caspase3_nmol_h_mg": "CASP3",
    "caspase3_nmol_h": "CASP3",
    "caspase3_fold_of_control": "CASP3",
}

#: Variables that fall when their node rises (lower latency or distance = better memory; more
#: LDH release = fewer surviving cells).
INVERSE_VARIABLES: frozenset[str] = frozenset(
    {
        "escape_latency_s",
        "escape_latency_last_day_s",
        "path_length_last_day_cm",
        "probe_mean_distance_to_goal_cm",
        "cytotoxicity_pct",
    }
)
_FLIP = {"increase": "decrease", "decrease": "increase"}

#: Lab names of targets (normalised: lower case, letters and digits only) -> pathway node.
TARGET_NODES: dict[str, str] = {
    "tnf": "TNFA",
    "tnfa": "TNFA",
    "tnfalpha": "TNFA",
    "il1b": "IL1B",
    "il1beta": "IL1B",
    "il6": "IL6",
    "il23": "IL23",
    "bax": "BAX",
    "bcl2": "BCL2",
    "baxbcl2": "BAX_BCL2_ratio",
    "baxbcl2ratio": "BAX_BCL2_ratio",
    "casp3": "CASP3",
    "caspase3": "CASP3",
    "cleavedcaspase3": "CASP3",
    "cleavedcasp3": "CASP3",
    "zo1": "ZO1",
    "occludin": "OCLN",
    "ocln": "OCLN",
    "aqp4": "AQP4",
    "mmp9": "MMP9",
    "mmp2": "MMP2",
    "psd95": "PSD95",
    "synapsin1": "SYN1",
    "syn1": "SYN1",
    "vcam1": "VCAM1",
    "nlrp3": "NLRP3",
    "cklf1": "CKLF1",
    "bdnf": "BDNF",
    "nitrite": "NOS",
    "nos": "NOS",
    "ros": "ROS",
    "atp": "ATP",
    "jnk": "JNK",
    "pjnk": "JNK",
    "p38": "p38",
    "pp38": "p38",
    "erk": "ERK",
    "perk": "ERK",
    "akt": "Akt",
    "pakt": "Akt",
    "cytc": "CYTC",
    "cytochromec": "CYTC",
}

_GREEK = str.maketrans({"α": "a", "β": "b", "γ": "g", "κ": "k"})
_SUFFIXES = ("_log2_fold_change", "_ratio_fold_change", "_fold_change", "_concentration", "_ratio")


def node_for_variable(variable: str) -> str | None:
    """Pathway node of an analysed variable, or None when it has none."""
    if variable in VARIABLE_NODES:
        return VARIABLE_NODES[variable]
    name = variable
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    key = re.sub(r"[^a-z0-9]", "", name.lower().translate(_GREEK))
    return TARGET_NODES.get(key)


def check_mechanism(compound_id: str, observations: pd.DataFrame) -> pd.DataFrame:
    """Compare observed directions with the pathway's predictions.

    Parameters
    ----------
    compound_id
        Knowledge-base compound id.
    observations
        One row per variable: ``variable, label, direction`` (``increase``/``decrease``/``none``:
        the direction of the significant contrasts of the compound's groups vs vehicle, ``mixed``
        when they conflict), ``evidence`` (text: which groups, p-values).

    Returns
    -------
    pandas.DataFrame
        The observations plus ``node``, ``predicted`` and ``verdict``.
    """
    predictions = predicted_effects(compound_id)
    rows = []
    for obs in observations.to_dict("records"):
        # the variable name first, then its label without the method ("TNF-a (ELISA)" -> TNF-a)
        label = re.sub(r"\s*\(.*?\)\s*", "", str(obs.get("label", "")))
        node = node_for_variable(str(obs["variable"])) or (
            node_for_variable(label) if label else None
        )
        predicted: str = predictions.get(node, "none") if node else "none"
        if str(obs["variable"]) in INVERSE_VARIABLES:
            predicted = _FLIP.get(predicted, predicted)
        direction = obs["direction"]
        if node is None or predicted == "none":
            verdict = "no prediction"
        elif predicted == "ambiguous":
            verdict = "ambiguous"
        elif direction in ("none", "mixed"):
            verdict = "not shown"
        else:
            verdict = "agree" if direction == predicted else "disagree"
        rows.append({**obs, "node": node, "predicted": predicted, "verdict": verdict})
    return pd.DataFrame(rows, columns=[*observations.columns, "node", "predicted", "verdict"])
