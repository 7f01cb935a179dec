"""An organisation's logo for the customer charter: a PNG or JPEG file, checked before use.

Only PNG and JPEG: every format can hold them (HTML and PDF as a data URI,
Word as a picture), and neither can carry script, unlike SVG.  The file is read
with the same guards as every input file (a regular file, size checked first)
and decoded by Pillow (already installed with WeasyPrint), so a renamed or
broken file is refused in one line instead of failing half-way through a PDF.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from workbook.errors import InputError
from workbook.input_files import read_input_file

__all__ = ["MAX_LOGO_BYTES", "MAX_LOGO_PIXELS", "Logo", "read_logo"]

#: A logo is a small picture: anything bigger is probably the wrong file.
MAX_LOGO_BYTES: Final = 2_000_000
#: Width or height beyond this is refused (a decompression bomb, or a photo).
MAX_LOGO_PIXELS: Final = 5_000
_MEDIA_TYPES: Final = {"PNG": "image/png", "JPEG": "image/jpeg"}


@dataclass(frozen=True, slots=True)
class Logo:
    """A checked logo: its bytes, media type and size in pixels."""

    data: bytes
    media_type: str
    width: int
    height: int

    @property
    def data_uri(self) -> str:
        """The logo inline in a page, so the HTML and PDF need no file beside them."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


def read_logo(path: str | Path) -> Logo:
    """The logo in ``path``, or one line on what is wrong with it."""
    from PIL import Image, UnidentifiedImageError

    data = read_input_file(path, MAX_LOGO_BYTES, kind="logo (PNG or JPEG)")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, width, height = image.format, image.width, image.height
            if kind not in _MEDIA_TYPES:
                raise InputError(f"{path}: is a {kind} picture; give the logo as a PNG or JPEG file")
            if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS:
                raise InputError(f"{path}: is {width} by {height} pixels; a logo of at most "
                                 f"{MAX_LOGO_PIXELS} pixels a side is plenty for print")
            image.verify()  # a truncated or corrupt file fails here, not in the middle of a PDF
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InputError(f"{path}: is not a readable PNG or JPEG picture") from None
    return Logo(data=data, media_type=_MEDIA_TYPES[str(kind)], width=width, height=height)
