"""Reading histology images: PNG, JPEG and TIFF (multi-page, large, tiled) with their pixel size.

Images are numpy arrays ``(row, col)`` or ``(row, col, channel)`` in the file's own dtype, with the
physical pixel size in micrometres taken from the file's metadata when it has one (TIFF resolution
tags, OME-XML ``PhysicalSizeX``, ImageJ ``unit``; PNG ``pHYs``; JPEG JFIF/EXIF density) and
``None`` otherwise. Large TIFFs are read tile by tile (or strip by strip) through ``tifffile`` with
:func:`iter_tiles`, so memory stays bounded.

Every problem a user can fix (an unknown format, a truncated file, a decompression bomb) is an
:class:`~neuroprotect.errors.InputError` with one line naming the file.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from neuroprotect.errors import InputError
from neuroprotect.histology._image_formats import (
    ImageInfo,
    Tile,
    _cut,
    _err,
    _pil_pixel_size_um,
    _png_phys,
    _tiff_pixel_size_um,
    _tiff_segments,
)

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "IMAGE_SUFFIXES",
    "Image",
    "ImageInfo",
    "Tile",
    "image_info",
    "iter_tiles",
    "read_image",
]

#: Largest image (pixels per page) read whole into memory; larger images go through
#: :func:`iter_tiles`. 250 megapixels is 750 MB as 8-bit RGB.
DEFAULT_MAX_PIXELS = 250_000_000
#: Largest image accepted at all (decompression-bomb guard): 20 gigapixels.
ABSURD_PIXELS = 20_000_000_000
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


@dataclass(frozen=True)
class Image:
    """An image and its physical pixel size.

    Attributes
    ----------
    array
        ``(row, col)`` grey or ``(row, col, channel)`` colour array in the file's dtype.
    pixel_size_um
        Side of one (square) pixel in µm, from the file's metadata, or ``None`` when the file does
        not say (then the user must give it).
    path
        The file read.
    page
        Page (TIFF directory / series image) read; 0 for single-page files.
    n_pages
        Number of pages in the file.
    """

    array: np.ndarray
    pixel_size_um: float | None
    path: str
    page: int = 0
    n_pages: int = 1

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.array.shape)


def _format_of(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
    except FileNotFoundError:
        raise _err(path, "Expected an existing image file, but it does not exist") from None
    except OSError as exc:
        raise _err(path, f"Expected a readable image file, but got {exc.strerror}") from None
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if not head:
        raise _err(path, "Expected an image (PNG, JPEG or TIFF), but the file is empty")
    raise _err(
        path,
        f"Expected an image in PNG, JPEG or TIFF format, but the file starts with {head[:8]!r} "
        f"(suffix {path.suffix or 'none'})",
    )


# --- TIFF metadata -------------------------------------------------------------------------------
def _tiff_info(path: Path, page: int) -> tuple[ImageInfo, Any]:
    import tifffile

    try:
        tf = tifffile.TiffFile(path)
    except Exception as exc:  # tifffile raises several types for a corrupt header
        raise _err(path, f"Expected a readable TIFF file, but got: {exc}") from None
    try:
        n_pages = len(tf.pages)
        if n_pages == 0:
            raise _err(path, "Expected a readable TIFF file, but it has no image directory")
        if not 0 <= page < n_pages:
            raise _err(path, f"Expected a page between 0 and {n_pages - 1}, but got {page}")
        p: Any = tf.pages[page]
        shape = tuple(int(s) for s in p.shape)
        info = ImageInfo(
            path=str(path),
            rows=int(p.imagelength),
            cols=int(p.imagewidth),
            channels=int(p.samplesperpixel),
            dtype=np.dtype(p.dtype) if p.dtype is not None else np.dtype("uint8"),
            pixel_size_um=_tiff_pixel_size_um(tf, p),
            n_pages=n_pages,
            format="tiff",
        )
        if len(shape) > 3 or (len(shape) == 3 and shape[-1] != info.channels):
            raise _err(
                path,
                f"Expected a 2-D grey or colour page, but page {page} has shape {shape}",
            )
    except BaseException:
        tf.close()
        raise
    return info, tf


# --- PNG / JPEG metadata -------------------------------------------------------------------------
def _pil_open(path: Path, fmt: str) -> Any:
    from PIL import Image as PILImage

    # Our own limits (max_pixels, ABSURD_PIXELS) apply once the header is read; Pillow's default
    # guard (about 179 megapixels) would refuse legitimate 15k x 15k plate scans.
    saved = PILImage.MAX_IMAGE_PIXELS
    try:
        PILImage.MAX_IMAGE_PIXELS = ABSURD_PIXELS // 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            img = PILImage.open(path)
    except PILImage.DecompressionBombError:
        raise _err(
            path,
            f"Expected an image of at most {ABSURD_PIXELS / 1e9:g} gigapixels, but its header "
            "declares more (a decompression bomb?)",
        ) from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for a corrupt header
        raise _err(path, f"Expected a readable {fmt.upper()} image, but got: {exc}") from None
    finally:
        PILImage.MAX_IMAGE_PIXELS = saved
    if fmt == "png":
        img.info["pHYs_raw"] = _png_phys(path)
    return img


def _pil_info(path: Path, fmt: str) -> tuple[ImageInfo, Any]:
    img = _pil_open(path, fmt)
    bands = len(img.getbands())
    mode_dtype = {"I;16": "uint16", "I;16B": "uint16", "I": "int32", "F": "float32"}
    info = ImageInfo(
        path=str(path),
        rows=img.height,
        cols=img.width,
        channels=bands,
        dtype=np.dtype(mode_dtype.get(img.mode, "uint8")),
        pixel_size_um=_pil_pixel_size_um(img, fmt),
        n_pages=int(getattr(img, "n_frames", 1)),
        format=fmt,
    )
    return info, img


def image_info(path: str | PathLike[str], *, page: int = 0) -> ImageInfo:
    """Size, channels, dtype and pixel size of an image, from its header (no pixels decoded).

    Raises
    ------
    InputError
        Missing file, unknown format, unreadable header, or more than 20 gigapixels.
    """
    p = Path(path)
    fmt = _format_of(p)
    if fmt == "tiff":
        info, handle = _tiff_info(p, page)
    else:
        info, handle = _pil_info(p, fmt)
    handle.close()
    _check_absurd(info)
    return info


def _check_absurd(info: ImageInfo) -> None:
    if info.rows <= 0 or info.cols <= 0:
        raise _err(info.path, f"Expected an image with pixels, but it is {info.rows} x {info.cols}")
    if info.n_pixels * max(info.channels, 1) > ABSURD_PIXELS:
        raise _err(
            info.path,
            f"Expected an image of at most {ABSURD_PIXELS / 1e9:g} gigapixels, but its header "
            f"declares {info.rows} x {info.cols} x {info.channels} (a decompression bomb?)",
        )


def _as_array(img: Any, path: Path, fmt: str) -> np.ndarray:
    mode = img.mode
    try:
        if mode in ("P", "PA"):
            img = img.convert("RGBA" if "transparency" in img.info or mode == "PA" else "RGB")
        elif mode in ("1", "CMYK", "YCbCr", "LAB", "HSV"):
            img = img.convert("L" if mode == "1" else "RGB")
        elif mode == "LA":
            img = img.convert("RGBA")
        img.load()
        arr = np.asarray(img)
    except (OSError, SyntaxError, ValueError) as exc:
        raise _err(
            path, f"Expected a complete {fmt.upper()} image, but decoding failed ({exc})"
        ) from None
    if mode in ("I;16", "I;16B", "I;16L"):
        arr = arr.astype(np.uint16)
    return arr


def read_image(
    path: str | PathLike[str],
    *,
    page: int = 0,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Image:
    """Read one image (one page of a multi-page TIFF) whole into memory.

    Parameters
    ----------
    path
        PNG, JPEG or TIFF file (the format is recognised from the file's first bytes, not from its
        suffix).
    page
        Page of a multi-page TIFF (0-based).
    max_pixels
        Largest number of pixels (rows x cols) read whole; a larger image is refused with an error
        that points to :func:`iter_tiles`.

    Returns
    -------
    Image
        ``array`` ``(row, col)`` or ``(row, col, channel)`` in the file's dtype (palette images are
        expanded to RGB, 1-bit to 0/255 grey) and ``pixel_size_um`` from the metadata or ``None``.

    Raises
    ------
    InputError
        Missing, empty, unsupported, truncated or corrupt file; a page that does not exist; an
        image larger than ``max_pixels`` or a decompression bomb.

    Notes
    -----
    Pixel size sources, first found wins. TIFF: OME-XML ``PhysicalSizeX`` (+ unit), ImageJ's
    ``unit`` with the X resolution tag, or the X resolution tag with ResolutionUnit centimetre or
    inch (72 and 96 dpi are treated as "not given": they are screen defaults of cameras and
    editors, not a scale). PNG: the ``pHYs`` chunk when its unit is the metre (72/96 dpi again
    "not given"). JPEG: the JFIF
    density or EXIF X resolution with dots per cm (or dots per inch other than 72/96/300).

    Examples
    --------
    >>> img = read_image("plate.tif")  # doctest: +SKIP
    >>> img.array.shape, img.pixel_size_um  # doctest: +SKIP
    ((2048, 3072, 3), 25.4)
    """
    p = Path(path)
    fmt = _format_of(p)
    if fmt == "tiff":
        info, tf = _tiff_info(p, page)
        try:
            _check_size(info, max_pixels)
            try:
                arr = tf.pages[page].asarray()
            except KeyError as exc:  # a codec tifffile cannot decode without imagecodecs
                tf.close()
                return _read_tiff_with_pillow(p, info, page, reason=str(exc))
            except Exception as exc:  # noqa: BLE001 - truncated strips, bad offsets...
                raise _err(
                    p, f"Expected a complete TIFF image, but decoding page {page} failed ({exc})"
                ) from None
        finally:
            tf.close()
        return Image(_check_pixels(arr, p), info.pixel_size_um, str(p), page, info.n_pages)
    info, img = _pil_info(p, fmt)
    try:
        _check_size(info, max_pixels)
        arr = _as_array(img, p, fmt)
    finally:
        img.close()
    return Image(_check_pixels(arr, p), info.pixel_size_um, str(p), 0, info.n_pages)


def _check_pixels(arr: np.ndarray, path: Path) -> np.ndarray:
    """A decoded image must have rows and columns (a damaged header can decode to 0 x N)."""
    if arr.ndim < 2 or arr.size == 0:
        raise _err(path, f"Expected an image with pixels, but it decoded to shape {arr.shape}")
    return arr


def _read_tiff_with_pillow(p: Path, info: ImageInfo, page: int, *, reason: str) -> Image:
    from PIL import Image as PILImage

    try:
        img = PILImage.open(p)
        img.seek(page)
        arr = _as_array(img, p, "tiff")
        img.close()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _err(
            p, f"Expected a TIFF compression this installation can decode, but got {reason} ({exc})"
        ) from None
    return Image(_check_pixels(arr, p), info.pixel_size_um, str(p), page, info.n_pages)


def _check_size(info: ImageInfo, max_pixels: int) -> None:
    _check_absurd(info)
    if info.n_pixels > max_pixels:
        raise _err(
            info.path,
            f"Expected at most {max_pixels:,} pixels to read whole, but the image has "
            f"{info.rows} x {info.cols} = {info.n_pixels:,}; read it tile by tile (iter_tiles)",
        )


def iter_tiles(
    path: str | PathLike[str],
    *,
    tile: int = 1024,
    page: int = 0,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Iterator[Tile]:
    """Yield an image in rectangular pieces, decoding only one piece at a time where possible.

    Parameters
    ----------
    path
        PNG, JPEG or TIFF file.
    tile
        Target side of a piece in pixels. Tiled TIFFs are yielded in their own tiles (compressed
        data read in 16 MB buffers), striped TIFFs in bands of whole strips about ``tile`` rows
        high, and
        uncompressed TIFFs through a memory map; PNG and JPEG cannot be decoded in parts and are
        read whole (within ``max_pixels``) and cut into ``tile`` x ``tile`` pieces.
    page
        Page of a multi-page TIFF.
    max_pixels
        Limit for the formats that have to be read whole.

    Yields
    ------
    Tile
        ``row0, col0`` of the piece's top-left pixel and its ``array`` (``(rows, cols[, ch])``).
        Together the pieces cover the image exactly once.

    Raises
    ------
    InputError
        As :func:`read_image`; a truncated file may fail after some pieces were yielded.
    """
    if tile < 16:
        raise InputError(f"Expected a tile side of at least 16 pixels, but got {tile}")
    p = Path(path)
    fmt = _format_of(p)
    if fmt != "tiff":
        yield from _cut(read_image(p, page=page, max_pixels=max_pixels).array, tile)
        return
    info, tf = _tiff_info(p, page)
    try:
        _check_absurd(info)
        pg = tf.pages[page]
        if pg.is_memmappable:
            arr = tf.asarray(key=page, out="memmap")
            yield from _cut(arr, tile)
            return
        contig = pg.planarconfig == 1 or info.channels == 1
        if not contig:
            tf.close()
            yield from _cut(read_image(p, page=page, max_pixels=max_pixels).array, tile)
            return
        yield from _tiff_segments(pg, info, tile, p)
    finally:
        tf.close()
