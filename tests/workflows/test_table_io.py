"""Shared readout helpers in :mod:`neuroprotect.workflows.table_io` (analytic cases)."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroprotect.errors import InputError
from neuroprotect.schema.manifest import load_study
from neuroprotect.workflows.table_io import param_file

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "imm-h004-mcao" / "study.yaml"


def test_param_file_resolves_relative_to_the_manifest():
    study = load_study(EXAMPLE)
    readout = study.readouts[0]
    assert param_file(study, readout, "animals", "animals.csv") == EXAMPLE.parent / "animals.csv"


def test_param_file_missing_names_the_manifest_field():
    study = load_study(EXAMPLE)
    readout = study.readouts[0]
    with pytest.raises(InputError) as err:
        param_file(study, readout, "standards", "nope.csv", "standards file")
    message = str(err.value)
    assert "Expected an existing standards file" in message
    assert f"readouts.{readout.id}.params.standards" in message
    assert "study.yaml" in message
