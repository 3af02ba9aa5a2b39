"""Bench assays: brain water, Evans Blue, plate readers and layouts, ELISA, receptor binding,
colorimetric and cell assays (Griess/NOS, MTT/CCK-8, ROS, JC-1, ATP)."""

from neuroprotect.assays.binding import (
    CompetitionResult,
    SaturationBindingFitter,
    analyse_competition_binding,
    specific_binding,
)
from neuroprotect.assays.brain_water import compute_brain_water
from neuroprotect.assays.colorimetric import (
    compute_atp,
    compute_griess_nitrite,
    compute_jc1_ratio,
    compute_nos_activity,
    compute_percent_of_control,
    compute_ros_fold_change,
    compute_viability,
    summarise_replicates,
)
from neuroprotect.assays.elisa import ElisaResult, analyse_elisa, plot_elisa
from neuroprotect.assays.elisa_fit import FivePLFitter, FourPLFitter
from neuroprotect.assays.evans_blue import StandardCurve, compute_evans_blue, fit_standard_curve
from neuroprotect.assays.plates import apply_layout, read_layout, read_plate, read_plate_file

__all__ = [
    "CompetitionResult",
    "ElisaResult",
    "FivePLFitter",
    "FourPLFitter",
    "SaturationBindingFitter",
    "StandardCurve",
    "analyse_competition_binding",
    "analyse_elisa",
    "apply_layout",
    "compute_atp",
    "compute_brain_water",
    "compute_evans_blue",
    "compute_griess_nitrite",
    "compute_jc1_ratio",
    "compute_nos_activity",
    "compute_percent_of_control",
    "compute_ros_fold_change",
    "compute_viability",
    "fit_standard_curve",
    "plot_elisa",
    "read_layout",
    "read_plate",
    "read_plate_file",
    "specific_binding",
    "summarise_replicates",
]
