"""Outputs of a tracked video: the track CSV and the QC images and summary.

``<name>.csv``: ``frame, time_s, x_cm, y_cm`` (with an arena) ``, x_px, y_px, quality`` — the
generic track format (:mod:`neuroprotect.behavior.readers.generic`). QC in ``<out>/qc/``:
``<name>_track.png`` (the background with the track drawn, lost stretches left out) and
``<name>_lost_<frame>.png`` (the first frame of the first few stretches where the animal was lost).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.behavior.video.track import VideoTrack

__all__ = ["lost_stretches", "summary", "write_outputs"]


def lost_stretches(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Runs of consecutive frames without a position: first/last frame, start time, length."""
    lost = table["x_px"].isna().to_numpy()
    out = []
    i = 0
    while i < len(lost):
        if lost[i]:
            j = i
            while j + 1 < len(lost) and lost[j + 1]:
                j += 1
            out.append(
                {
                    "first_frame": int(table["frame"].iloc[i]),
                    "last_frame": int(table["frame"].iloc[j]),
                    "start_s": round(float(table["time_s"].iloc[i]), 3),
                    "frames": j - i + 1,
                }
            )
            i = j + 1
        else:
            i += 1
    return out


def summary(track: VideoTrack) -> dict[str, Any]:
    """The per-video summary the CLI prints."""
    stretches = lost_stretches(track.table)
    return {
        "video": track.name,
        "frames_decoded": track.frames_decoded,
        "frames_placed": track.frames_placed,
        "frames_lost": track.frames_lost,
        "fps": round(track.fps, 3),
        "polarity": track.background.polarity,
        "lost_stretches": len(stretches),
        "longest_lost_s": round(max((s["frames"] for s in stretches), default=0) / track.fps, 3),
        "first_lost": stretches[:5],
    }


def write_outputs(track: VideoTrack, out_dir: Path, cm_per_px: float | None) -> dict[str, Any]:
    """Write the CSV and the QC images; return their paths by kind."""
    from PIL import Image, ImageDraw

    out_dir.mkdir(parents=True, exist_ok=True)
    qc_dir = out_dir / "qc"
    qc_dir.mkdir(exist_ok=True)
    table = track.table.copy()
    cols = ["frame", "time_s"]
    if cm_per_px is not None:
        table["x_cm"] = table["x_px"] * cm_per_px
        table["y_cm"] = table["y_px"] * cm_per_px
        cols += ["x_cm", "y_cm"]
    cols += ["x_px", "y_px", "quality"] + (["filled"] if "filled" in table else [])
    csv = out_dir / f"{track.name}.csv"
    table[cols].to_csv(csv, index=False, float_format="%.3f")
    image = Image.fromarray(np.clip(track.background.image, 0, 255).astype(np.uint8)).convert("RGB")
    draw = ImageDraw.Draw(image)
    xy = track.table[["x_px", "y_px"]].to_numpy()
    for a, b in zip(xy[:-1], xy[1:], strict=True):
        if np.isfinite(a).all() and np.isfinite(b).all():
            draw.line([tuple(a), tuple(b)], fill=(230, 40, 40), width=1)
    png = qc_dir / f"{track.name}_track.png"
    image.save(png)
    lost_images = []
    for index, luma in track.low_quality_frames:
        lost = qc_dir / f"{track.name}_lost_{index:06d}.png"
        Image.fromarray(luma).save(lost)
        lost_images.append(str(lost))
    return {"track": str(csv), "qc_track": str(png), "qc_lost": lost_images}
