"""The widget's home-screen icons in the business's brand colour (R-U3), with no image library.

The stock icons (``widget/icons/*.png``) hold two colours only, the default brand blue and the
white of the figure, blended at the edges and over transparency; they are stored unfiltered
(PNG filter type 0), so their pixels are the inflated data. A pixel's red channel says how much
of each colour it holds, so a new brand is one lookup table per channel. The figure is white or
dark, whichever contrasts more with the brand (the rule of ``widget/brand.js`` for text on it).
"""

from __future__ import annotations

import functools
import struct
import zlib
from pathlib import Path

STOCK_BRAND = (0x2F, 0x4F, 0xC4)  # the colour the stock icons are drawn in (widget.css's --brand)
WHITE = (0xFF, 0xFF, 0xFF)
DARK = (0x1C, 0x1D, 0x21)  # widget/brand.js's DARK_TEXT
ICONS = ("icon-192", "icon-512", "maskable-512")
_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunks(data: bytes) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    at = len(_SIGNATURE)
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        found[kind] = found.get(kind, b"") + data[at + 8 : at + 8 + length]
        at += 12 + length
    return found


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def unfiltered_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and the RGBA pixels of an unfiltered 8-bit RGBA PNG (what this module reads and writes)."""
    chunks = _chunks(data)
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    if not data.startswith(_SIGNATURE) or (depth, colour_type, interlace) != (8, 6, 0):
        raise ValueError("expected an 8-bit RGBA PNG, not interlaced")
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * 4 + 1
    if any(raw[row * stride] for row in range(height)):
        raise ValueError("expected a PNG stored unfiltered (filter type 0)")
    return width, height, b"".join(raw[row * stride + 1 : (row + 1) * stride] for row in range(height))


@functools.cache
def _stock(path: Path) -> tuple[int, int, bytes, bytes]:
    """Width, height, the red plane (how much brand: 0x2f all brand, 0xff all figure) and the alpha plane."""
    width, height, pixels = unfiltered_pixels(path.read_bytes())
    return width, height, pixels[0::4], pixels[3::4]


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def figure_colour(brand: tuple[int, int, int]) -> tuple[int, int, int]:
    """White or dark, whichever reads better on the brand."""
    return WHITE if _contrast(brand, WHITE) >= _contrast(brand, DARK) else DARK


@functools.lru_cache(maxsize=256)
def branded_icon(path: Path, brand_color: str) -> bytes:
    """The stock icon at ``path`` redrawn in ``brand_color`` (``#rrggbb``), as PNG bytes."""
    width, height, red, alpha = _stock(path)
    brand = _rgb(brand_color)
    figure = figure_colour(brand)
    pixels = bytearray(width * height * 4)
    for channel in range(3):
        table = bytearray(256)
        for value in range(256):
            share = min(1.0, max(0.0, (255 - value) / (255 - STOCK_BRAND[0])))  # of the brand
            table[value] = round(share * brand[channel] + (1 - share) * figure[channel])
        pixels[channel::4] = red.translate(table)
    pixels[3::4] = alpha
    stride = width * 4
    raw = b"".join(b"\x00" + pixels[row * stride : (row + 1) * stride] for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")
