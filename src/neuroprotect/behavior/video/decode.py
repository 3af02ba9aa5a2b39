"""Frames of a behaviour video (PyAV) or of a folder/glob of still images, as luma arrays.

Videos are decoded with PyAV (FFmpeg inside its wheel) and the luma (Y) plane is read in place
(``frame.planes[0]`` with its line stride): no colour conversion, no copy. Frames are streamed one
at a time, so memory does not grow with the video's length. Frames are counted as they are
decoded; the container's frame count is never trusted.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from neuroprotect.errors import InputError

__all__ = ["Frame", "VideoSource", "open_source", "IMAGE_SUFFIXES"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
_LUMA_FORMATS = ("yuv", "yuvj", "nv12", "nv21", "gray")


@dataclass(frozen=True)
class Frame:
    """One decoded frame: its 0-based index in decoding order, time (s) and luma (uint8, HxW)."""

    index: int
    time_s: float
    luma: np.ndarray


def _luma(frame: Any) -> np.ndarray:
    """The Y plane of a PyAV VideoFrame as a (height, width) uint8 view (no conversion)."""
    name = frame.format.name
    if not name.startswith(_LUMA_FORMATS) or name.endswith(("le", "be")):
        frame = frame.reformat(format="gray")  # rare: RGB or high-bit-depth sources
    plane = frame.planes[0]
    rows = np.frombuffer(plane, np.uint8).reshape(frame.height, plane.line_size)
    return rows[:, : frame.width]


class VideoSource:
    """A video file or an image sequence, opened for streaming.

    Use :func:`open_source`. ``fps``, ``width`` and ``height`` describe the frames; ``name`` is
    the stem used for output files.
    """

    def __init__(
        self, path: Path, images: list[Path] | None, fps: float, *, fixed_rate: bool = False
    ) -> None:
        self.path = path
        self.fixed_rate = fixed_rate or images is not None
        self.images = images
        self.fps = fps
        self.name = path.stem if images is None else (path.name.split("*")[0] or "frames")
        first = next(self.frames(), None)
        if first is None:
            raise InputError(
                "Expected a video with at least one frame, but none decoded", file=path
            )
        self.height, self.width = first.luma.shape

    # -- videos -----------------------------------------------------------------------------
    def _open(self) -> Any:
        import av

        try:
            container = av.open(str(self.path))
        except (av.error.FFmpegError, OSError) as exc:
            raise InputError(
                f"Expected a readable video, but it could not be opened ({_reason(exc)})",
                file=self.path,
            ) from None
        if not container.streams.video:
            container.close()
            raise InputError("Expected a video stream, but the file has none", file=self.path)
        return container

    def frames(self, start_s: float | None = None, end_s: float | None = None) -> Iterator[Frame]:
        """Decode every frame in order (between ``start_s`` and ``end_s`` when given).

        Raises
        ------
        InputError
            The file cannot be opened, or decoding fails part-way (a corrupt or truncated video):
            one line naming the file and the last good frame.
        """
        if self.images is not None:
            yield from self._image_frames(start_s, end_s)
            return
        import av

        container = self._open()
        index = -1
        try:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            # no seeking to start_s: frames are numbered by decoding them all from the first
            t0 = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
            for frame in container.decode(stream):
                index += 1
                time_s = (
                    index / self.fps
                    if self.fixed_rate or frame.time is None
                    else float(frame.time) - t0
                )
                if start_s is not None and time_s < start_s - 0.5 / self.fps:
                    continue
                if end_s is not None and time_s > end_s + 0.5 / self.fps:
                    break
                yield Frame(index, time_s, _luma(frame))
            else:
                _check_complete(container, stream, index, self.path)
        except av.error.FFmpegError as exc:
            raise InputError(
                f"Expected a complete video, but decoding failed after frame {index} "
                f"({_reason(exc)}): corrupt or truncated",
                file=self.path,
            ) from None
        finally:
            container.close()

    def key_frames(self, limit: int) -> list[np.ndarray]:
        """Luma copies of up to ``limit`` frames spread over the video, decoded cheaply.

        Only key frames are decoded (FFmpeg skips the others), so sampling costs little next to
        the tracking pass. A video with fewer than 8 key frames is sampled by one decoding pass
        that keeps every k-th frame instead.
        """
        if self.images is not None:
            step = max(1, len(self.images) // limit)
            return [f.luma.copy() for f in self._image_frames(None, None, step=step)]
        import av

        container = self._open()
        out: list[np.ndarray] = []
        try:
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            out = [_luma(f).copy() for f in container.decode(stream)]
        except av.error.FFmpegError:
            pass  # a damaged tail: the tracking pass reports it
        finally:
            container.close()
        if len(out) < 8:
            estimate = max(1, int(self._frame_estimate()))
            step = max(1, estimate // limit)
            out = []
            try:
                for frame in self.frames():
                    if frame.index % step == 0:
                        out.append(frame.luma.copy())
            except InputError:
                if not out:
                    raise
        if len(out) > limit:
            out = [out[i] for i in np.linspace(0, len(out) - 1, limit).round().astype(int)]
        return out

    def _frame_estimate(self) -> float:
        container = self._open()
        try:
            stream = container.streams.video[0]
            if stream.frames:
                return float(stream.frames)
            if container.duration:
                return container.duration / 1e6 * self.fps
            return 1000.0
        finally:
            container.close()

    # -- image sequences ------------------------------------------------------------------
    def _image_frames(
        self, start_s: float | None, end_s: float | None, *, step: int = 1
    ) -> Iterator[Frame]:
        from PIL import Image, UnidentifiedImageError

        assert self.images is not None
        for index in range(0, len(self.images), step):
            time_s = index / self.fps
            if start_s is not None and time_s < start_s - 0.5 / self.fps:
                continue
            if end_s is not None and time_s > end_s + 0.5 / self.fps:
                break
            path = self.images[index]
            try:
                with Image.open(path) as image:
                    luma = np.asarray(image.convert("L"))
            except (UnidentifiedImageError, OSError) as exc:
                raise InputError(f"Expected a readable image, but got {exc}", file=path) from None
            yield Frame(index, time_s, luma)


def _check_complete(container: Any, stream: Any, last: int, path: Path) -> None:
    """A video whose decoding ends well before the duration its header states was cut short
    (a copy interrupted, a recording that crashed): refuse it rather than track half a trial."""
    duration = None
    if stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    elif container.duration:
        duration = container.duration / 1e6
    rate = float(stream.average_rate or 0) or 25.0
    if duration is None or last < 0:
        return
    decoded = (last + 1) / rate
    if decoded < duration - max(1.0, 0.02 * duration):
        raise InputError(
            f"Expected the {duration:.1f} s the video's header states, but only {last + 1} frames "
            f"({decoded:.1f} s) decode: truncated",
            file=path,
        )


def _reason(exc: BaseException) -> str:
    return " ".join(str(getattr(exc, "strerror", None) or exc).split()) or type(exc).__name__


def open_source(path: str | PathLike[str], *, fps: float | None = None) -> VideoSource:
    """Open a video file, or a folder / glob pattern of still images (one session, in name order).

    Parameters
    ----------
    path
        A video (any container and codec FFmpeg reads), a folder of images, or a glob such as
        ``frames/img*.png``.
    fps
        Frames per second. Videos: overrides the stream's rate (time_s = index / fps). Image
        sequences: required.

    Raises
    ------
    InputError
        Missing file, unreadable video, no images, no fps for an image sequence.
    """
    path = Path(path)
    if fps is not None and not (np.isfinite(fps) and fps > 0):
        raise InputError(f"Expected fps > 0, but got {fps!r}", field="--fps")
    images: list[Path] | None = None
    if path.is_dir():
        images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    elif any(c in str(path) for c in "*?["):
        images = sorted(Path(p) for p in glob.glob(str(path)))
    elif not path.exists():
        raise InputError("Expected an existing video file, but it is missing", file=path)
    if images is not None:
        if not images:
            raise InputError("Expected image files (.png, .jpg, .tif), but found none", file=path)
        if fps is None:
            raise InputError(
                "Expected --fps for a sequence of images (their frame rate)", file=path
            )
        return VideoSource(path, images, fps)
    if fps is None:
        return VideoSource(path, None, _stream_fps(path))
    return VideoSource(path, None, fps, fixed_rate=True)


def _stream_fps(path: Path) -> float:
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise InputError("Expected a video stream, but the file has none", file=path)
            rate = container.streams.video[0].average_rate or container.streams.video[0].base_rate
    except av.error.FFmpegError as exc:
        raise InputError(
            f"Expected a readable video, but it could not be opened ({_reason(exc)})", file=path
        ) from None
    if not rate:
        raise InputError(
            "Expected a frame rate in the video, but none is stored: give --fps", file=path
        )
    return float(rate)
