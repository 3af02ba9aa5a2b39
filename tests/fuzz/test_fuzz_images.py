"""Damaged image files: truncated, garbage in the header, absurd dimensions (decompression bombs).
Reading ends in an image or one InputError naming the file, never another exception or a hang
(issue 16, part 5)."""

from __future__ import annotations

import io
import struct
import tempfile
import zlib
from pathlib import Path

import numpy as np
import tifffile
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image as PILImage

from neuroprotect.errors import InputError
from neuroprotect.histology.io import read_image
from tests.fuzz._cli import _alarm


def _encoded(fmt: str) -> bytes:
    rgb = (np.random.default_rng(3).random((24, 32, 3)) * 255).astype(np.uint8)
    buf = io.BytesIO()
    if fmt == "tiff":
        tifffile.imwrite(buf, rgb, resolution=(2.0, 2.0), resolutionunit="CENTIMETER")
    else:
        PILImage.fromarray(rgb).save(buf, format=fmt.upper())
    return buf.getvalue()


SAMPLES = {fmt: _encoded(fmt) for fmt in ("png", "tiff", "jpeg")}


def _read(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"slice.{suffix}"
        path.write_bytes(data)
        with _alarm(60):
            try:
                image = read_image(path)
            except InputError as exc:
                assert "slice." in exc.one_line() and "\n" not in exc.one_line()
                return
        assert image.array.size > 0


@st.composite
def damaged_image(draw: st.DrawFn) -> tuple[bytes, str]:
    fmt = draw(st.sampled_from(sorted(SAMPLES)))
    data = bytearray(SAMPLES[fmt])
    kind = draw(st.sampled_from(["truncate", "header", "body", "garbage", "empty"]))
    if kind == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif kind in {"header", "body"}:
        lo, hi = (0, min(64, len(data))) if kind == "header" else (64, len(data))
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(lo, hi - 1))] = draw(st.integers(0, 255))
    elif kind == "garbage":
        data = bytearray(draw(st.binary(min_size=1, max_size=256)))
    else:
        data = bytearray()
    suffix = draw(st.sampled_from([fmt, fmt, "png", "tif"]))  # a wrong extension too
    return bytes(data), suffix


@given(damaged_image())
def test_damaged_images(case: tuple[bytes, str]) -> None:
    _read(*case)


def _png_with_size(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height (the data is one tiny row)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))  # fmt: skip

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" + b"\x00" * 3 * min(width, 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@given(st.integers(1, 2**31 - 1), st.integers(1, 2**31 - 1))
def test_absurd_png_dimensions(width: int, height: int) -> None:
    _read(_png_with_size(width, height), "png")


@given(st.integers(1, 2**32 - 1), st.integers(1, 2**32 - 1))
def test_absurd_tiff_dimensions(width: int, height: int) -> None:
    data = bytearray(SAMPLES["tiff"])
    # patch ImageWidth (256) and ImageLength (257) in the first IFD, whatever their type
    (offset,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, offset)
    for i in range(count):
        entry = offset + 2 + 12 * i
        tag, typ = struct.unpack_from("<HH", data, entry)
        if tag in (256, 257):
            value = width if tag == 256 else height
            if typ == 3:  # SHORT
                struct.pack_into("<HHIH", data, entry, tag, 3, 1, value & 0xFFFF)
            else:
                struct.pack_into("<HHII", data, entry, tag, 4, 1, value)
    _read(bytes(data), "tif")
