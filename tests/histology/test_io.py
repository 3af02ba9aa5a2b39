"""Image reading: formats, pixel size from metadata, tiles, and one-line errors on bad files.

Expected values are analytic: each file is written here with a known array and a known resolution
(e.g. 1000 pixels per cm is exactly 10 µm per pixel).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image as PILImage

from neuroprotect.errors import InputError
from neuroprotect.histology.io import image_info, iter_tiles, read_image


def _rgb(rows: int = 70, cols: int = 90, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (rows, cols, 3), dtype=np.uint8)


def _assemble(path: Path, shape: tuple[int, ...], **kw) -> tuple[np.ndarray, int]:
    out = np.full(shape, -1, dtype=np.int64)
    n = 0
    for t in iter_tiles(path, **kw):
        h, w = t.array.shape[:2]
        region = out[t.row0 : t.row0 + h, t.col0 : t.col0 + w]
        assert (region == -1).all(), "tiles overlap"
        region[...] = t.array
        n += 1
    return out, n


def test_png_roundtrip_and_phys_in_metres(tmp_path: Path) -> None:
    """pHYs of 100 000 px/m (Pillow writes dpi=2540 as metre units) is 10 µm per pixel."""
    a = _rgb()
    path = tmp_path / "plate.png"
    PILImage.fromarray(a).save(path, dpi=(2540, 2540))
    img = read_image(path)
    np.testing.assert_array_equal(img.array, a)
    assert img.pixel_size_um == pytest.approx(10.0, rel=1e-4)


def test_png_without_phys_has_no_pixel_size(tmp_path: Path) -> None:
    path = tmp_path / "plain.png"
    PILImage.fromarray(_rgb()).save(path)
    assert read_image(path).pixel_size_um is None


@pytest.mark.parametrize("dpi", [72, 96])
def test_png_screen_default_dpi_has_no_pixel_size(tmp_path: Path, dpi: int) -> None:
    """pHYs of 2835 / 3780 px/m is the 72 / 96 dpi default of editors, not a scale."""
    path = tmp_path / "default.png"
    PILImage.fromarray(_rgb()).save(path, dpi=(dpi, dpi))
    assert read_image(path).pixel_size_um is None


def test_jpeg_jfif_density(tmp_path: Path) -> None:
    """JFIF density 2540 dots per inch -> 25 400 / 2540 = 10 µm; 72 dpi means 'not given'."""
    a = np.full((40, 50, 3), 128, np.uint8)
    path = tmp_path / "photo.jpg"
    PILImage.fromarray(a).save(path, dpi=(2540, 2540), quality=95)
    img = read_image(path)
    assert img.array.shape == (40, 50, 3)
    assert np.abs(img.array.astype(int) - 128).max() <= 2
    assert img.pixel_size_um == pytest.approx(10.0)
    PILImage.fromarray(a).save(path, dpi=(72, 72))
    assert read_image(path).pixel_size_um is None


def test_tiff_resolution_tags_ome_and_imagej(tmp_path: Path) -> None:
    """1000 px/cm -> 10 µm; OME PhysicalSizeX 0.65 µm; ImageJ unit 'um' at 2 px/um -> 0.5 µm."""
    a = _rgb()
    p1 = tmp_path / "res.tif"
    tifffile.imwrite(p1, a, resolution=(1000, 1000), resolutionunit="CENTIMETER")
    img = read_image(p1)
    np.testing.assert_array_equal(img.array, a)
    assert img.pixel_size_um == pytest.approx(10.0)
    p2 = tmp_path / "ome.ome.tif"
    tifffile.imwrite(
        p2,
        a,
        ome=True,
        photometric="rgb",
        metadata={"axes": "YXS", "PhysicalSizeX": 0.65, "PhysicalSizeXUnit": "µm"},
    )
    assert read_image(p2).pixel_size_um == pytest.approx(0.65)
    p3 = tmp_path / "ij.tif"
    grey = (np.arange(70 * 90).reshape(70, 90) % 4000).astype(np.uint16)
    tifffile.imwrite(p3, grey, imagej=True, resolution=(2.0, 2.0), metadata={"unit": "um"})
    img3 = read_image(p3)
    assert img3.array.dtype == np.uint16
    np.testing.assert_array_equal(img3.array, grey)
    assert img3.pixel_size_um == pytest.approx(0.5)


def test_multipage_tiff(tmp_path: Path) -> None:
    pages = [_rgb(seed=s) for s in range(3)]
    path = tmp_path / "series.tif"
    with tifffile.TiffWriter(path) as tw:
        for page in pages:
            tw.write(page, photometric="rgb")
    img = read_image(path, page=2)
    assert img.n_pages == 3 and img.page == 2
    np.testing.assert_array_equal(img.array, pages[2])
    with pytest.raises(InputError, match="page between 0 and 2"):
        read_image(path, page=3)


@pytest.mark.parametrize(
    "kw",
    [
        {"tile": (32, 48), "compression": "zlib"},  # tiled, compressed: native tiles
        {"rowsperstrip": 7, "compression": "zlib"},  # striped, compressed: bands of strips
        {},  # uncompressed: memory map
    ],
)
def test_iter_tiles_tiff_covers_image_once(tmp_path: Path, kw: dict) -> None:
    a = _rgb(101, 133)
    path = tmp_path / "big.tif"
    tifffile.imwrite(path, a, photometric="rgb", **kw)
    out, n = _assemble(path, a.shape, tile=32)
    np.testing.assert_array_equal(out, a)
    assert n > 1


def test_iter_tiles_png_and_grey(tmp_path: Path) -> None:
    a = _rgb(50, 61)[..., 0]
    path = tmp_path / "grey.png"
    PILImage.fromarray(a).save(path)
    out, n = _assemble(path, a.shape, tile=16)
    np.testing.assert_array_equal(out, a)
    assert n == 4 * 4


def test_image_info_reads_header_only(tmp_path: Path) -> None:
    path = tmp_path / "x.tif"
    tifffile.imwrite(path, _rgb(20, 30), tile=(16, 16), compression="zlib")
    info = image_info(path)
    assert (info.rows, info.cols, info.channels, info.format) == (20, 30, 3, "tiff")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_decompression_bomb_png_refused(tmp_path: Path) -> None:
    """A 200 byte PNG whose header declares 200 000 x 200 000 RGB pixels."""
    ihdr = struct.pack(">IIBBBBB", 200_000, 200_000, 8, 2, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 100))
        + _png_chunk(b"IEND", b"")
    )
    path = tmp_path / "bomb.png"
    path.write_bytes(data)
    with pytest.raises(InputError, match="decompression bomb") as exc:
        read_image(path)
    assert str(path) in str(exc.value) and "\n" not in str(exc.value)


def test_too_large_to_read_whole_points_to_tiles(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    PILImage.fromarray(_rgb()).save(path)
    with pytest.raises(InputError, match="tile by tile"):
        read_image(path, max_pixels=1000)


def test_truncated_files(tmp_path: Path) -> None:
    a = _rgb(200, 200)
    png = tmp_path / "cut.png"
    PILImage.fromarray(a).save(png)
    png.write_bytes(png.read_bytes()[:2000])
    with pytest.raises(InputError, match="complete PNG"):
        read_image(png)
    tif = tmp_path / "cut.tif"
    tifffile.imwrite(tif, a, compression="zlib", rowsperstrip=20)
    raw = tif.read_bytes()
    tif.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(InputError, match="TIFF"):
        read_image(tif)
    with pytest.raises(InputError, match="TIFF"):
        list(iter_tiles(tif, tile=32))


def test_unsupported_missing_and_empty(tmp_path: Path) -> None:
    gif = tmp_path / "anim.gif"
    PILImage.fromarray(_rgb()[..., 0]).save(gif)
    with pytest.raises(InputError, match="PNG, JPEG or TIFF"):
        read_image(gif)
    with pytest.raises(InputError, match="does not exist"):
        read_image(tmp_path / "nope.png")
    empty = tmp_path / "empty.tif"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_image(empty)
    junk = tmp_path / "junk.tif"
    junk.write_bytes(b"II*\x00" + b"\xff" * 40)
    with pytest.raises(InputError, match="TIFF"):
        read_image(junk)
