"""Study design: randomisation, blinded codes, dose conversion and dosing sheets."""

from typing import TYPE_CHECKING

from neuroprotect._lazy import lazy_exports

if TYPE_CHECKING:
    from neuroprotect.design.dosing import (
        DoseConversion,
        convert_dose,
        km_factors,
        make_dosing_sheet,
    )
    from neuroprotect.design.randomise import Allocation, make_blinded_codes, randomise_animals

#: Public name -> submodule, imported on first use (keeps pandas/scipy out of start-up).
_EXPORTS = {
    "DoseConversion": "neuroprotect.design.dosing",
    "convert_dose": "neuroprotect.design.dosing",
    "km_factors": "neuroprotect.design.dosing",
    "make_dosing_sheet": "neuroprotect.design.dosing",
    "Allocation": "neuroprotect.design.randomise",
    "make_blinded_codes": "neuroprotect.design.randomise",
    "randomise_animals": "neuroprotect.design.randomise",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "Allocation",
    "DoseConversion",
    "convert_dose",
    "km_factors",
    "make_blinded_codes",
    "make_dosing_sheet",
    "randomise_animals",
]
