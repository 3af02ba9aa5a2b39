"""``neuroprotect behavior track``: raw behaviour videos to track CSVs (+ QC images)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from neuroprotect.cli._common import (
    batch_json,
    new_batch,
    note_skipped,
    output_dir,
    print_json,
    strict_option,
    user_errors,
)

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command("track")
def track(
    videos: list[Path] = typer.Argument(
        ..., help="Videos (any format FFmpeg reads), or folders / quoted globs of still frames."
    ),
    arena: Path | None = typer.Option(
        None,
        "--arena",
        help="Arena YAML in the video's pixels (cm_per_unit = cm per pixel; pool: auto, "
        "calibration, exclude accepted). Without it positions are in pixels only.",
    ),
    out: Path = typer.Option(Path("tracks"), "--out", help="Folder for <video>.csv and qc/."),
    start: float | None = typer.Option(None, "--start", help="Track from this time (s)."),
    end: float | None = typer.Option(None, "--end", help="Track up to this time (s)."),
    polarity: str = typer.Option(
        "auto", "--polarity", help="auto, dark (animal darker than the background) or light."
    ),
    fps: float | None = typer.Option(
        None, "--fps", help="Frame rate: needed for still frames; overrides a video's own."
    ),
    fill_gaps: float = typer.Option(
        0.0, "--fill-gaps", help="Interpolate gaps up to this many seconds (default: never)."
    ),
    as_json: bool = typer.Option(
        False, "--json", help='Print JSON: {"rows": [...], "skipped": [{"file", "reason"}]}.'
    ),
    strict: bool = strict_option(),
) -> None:
    """Videos to tracks: one CSV per video, QC images, frames placed and lost.

    Writes OUT/<video>.csv (frame, time_s, x_cm, y_cm, x_px, y_px, quality; without --arena the
    pixel columns only) and OUT/qc/ (the background with the track drawn, frames where the
    animal was lost), and prints frames decoded, placed and lost per video. A frame where the
    animal cannot be placed with confidence is left empty (quality 0). A corrupt or truncated
    video is skipped with a warning (--strict refuses the batch).

    Example: neuroprotect behavior track trial1.mp4 trial2.mp4 --arena pool.yaml --out tracks
    """
    from neuroprotect.behavior.video.track import TrackOptions

    rows: list[dict[str, Any]] = []
    batch = new_batch(strict)
    with user_errors():
        from neuroprotect.errors import InputError

        if polarity not in ("auto", "dark", "light"):
            raise InputError(
                f"Expected auto, dark or light, but got {polarity!r}", field="--polarity"
            )
        if start is not None and end is not None and end <= start:
            raise InputError(f"Expected --end > --start, but got {start}..{end}", field="--end")
        video_arena = None
        if arena is not None:
            from neuroprotect.behavior.video.calibrate import read_video_arena

            video_arena = read_video_arena(arena)
        options = TrackOptions(polarity=polarity, start_s=start, end_s=end, fill_gap_s=fill_gaps)
        output_dir(out)
        with _progress(len(videos)) as progress:
            for video in videos:
                with batch.item(video):
                    rows.append(_one(video, fps, options, video_arena, out, progress))
                progress.advance_video()
        batch.finish(what="videos")
    if as_json:
        print_json(batch_json(rows, batch))
        return
    for row in rows:
        typer.echo(
            f"{row['video']}: {row['frames_decoded']} frames decoded, {row['frames_placed']} "
            f"placed, {row['frames_lost']} lost ({row['lost_stretches']} stretches, longest "
            f"{row['longest_lost_s']} s), {row['fps']} fps, {row['polarity']} animal -> "
            f"{row['track']}"
        )
    note_skipped(batch, what="videos")


def _one(video: Path, fps: float | None, options: Any, video_arena: Any, out: Path, progress: Any):
    from neuroprotect.behavior.video.decode import open_source
    from neuroprotect.behavior.video.qc import summary, write_outputs
    from neuroprotect.behavior.video.track import track_source

    source = open_source(video, fps=fps)
    resolved: dict[str, Any] = {}
    allowed = None
    if video_arena is not None:

        def allowed(background: Any) -> Any:
            resolved["arena"] = video_arena.resolve(background)
            return video_arena.allowed(resolved["arena"], background.shape)

    progress.start_video(source.name)
    result = track_source(source, options, allowed=allowed, progress=progress.frames)
    scale = resolved["arena"].cm_per_unit if "arena" in resolved else None
    row = summary(result) | write_outputs(result, out, scale)
    if "arena" in resolved and video_arena.pool_auto:
        pool = resolved["arena"].pool
        row["pool_px"] = {
            "x": round(pool.x, 1),
            "y": round(pool.y, 1),
            "radius": round(pool.radius, 1),
        }
    return row


class _Progress:
    """Rich progress bars on stderr (frames of the current video, videos of the batch); silent
    when stderr is not a terminal."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import Progress

        console = Console(stderr=True)
        self.bar = Progress(console=console, transient=True, disable=not console.is_terminal)
        self.videos = self.bar.add_task("videos", total=total, visible=total > 1)
        self.task: Any = None

    def start_video(self, name: str) -> None:
        if self.task is not None:
            self.bar.remove_task(self.task)
        self.task = self.bar.add_task(name, total=None)

    def frames(self, done: int) -> None:
        self.bar.update(self.task, completed=done, description=f"{done} frames")

    def advance_video(self) -> None:
        self.bar.advance(self.videos)


class _progress:  # noqa: N801 - used as a context manager
    def __init__(self, total: int) -> None:
        self.progress = _Progress(total)

    def __enter__(self) -> _Progress:
        self.progress.bar.start()
        return self.progress

    def __exit__(self, *exc: object) -> None:
        self.progress.bar.stop()
