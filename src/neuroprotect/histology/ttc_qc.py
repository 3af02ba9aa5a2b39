"""Quality-control overlays of TTC photos: what was measured, drawn on the photo.

Each overlay shows the photo at the analysis scale with the slice outlines (cyan), each slice's
midline (white), the infarct outline on the lesion side (yellow), pale tissue in the contralateral
hemisphere (magenta, not counted), excluded slices crossed out (red) and every slice's number as
detected (``#n``, used by the overrides) and its position rostral to caudal (``s``).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from scipy import ndimage as ndi

from neuroprotect.histology.midline import side_of_midline
from neuroprotect.histology.ttc_images import TTCImageAnalysis, TTCMeasurement

__all__ = ["render_ttc_qc", "write_ttc_qc"]

CYAN, YELLOW, MAGENTA, WHITE, RED = (
    (0, 230, 255),
    (255, 235, 0),
    (255, 0, 200),
    (255, 255, 255),
    (255, 40, 40),
)


def _outline(mask: np.ndarray, width: int) -> np.ndarray:
    return mask & ~ndi.binary_erosion(mask, iterations=width)


def render_ttc_qc(analysis: TTCImageAnalysis, measurement: TTCMeasurement) -> np.ndarray:
    """The QC overlay of one photo as a ``uint8`` RGB array (analysis scale)."""
    img = analysis.rgb.copy()
    w = max(1, round(max(img.shape[:2]) / 800))
    rows = measurement.slices.set_index("detected")
    ipsi_right = measurement.lesion_side == "right"
    infarct = np.zeros(img.shape[:2], bool)
    contra_pale = np.zeros(img.shape[:2], bool)
    boxes = ndi.find_objects(analysis.labels)
    for detected, ml in analysis.midlines.items():
        k = detected - analysis.first_slice + 1
        box = boxes[k - 1]
        yy, xx = np.mgrid[box[0], box[1]]
        right = side_of_midline(ml, xx.astype(float), yy.astype(float)) > 0
        pale = analysis.pale[box] & (analysis.labels[box] == k)
        ipsi = right if ipsi_right else ~right
        infarct[box] |= pale & ipsi
        contra_pale[box] |= pale & ~ipsi
    img[_outline(analysis.labels > 0, w)] = CYAN
    img[_outline(contra_pale, w)] = MAGENTA
    img[_outline(infarct, w)] = YELLOW
    pil = PILImage.fromarray(img)
    draw = ImageDraw.Draw(pil)
    try:
        font = ImageFont.load_default(size=max(12, 9 * w))
    except TypeError:  # Pillow < 10.1
        font = ImageFont.load_default()
    for detected, ml in analysis.midlines.items():
        k = detected - analysis.first_slice + 1
        box = boxes[k - 1]
        ys, xs = np.nonzero(analysis.labels[box] == k)
        ys, xs = ys + box[0].start, xs + box[1].start
        half = 0.55 * (ys.max() - ys.min() + 1)
        a, b = ml.segment(half)
        draw.line([a, b], fill=WHITE, width=w)
        row = rows.loc[detected]
        text = f"#{detected}  s{int(row['slice'])}"
        x0, y0 = float(xs.mean()), float(ys.min()) - 6 * w - 8
        draw.text(
            (x0, max(0.0, y0)),
            text,
            fill=WHITE,
            font=font,
            anchor="mt",
            stroke_width=2,
            stroke_fill=(0, 0, 0),
        )
        if bool(row["excluded"]):
            x1, x2, y1, y2 = xs.min(), xs.max(), ys.min(), ys.max()
            draw.line([(x1, y1), (x2, y2)], fill=RED, width=2 * w)
            draw.line([(x1, y2), (x2, y1)], fill=RED, width=2 * w)
    c = analysis.colour
    caption = (
        f"{analysis.name}  lesion side: {measurement.lesion_side} ({measurement.lesion_side_source})"
        f"  pale threshold {c.threshold:.2f} ({c.method})  pixel {analysis.pixel_size_mm:.4g} mm"
        f"  shown 1:{analysis.factor}"
    )
    draw.text((6, 6), caption, fill=WHITE, font=font, stroke_width=2, stroke_fill=(0, 0, 0))
    return np.asarray(pil)


def write_ttc_qc(measurement: TTCMeasurement, qc_dir: str | PathLike[str]) -> list[Path]:
    """Write one ``<photo>_qc.png`` per photo into ``qc_dir`` (created); return the paths."""
    out = Path(qc_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, analysis in enumerate(measurement.analyses):
        stem = Path(analysis.name).stem if analysis.name != "array" else f"image{i + 1}"
        path = out / f"{stem}_qc.png"
        PILImage.fromarray(render_ttc_qc(analysis, measurement)).save(path, compress_level=3)
        paths.append(path)
    return paths
