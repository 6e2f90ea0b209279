"""Images are decoded and re-encoded, never served as they came.

What comes back is made from the decoded pixels only: no EXIF (camera, GPS,
time), no ICC profile, no comment or text chunk, nothing appended after the
image's end (a JPEG/HTML polyglot loses its HTML), the orientation applied to
the pixels. A file is decoded only as the format its signature names, and only
after its header has shown that it holds at most ``PAPO_IMAGE_MAX_PIXELS``
pixels: a decompression bomb (a small PNG that inflates to gigabytes) is refused
before a byte of it is inflated. An animated image (GIF, APNG, WebP) keeps its
first frame. JPEG stays JPEG, WebP stays WebP, everything else becomes PNG.

Decoding holds the pixels in memory (4 bytes each at most), so a process works
on at most ``PAPO_UPLOADS_AT_ONCE`` uploads at once (``attachments.intake``).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from papo.errors import PapoError

THUMB_BOX = (400, 400)
# The one Pillow plugin each sniffed type may be opened with, and what it becomes.
_OPEN_AS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
_SAVE_AS = {"JPEG": ("JPEG", "image/jpeg", "jpg"), "WEBP": ("WEBP", "image/webp", "webp")}
_PNG = ("PNG", "image/png", "png")


@dataclass
class Reencoded:
    file: tempfile.SpooledTemporaryFile  # the image, re-encoded
    thumb: tempfile.SpooledTemporaryFile | None  # None: the image is small enough itself
    content_type: str
    extension: str
    width: int
    height: int


def reencode(path: str, content_type: str) -> Reencoded:
    """Decode the image at ``path`` (sniffed as ``content_type``) and write it anew."""
    plugin = _OPEN_AS[content_type]
    try:
        with Image.open(path, formats=[plugin]) as img:
            width, height = img.size  # from the header: nothing is decoded yet
            cap = settings.PAPO["IMAGE_MAX_PIXELS"]
            if width * height > cap:
                raise PapoError("image_too_large",
                                f"the image is {width}x{height} pixels; at most {cap:,} are "
                                "taken")
            img.seek(0)  # an animation: its first frame
            img.load()
            pixels = ImageOps.exif_transpose(img) or img
    except PapoError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own check, at twice its default
        raise PapoError("image_too_large", "the image has too many pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise PapoError("image_invalid", "the file looks like an image but cannot be "
                        "read as one") from exc
    fmt, out_type, ext = _SAVE_AS.get(plugin, _PNG)
    pixels = _clean(pixels, fmt)
    main = _save(pixels, fmt)
    thumb = None
    if pixels.width > THUMB_BOX[0] or pixels.height > THUMB_BOX[1]:
        small = pixels.copy()
        small.thumbnail(THUMB_BOX, Image.Resampling.LANCZOS)
        thumb = _save(small, fmt)
    return Reencoded(main, thumb, out_type, ext, pixels.width, pixels.height)


def _clean(img: Image.Image, fmt: str) -> Image.Image:
    """Pixels only, in a mode the format writes: nothing of the file's metadata."""
    alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
    if fmt == "JPEG":
        mode = "L" if img.mode in ("1", "L") else "RGB"
    elif img.mode in ("1", "L", "LA", "I;16") and not alpha:
        mode = "L"
    else:
        mode = "RGBA" if alpha else "RGB"
    clean = img.convert(mode) if img.mode != mode else img.copy()
    clean.info = {}  # EXIF, ICC profile, comments, text chunks, XMP: gone
    return clean


def _save(img: Image.Image, fmt: str) -> tempfile.SpooledTemporaryFile:
    out = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
    options: dict = {"JPEG": {"quality": 85, "optimize": True},
                     "WEBP": {"quality": 85, "method": 4},
                     "PNG": {"optimize": False, "compress_level": 6}}[fmt]
    img.save(out, fmt, **options)
    out.seek(0)
    return out
