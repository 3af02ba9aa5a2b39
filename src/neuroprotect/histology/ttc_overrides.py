"""A person's corrections to the TTC image analysis, recorded with the results.

Slice numbers are the *detected* numbers shown in the QC overlays (``#n``): photos in the given
order, slices of a plate in reading order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from neuroprotect.errors import InputError

__all__ = ["TTCOverrides"]


@dataclass(frozen=True)
class TTCOverrides:
    """A person's corrections after looking at the QC overlays (slice numbers as detected).

    Attributes
    ----------
    order
        Detected slice numbers in rostral-to-caudal order (default: photos in the given order,
        slices of a plate in reading order).
    exclude
        Detected slice numbers left out of the areas (torn, folded, missing tissue).
    lesion_side
        ``left`` or ``right`` as seen in the photos; ``None`` decides from the pale areas.
    midline
        ``{detected: (angle_deg, offset_px)}``: midline at this angle (clockwise from vertical)
        through the point ``offset_px`` full-resolution pixels from the slice centroid along the
        line's normal (positive to the right); the QC table lists the detected values.
    """

    order: tuple[int, ...] | None = None
    exclude: tuple[int, ...] = ()
    lesion_side: str | None = None
    midline: Mapping[int, tuple[float, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "order": list(self.order) if self.order is not None else None,
            "exclude": list(self.exclude),
            "lesion_side": self.lesion_side,
            "midline": {
                int(k): {"angle_deg": a, "offset_px": o} for k, (a, o) in self.midline.items()
            },
        }


def _check_overrides(ov: TTCOverrides, detected: list[int], where: str) -> list[int]:
    known = set(detected)
    for name, values in (
        ("exclude", ov.exclude),
        ("order", ov.order or ()),
        ("midline", ov.midline),
    ):
        for d in values:
            if d not in known:
                raise InputError(
                    f"Expected detected slice numbers among {min(known)}..{max(known)} (see the QC "
                    f"overlay), but got {d!r}",
                    field=f"{where}.{name}" if where else f"--{name}",
                )
    if ov.lesion_side not in (None, "left", "right"):
        raise InputError(
            f"Expected lesion_side left or right, but got {ov.lesion_side!r}",
            field=f"{where}.lesion_side" if where else "--lesion-side",
        )
    if ov.order is None:
        return sorted(detected)
    order = list(ov.order)
    if len(set(order)) != len(order):
        raise InputError(
            "Expected each slice once in the order, but one is repeated",
            field=f"{where}.order" if where else "--order",
        )
    missing = sorted(known - set(order) - set(ov.exclude))
    if missing:
        raise InputError(
            f"Expected the order to list every slice that is not excluded, but {missing} "
            "are missing",
            field=f"{where}.order" if where else "--order",
        )
    return order + sorted(set(ov.exclude) - set(order))
