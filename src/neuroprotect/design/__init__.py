"""Study design: randomisation, blinded codes, dose conversion and dosing sheets."""

from neuroprotect.design.dosing import DoseConversion, convert_dose, km_factors, make_dosing_sheet
from neuroprotect.design.randomise import Allocation, make_blinded_codes, randomise_animals

__all__ = [
    "Allocation",
    "DoseConversion",
    "convert_dose",
    "km_factors",
    "make_blinded_codes",
    "make_dosing_sheet",
    "randomise_animals",
]
