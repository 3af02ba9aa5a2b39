"""Plate-reader file formats: SoftMax Pro text exports, generic grids and long tables."""

from neuroprotect.assays.plate_readers.grid import read_plate_grid, read_plate_long
from neuroprotect.assays.plate_readers.softmax import SoftMaxExport, read_softmax_text
from neuroprotect.assays.plate_readers.wells import format_well, parse_well, plate_wells

__all__ = [
    "SoftMaxExport",
    "format_well",
    "parse_well",
    "plate_wells",
    "read_plate_grid",
    "read_plate_long",
    "read_softmax_text",
]
