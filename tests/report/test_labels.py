"""Display names of keys, units and variables."""

from __future__ import annotations

import pytest

from neuroprotect.report.labels import humanize_key, label_with_unit, unit_suffix


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("slice_thickness_mm", "Slice thickness (mm)"),
        ("ipsilateral_area_mm2", "Ipsilateral area (mm²)"),
        ("concentration_range_ug_ml", "Concentration range (µg/mL)"),
        ("extraction_volume_ml", "Extraction volume (mL)"),
        ("n_out_of_range", "n out of range"),
        ("animal_id", "Animal ID"),
        ("hemispheric_infarct_pct_of", "Hemispheric infarct as % of"),
        ("r_squared", "R²"),
        ("lloq", "LLOQ"),
        ("analysis_max_side_px", "Analysis max side (px)"),
        ("qc_dir", "QC dir"),
        ("rse", "RSE"),
        ("tnf_plate.csv plate 1", "tnf_plate.csv plate 1"),  # a file name stays as written
    ],
)
def test_humanize_key_names_units(key: str, shown: str) -> None:
    assert humanize_key(key) == shown


@pytest.mark.parametrize(
    ("label", "unit", "shown"),
    [
        ("Infarct volume (direct)", "mm³", "Infarct volume (direct) (mm³)"),
        ("Infarct (% of contralateral hemisphere)", "%", "Infarct (% of contralateral hemisphere)"),
        ("Neurological score (Longa score)", "score", "Neurological score (Longa score)"),
        ("Escape latency", "s", "Escape latency (s)"),  # 's' inside a word is not the unit
        ("Brain water content", "%", "Brain water content (%)"),
        ("Rotarod", "", "Rotarod"),
    ],
)
def test_unit_named_once(label: str, unit: str, shown: str) -> None:
    assert label_with_unit(label, unit) == shown
    assert label + unit_suffix(label, unit) == shown
