"""Provides prepare_scan: a scanned page's grey image cleaned for OCR (specks removed, black boxes found and
blanked, blank pages told apart), pure numpy over pixels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DARK = 128  # grey level below which a pixel is ink
MIN_INK_PIXELS = 150  # a page with less ink after despeckling is blank: nothing for OCR to read


@dataclass(slots=True)
class ScanImage:
    """A page image ready for OCR: the cleaned pixels (None when the page is blank) and the black boxes on it."""

    pixels: Any  # numpy uint8 array (height, width), 0 = ink, 255 = paper; None when blank
    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)  # x0, y0, x1, y1 in pixels


def gray_array(pix: Any) -> Any:
    """The pixels of a PyMuPDF grey pixmap as a (height, width) uint8 array (stride padding dropped)."""
    import numpy as np

    return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]


def prepare_scan(img: Any, dpi: int) -> ScanImage:
    """Binarise, drop isolated specks (scanner noise: an ink pixel with fewer than two ink neighbours), find the
    solid black boxes and paint them white so OCR neither reads them as glyphs nor garbles the label beside them."""
    import numpy as np

    boxes = image_boxes(img, dpi)
    dark = img < DARK
    padded = np.pad(dark, 1).astype(np.uint8)
    h, w = dark.shape
    neighbours = sum(padded[1 + dy : h + 1 + dy, 1 + dx : w + 1 + dx]
                     for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx)
    ink = dark & (neighbours >= 2)
    for x0, y0, x1, y1 in boxes:
        ink[max(0, y0 - 2) : y1 + 2, max(0, x0 - 2) : x1 + 2] = False
    if int(ink.sum()) < MIN_INK_PIXELS:
        return ScanImage(None, boxes)
    return ScanImage(np.where(ink, 0, 255).astype(np.uint8), boxes)


def png_bytes(pixels: Any) -> bytes:
    """A grey array as PNG bytes (Pillow)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(out, format="PNG", compress_level=1)
    return out.getvalue()


def image_boxes(img: Any, dpi: int) -> list[tuple[int, int, int, int]]:
    """Solid black rectangles in a grey page image (pixels): 4x4 cells that are all dark, eroded so text strokes
    vanish, grouped into connected areas that fill most of their bounding box."""
    import numpy as np

    cell = 4
    scale = dpi / 200  # the size limits below were set at 200 dpi
    h, w = img.shape
    hh, ww = h // cell, w // cell
    blocks = (img[: hh * cell, : ww * cell] < 90).reshape(hh, cell, ww, cell).mean(axis=(1, 3)) > 0.8
    solid = blocks.copy()
    solid[1:, :] &= blocks[:-1, :]
    solid[:-1, :] &= blocks[1:, :]
    solid[:, 1:] &= blocks[:, :-1]
    solid[:, :-1] &= blocks[:, 1:]
    seen = np.zeros_like(solid)
    found: list[tuple[int, int, int, int]] = []
    for y, x in zip(*np.nonzero(solid), strict=False):
        if seen[y, x]:
            continue
        stack = [(int(y), int(x))]
        seen[y, x] = True
        ys: list[int] = []
        xs: list[int] = []
        while stack:
            cy, cx = stack.pop()
            ys.append(cy)
            xs.append(cx)
            for ny, nx in ((cy + 1, cx), (cy - 1, cx), (cy, cx + 1), (cy, cx - 1)):
                if 0 <= ny < hh and 0 <= nx < ww and solid[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    stack.append((ny, nx))
        y0, y1, x0, x1 = min(ys) - 1, max(ys) + 2, min(xs) - 1, max(xs) + 2
        bw, bh = x1 - x0, y1 - y0
        if bw * cell < 30 * scale or bh * cell < 14 * scale or bh * cell > h * 0.5:
            continue
        if len(ys) < 0.6 * (bw - 2) * (bh - 2):
            continue
        found.append((x0 * cell, y0 * cell, x1 * cell, y1 * cell))
    return found
