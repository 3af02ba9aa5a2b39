"""Options every track-reading command shares: format, pose files, keypoint arenas.

The help texts live here once, so ``water-maze``, ``strategies``, ``open-field`` and ``y-maze``
describe the same input layer the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:  # the CLI imports the analysis stack only when a command runs
    from neuroprotect.behavior.readers.pose import PoseOptions

FILES_HELP = (
    "Track files: EthoVision 3/XT csv or xlsx, ANY-maze csv, Rtrack .tab, time_s,x,y csv, "
    "DeepLabCut .csv/.h5, SLEAP analysis .h5."
)
FORMAT_HELP = (
    "Track format: auto, ethovision_xt, ethovision3, anymaze, rtrack_raw, generic, deeplabcut, "
    "sleap (pose = deeplabcut or sleap)."
)


def format_option() -> Any:
    return typer.Option("auto", "--format", help=FORMAT_HELP)


def fps_option() -> Any:
    return typer.Option(
        None, "--fps", help="Frame rate of DeepLabCut/SLEAP files (they store frames, not seconds)."
    )


def body_option() -> Any:
    return typer.Option(
        None,
        "--body",
        help="Pose files: keypoints whose mean is the body point, e.g. nose,leftear,rightear,"
        "tailbase (default: midpoint of the ears' midpoint and the tail base, else all keypoints).",
    )


def min_likelihood_option() -> Any:
    return typer.Option(
        0.9, "--min-likelihood", help="Pose files: keypoints below this likelihood are dropped."
    )


def max_jump_option() -> Any:
    return typer.Option(
        20.0,
        "--max-jump-px",
        help="Pose files: drop a keypoint further than this (px) from its 7-frame rolling "
        "median (outlier jumps); 0 turns the gate off.",
    )


def pose_options(
    fps: float | None, body: str | None, min_likelihood: float, max_jump_px: float
) -> PoseOptions:
    """PoseOptions from the command-line values (errors name the option)."""
    from neuroprotect.behavior.readers.pose import PoseOptions
    from neuroprotect.errors import InputError
    from neuroprotect.workflows.track_sessions import parse_body

    if not 0 <= min_likelihood <= 1:
        raise InputError(
            f"Expected a likelihood between 0 and 1, but got {min_likelihood!r}",
            field="--min-likelihood",
        )
    if max_jump_px < 0:
        raise InputError(
            f"Expected a jump limit >= 0 px, but got {max_jump_px!r}", field="--max-jump-px"
        )
    if fps is not None and fps <= 0:
        raise InputError(f"Expected a frame rate > 0, but got {fps!r}", field="--fps")
    return PoseOptions(
        fps=fps,
        body=parse_body(body, field="--body"),
        min_likelihood=min_likelihood,
        max_jump_px=max_jump_px or None,
    )
